/**
 * GPU check of the tfjs paths that read tensors asynchronously: the mesh fitter's gradient solver, a batched
 * diffuser forward (10 denoising iterations of the official sampler, one condition) and one diffuser training step
 * (HOI loss, Adam), with the CPU Levenberg-Marquardt fitter as the reference. Prints one JSON object; every case reports its own error instead of stopping the run.
 *
 *   PINPLACE_BACKEND=webgpu npx tsx scripts/gpu-check.ts [--people 64,256,1024] [--samples 64,1024] [--batch 64,512]
 *
 * On a machine with a GPU this needs the optional packages `webgpu` and `@tensorflow/tfjs-backend-webgpu`
 * (src/backend.ts); without them it runs on wasm and the numbers are the CPU baseline. `PINPLACE_WASM_DIR` points
 * tfjs-backend-wasm at its .wasm files when this script runs as a bundle.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../src/backend.ts';
import { fitPeopleGradient } from '../src/mesh/gradient-solver.ts';
import { fitPersonLm, getDefaultJointModel } from '../src/mesh/fitter.ts';
import { mulberry32, syntheticCase } from '../src/mesh/synthetic.ts';
import { DEFAULT_MODEL_CONFIG } from '../src/skeleton/constants.ts';
import { Diffuser } from '../src/skeleton/diffuser.ts';
import { conditionInputs } from '../src/skeleton/evaluate.ts';
import { hoiLoss, makeBatch, type SampleSource } from '../src/skeleton/train.ts';
import { cosineAlphaBar } from '../src/skeleton/schedule.ts';
import type { TrainExample } from '../src/skeleton/types.ts';
import { randomFeatures } from '../src/bench/skeleton.ts';
import { timeMedian } from '../src/bench/types.ts';

const arg = (name: string, dflt: string): number[] => {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1] : dflt).split(',').filter((v) => v !== '').map(Number);
};

async function safely(name: string, out: Record<string, unknown>, fn: () => Promise<Record<string, unknown>>): Promise<void> {
  try {
    out[name] = await fn();
  } catch (err) {
    out[name] = { error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
  process.stderr.write(`${name}: ${JSON.stringify(out[name])}\n`);
}

async function main(): Promise<void> {
  if (process.env.PINPLACE_WASM_DIR) setWasmPaths(process.env.PINPLACE_WASM_DIR.replace(/\/?$/, '/'));
  const info = await initBackend();
  const out: Record<string, unknown> = { backend: info.backend, message: info.message };
  process.stderr.write(`${info.message}\n`);

  const jm = getDefaultJointModel();
  await safely('fit_lm_cpu_64', out, async () => {
    const rand = mulberry32(12);
    const cs = Array.from({ length: 64 }, () => syntheticCase(jm, rand));
    for (const c of cs.slice(0, 8)) fitPersonLm(c.target); // warm-up (JIT)
    const t0 = performance.now();
    const fits = cs.map((c) => fitPersonLm(c.target));
    const ms = performance.now() - t0;
    const err = fits.map((f, i) => (100 * f.reprojectionErrorPx.mean) / cs[i].boxHeight).sort((a, b) => a - b);
    return { ms_per_person: ms / 64, median_err_pct: err[err.length >> 1] };
  });
  for (const n of arg('people', '64,256,1024')) {
    await safely(`fit_gradient_${n}`, out, async () => {
      const rand = mulberry32(12);
      const cs = Array.from({ length: n }, () => syntheticCase(jm, rand));
      await fitPeopleGradient(cs.slice(0, 4).map((c) => c.target)); // warm-up: shader compilation
      const t0 = performance.now();
      const fits = await fitPeopleGradient(cs.map((c) => c.target));
      const ms = performance.now() - t0;
      const err = fits.map((f, i) => (100 * f.reprojectionErrorPx.mean) / cs[i].boxHeight).sort((a, b) => a - b);
      return { ms_per_person: ms / n, total_ms: ms, median_err_pct: err[err.length >> 1] };
    });
  }

  const config = { ...DEFAULT_MODEL_CONFIG, personPosition: true, categories: ['cup'], actions: ['hold'] };
  const model = new Diffuser(config, 1);
  for (const n of arg('samples', '64,1024')) {
    await safely(`denoise_${n}`, out, async () => {
      const inputs = conditionInputs(model, randomFeatures(model, 1, 2));
      const temb = model.timeEmbedding([100]);
      const ms = await timeMedian(async () => {
        const x = tf.tidy(() => {
          const cond = model.condition(inputs, true);
          let x: tf.Tensor = tf.randomNormal([n, 17, 2], 0, 1, 'float32', 1);
          for (let i = 0; i < 10; i++) x = tf.clipByValue(model.denoise(tf.clipByValue(x, -1, 1), cond, temb).x0, -1, 1);
          return x;
        });
        await x.data();
        x.dispose();
      }, 3);
      tf.dispose([...Object.values(inputs), temb]);
      return { ms, ms_per_skeleton: ms / n };
    });
  }

  const alphaBar = cosineAlphaBar(model.config.timesteps);
  for (const B of arg('batch', '64,512')) {
    await safely(`train_step_b${B}`, out, async () => {
      const data: TrainExample[] = randomFeatures(model, B, 3).map((f, i) => ({ ...f, joints: new Float32Array(34).fill(0.4 + (i % 5) * 0.05), mask: new Float32Array(17).fill(1) }));
      const source: SampleSource = { size: data.length, example: (i) => data[i] };
      const opt = tf.train.adam(1e-4);
      const vars = [...model.params.vars.values()];
      let step = 0;
      const ms = await timeMedian(async () => {
        const rand = mulberry32(1000 + step++);
        const batch = makeBatch(model, source, Array.from({ length: B }, (_, i) => i), rand, { flip: true, jparam: 'code' }, alphaBar);
        const loss = opt.minimize(() => hoiLoss(model, batch, 1, true).total, true, vars)!;
        await loss.data();
        tf.dispose([loss, batch.xt, batch.x0, batch.weights, batch.mask, ...Object.values(batch.inputs)]);
      }, 3);
      return { ms, ms_per_example: ms / B };
    });
  }
  model.dispose();
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main().catch((err) => {
  process.stderr.write(`gpu-check: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
