/** Benchmark cases of src/data (see src/bench/types.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSynthSet } from '../data/synth-writer-node.ts';
import type { BenchCase } from './types.ts';

/**
 * Images written per timed run of `synth_samples_per_s` (wall-clock rate, worker threads on every core; enough images
 * that starting the workers does not dominate, as in a real data set of thousands). The extra
 * `synth_cpu_ms_per_sample` (CPU time of all threads) says what the rate would be on an idle machine.
 */
const SYNTH_BENCH_COUNT = 400;

export const dataBench: BenchCase[] = [
  {
    key: 'synth_samples_per_s',
    label: 'pinplace synth --kind hoi at 512x512: generate, PNG-encode and write',
    unit: 'samples/s',
    target: '>= 50',
    async run(ctx) {
      const dir = await mkdtemp(join(tmpdir(), 'pinplace-bench-synth-'));
      try {
        await writeSynthSet({ out: join(dir, 'warm'), count: 12, seed: 99, kind: 'hoi', size: [512, 512] });
        const rates: number[] = [];
        const cpu: number[] = [];
        let kb = 0;
        const runs = Math.max(1, Math.min(3, ctx.reps));
        for (let r = 0; r < runs; r++) {
          const c0 = process.cpuUsage();
          const res = await writeSynthSet({ out: join(dir, `run${r}`), count: SYNTH_BENCH_COUNT, seed: r + 1, kind: 'hoi', size: [512, 512] });
          const c = process.cpuUsage(c0);
          rates.push(SYNTH_BENCH_COUNT / res.seconds);
          cpu.push((c.user + c.system) / 1000 / SYNTH_BENCH_COUNT);
          kb = res.bytes / SYNTH_BENCH_COUNT / 1024;
          ctx.log(`synth run ${r}: ${rates[r].toFixed(1)} samples/s`);
        }
        rates.sort((a, b) => a - b);
        cpu.sort((a, b) => a - b);
        // CPU time of all threads per sample: on an otherwise idle machine, cores * 1000 / this is the reachable rate
        return { value: rates[rates.length >> 1], extra: { synth_png_kb_per_sample: kb, synth_cpu_ms_per_sample: cpu[cpu.length >> 1] } };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  },
];
