/** `pinplace bench [--json] [--only NAME,...] [--reps N]`: the project's own benchmark (SPEC keys). */
import { initBackend } from '../../backend.ts';
import { BENCH_CASES } from '../../bench/index.ts';
import { UsageError } from '../../errors.ts';
import type { CommandDef } from '../command.ts';
import { parseIntFlag } from '../options.ts';

export const benchCommand: CommandDef = {
  name: 'bench',
  summary: 'Benchmark speed and accuracy (a table; --json for one object of SPEC keys)',
  options(cmd) {
    cmd.option('--only <names>', 'comma-separated keys (or key prefixes) to run, e.g. fit_one_ms,denoise')
      .option('--reps <n>', 'timed repetitions per case, after one warm-up', '9');
  },
  async run(opts, io) {
    const reps = parseIntFlag(opts.reps ?? '9', '--reps', 1, 1000);
    const only = typeof opts.only === 'string' ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : null;
    const cases = only ? BENCH_CASES.filter((c) => only.some((o) => c.key === o || c.key.startsWith(o))) : BENCH_CASES;
    if (only && cases.length === 0) {
      throw new UsageError(`--only matched no benchmark; known keys: ${BENCH_CASES.map((c) => c.key).join(', ') || '(none)'}`);
    }
    const info = await initBackend();
    const result: Record<string, unknown> = { backend: info.backend };
    const rows: string[][] = [];
    for (const c of cases) {
      io.debug(`bench ${c.key} ...`);
      const r = await c.run({ reps, log: io.debug });
      result[c.key] = r.value === null ? null : round(r.value);
      for (const [k, v] of Object.entries(r.extra ?? {})) result[k] = round(v);
      rows.push([c.key, c.label, r.value === null ? 'n/a' : `${round(r.value)} ${c.unit}`, c.target ?? '', r.note ?? '']);
    }
    io.out(`backend: ${info.backend}`);
    io.out(table(['key', 'what', 'value', 'target', 'note'], rows));
    return result;
  },
};

const round = (v: number): number => Math.round(v * 1000) / 1000;

function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
