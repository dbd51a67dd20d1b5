/**
 * How well the rest of a skeleton follows a pinned joint (skeleton editing), on a data set with ground truth: for each
 * sample, pin one wrist at its true position and measure how far the elbow of that arm and all the other joints land
 * from their true positions, against the same model without the pin. In crop units x 256 (pixels of the person crop).
 *
 *   npx tsx scripts/pin-eval.ts --data DATA/test --model MODEL_DIR [--out result.json]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { loadBackbone } from '../src/skeleton/backbone-node.ts';
import { featurizeSamples, FeatureSource, readHoiSamples } from '../src/skeleton/dataset-node.ts';
import { conditionInputs } from '../src/skeleton/evaluate.ts';
import { loadModelDir } from '../src/skeleton/model-store-node.ts';
import { runSampler } from '../src/skeleton/sampler.ts';
import { J } from '../src/skeleton/topology.ts';

const { values: a } = parseArgs({ options: { data: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' } } });
if (!a.data || !a.model) throw new Error('usage: pin-eval --data DIR --model DIR [--out FILE]');
await initBackend();
const { model } = await loadModelDir(a.model);
const samples = await readHoiSamples(a.data);
const feats = await featurizeSamples(samples, await loadBackbone(model.config), model.config.gridSize, { cacheDir: a.data });
const src = new FeatureSource(samples, feats, model.config);
const arms = [{ wrist: J.left_wrist, elbow: J.left_elbow }, { wrist: J.right_wrist, elbow: J.right_elbow }];
const sums = { elbowFree: 0, elbowPinned: 0, restFree: 0, restPinned: 0, n: 0, nRest: 0 };
const dist = (p: Float32Array, k: number, ex: { joints: Float32Array }) => Math.hypot(p[2 * k] - ex.joints[2 * k], p[2 * k + 1] - ex.joints[2 * k + 1]) * 256;
for (let k = 0; k < src.size; k++) {
  const ex = src.example(k, false);
  const inputs = conditionInputs(model, [ex]);
  const free = runSampler(model, inputs, { samples: 1, seed: 1 }).joints;
  for (const arm of arms) {
    if (!ex.mask[arm.wrist] || !ex.mask[arm.elbow]) continue;
    const pins = [{ joint: arm.wrist, u: ex.joints[2 * arm.wrist], v: ex.joints[2 * arm.wrist + 1] }];
    const pinned = runSampler(model, inputs, { samples: 1, seed: 1, pins }).joints;
    sums.elbowFree += dist(free, arm.elbow, ex); sums.elbowPinned += dist(pinned, arm.elbow, ex); sums.n++;
    for (let j = 0; j < 17; j++) {
      if (j === arm.wrist || !ex.mask[j]) continue;
      sums.restFree += dist(free, j, ex); sums.restPinned += dist(pinned, j, ex); sums.nRest++;
    }
  }
  tf.dispose(Object.values(inputs));
}
const r = (v: number) => Math.round(v * 100) / 100;
const result = {
  model: a.model, data: a.data, pinned_wrists: sums.n, pin_input: !!model.config.pinInput,
  elbow_error_px: { free: r(sums.elbowFree / sums.n), wrist_pinned: r(sums.elbowPinned / sums.n) },
  other_joints_error_px: { free: r(sums.restFree / sums.nRest), wrist_pinned: r(sums.restPinned / sums.nRest) },
};
console.log(JSON.stringify(result));
if (a.out) await writeFile(a.out, JSON.stringify(result, null, 1) + '\n');
