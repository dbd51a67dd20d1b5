/**
 * Does a model read its noisy input? For each model, the true poses of a data set are noised to step t
 * (x_t = sqrt(ab) x0 + sqrt(1 - ab) eps in the model's joint space, clamped as in training) and the model's x0
 * prediction is compared with the truth: mean joint error (crop units x 1000) by t. A model that reads x_t is nearly
 * exact at t = 0; one that ignores it has the same error at every t.
 *
 *   npx tsx scripts/xt-probe.ts --data DATA/val [--count 200] MODEL_DIR...
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { loadBackbone } from '../src/skeleton/backbone-node.ts';
import { featurizeSamples, FeatureSource, readHoiSamples } from '../src/skeleton/dataset-node.ts';
import { conditionInputs } from '../src/skeleton/evaluate.ts';
import { conditionFrames } from '../src/skeleton/diffuser.ts';
import { fromJointSpace, toJointSpace } from '../src/skeleton/calculators/joint-space.ts';
import { loadModelDir } from '../src/skeleton/model-store-node.ts';
import { applyX0Skip, cosineAlphaBar } from '../src/skeleton/schedule.ts';
import { gaussian, mulberry32 } from '../src/skeleton/layers.ts';

const STEPS = [0, 20, 50, 100, 200, 400, 700, 999];
const { values: a, positionals: dirs } = parseArgs({ options: { data: { type: 'string' }, count: { type: 'string', default: '200' } }, allowPositionals: true });
if (!a.data || !dirs.length) throw new Error('usage: xt-probe --data DIR [--count N] MODEL_DIR...');
await initBackend();
const samples = (await readHoiSamples(a.data)).slice(0, Number(a.count));
for (const dir of dirs) {
  const { model } = await loadModelDir(dir);
  const feats = await featurizeSamples(samples, await loadBackbone(model.config), model.config.gridSize);
  const src = new FeatureSource(samples, feats, model.config);
  const ex = src.indices.map((_, k) => src.example(k, false));
  const inputs = conditionInputs(model, ex);
  const frames = conditionFrames(model.config, inputs);
  const truth = new Float32Array(ex.length * 34);
  ex.forEach((e, i) => truth.set(e.joints, i * 34));
  const z0 = toJointSpace(frames, truth);
  const ab = cosineAlphaBar(model.config.timesteps);
  const cond = model.condition(inputs);
  const rand = mulberry32(3);
  const row: string[] = [];
  for (const t of STEPS) {
    const sa = Math.sqrt(ab[t]), sn = Math.sqrt(1 - ab[t]);
    const xt = z0.map((v) => Math.max(-1.1, Math.min(1.1, sa * v + sn * gaussian(rand))));
    const y = tf.tidy(() => model.denoise(tf.tensor3d(xt, [ex.length, 17, 2]), cond, model.timeEmbedding([t])).x0.dataSync() as Float32Array);
    if (model.config.x0Skip) applyX0Skip(xt, y, ab[t]);
    const pred = fromJointSpace(frames, y);
    let e = 0, n = 0;
    ex.forEach((x, i) => { for (let j = 0; j < 17; j++) if (x.mask[j] > 0) { e += Math.hypot(pred[i * 34 + 2 * j] - truth[i * 34 + 2 * j], pred[i * 34 + 2 * j + 1] - truth[i * 34 + 2 * j + 1]); n++; } });
    row.push(`t=${t} ${((1000 * e) / n).toFixed(1)}`);
  }
  console.log(`${dir}: mean joint error x1000 crop units: ${row.join(', ')}`);
  tf.dispose(Object.values(inputs));
  model.dispose();
}
