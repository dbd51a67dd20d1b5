/**
 * The backbone comparison of docs/model.md: the diffuser trained with a compact CNN learned together with it
 * (src/skeleton/compact-cnn.ts), scored on a validation set, to set beside the same recipe on frozen MobileNetV2
 * features (`pinplace train` + `pinplace eval`). The same trainDiffuser run (samples, steps, batch draws, timesteps,
 * noise, flips, loss and schedule); the only difference is where the image and object features come from (and the
 * flip, which mirrors the image itself here instead of the cached feature map).
 *
 *   npx tsx scripts/compare-backbones.ts --train DATA/train --val DATA/val --steps 1000 --max-samples 4000 \
 *     --out result.json
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { readImage, type RgbImage } from '../src/io/image.ts';
import { CompactCnn } from '../src/skeleton/compact-cnn.ts';
import { DEFAULT_MODEL_CONFIG } from '../src/skeleton/constants.ts';
import { featurizeSamples, FeatureSource, readHoiSamples, type FeatureTable } from '../src/skeleton/dataset-node.ts';
import { modelPredictions, scorePredictions } from '../src/skeleton/eval-node.ts';
import { cropTransform, personCropRegion, warpAffine } from '../src/skeleton/calculators/crop.ts';
import { roiAlignMatrix } from '../src/skeleton/calculators/roi-align.ts';
import { toCropUnits } from '../src/skeleton/calculators/normalise.ts';
import { trainDiffuser, type SampleSource } from '../src/skeleton/train.ts';
import { matMul } from '../src/tensor/matmul.ts';
import type { ModelConfig, TrainExample } from '../src/skeleton/types.ts';

const { values: a } = parseArgs({
  options: {
    train: { type: 'string' }, val: { type: 'string' }, out: { type: 'string' },
    steps: { type: 'string', default: '1000' }, batch: { type: 'string', default: '64' }, seed: { type: 'string', default: '1' },
    'max-samples': { type: 'string' }, lr: { type: 'string', default: '1e-3' },
  },
});
if (!a.train || !a.val || !a.out) throw new Error('usage: compare-backbones --train DIR --val DIR --out FILE [--steps N] [--max-samples N]');
const steps = Number(a.steps), batchSize = Number(a.batch), seed = Number(a.seed), lr = Number(a.lr);
await initBackend();

const cnn = new CompactCnn(undefined, seed);
const S = cnn.config.inputSize, M = S / 8, [mapDim, globalDim] = cnn.config.channels;
const all = await readHoiSamples(a.train);
const samples = a['max-samples'] ? all.slice(0, Number(a['max-samples'])) : all;
const uniq = (xs: Array<string | null>) => [...new Set(xs.filter((x): x is string => !!x))].sort();
const config: ModelConfig = {
  ...DEFAULT_MODEL_CONFIG, categories: uniq(samples.map((s) => s.category)), actions: uniq(samples.map((s) => s.action)),
  imageFeatureDim: globalDim, objectFeatureDim: mapDim, backboneInput: S,
};

// crops at the CNN's input size, made exactly as cropFeatures makes them at evaluation (bytes to save memory)
const t0 = performance.now();
const crops = new Uint8Array(samples.length * S * S * 3);
let image: RgbImage | undefined, imagePath = '';
for (let i = 0; i < samples.length; i++) {
  const s = samples[i];
  if (s.imagePath !== imagePath) { image = await readImage(s.imagePath); imagePath = s.imagePath; }
  const region = personCropRegion(s.personBox, image!.width, image!.height);
  if (!region) continue;
  const w = warpAffine(image!, cropTransform(region, S).toImage, S).data;
  for (let k = 0; k < w.length; k++) crops[i * S * S * 3 + k] = Math.round(w[k]);
}
console.log(`${samples.length} crops of ${S} px in ${((performance.now() - t0) / 1000).toFixed(0)} s; CNN ${cnn.parameterCount} parameters`);

// the targets of the feature source; its features are placeholders, replaced inside the graph by the CNN's
const targets = samples.map((s) => toCropUnits(s.imageSize, s.personBox, s.objectBox, s.keypoints));
const table: FeatureTable = {
  backbone: 'compact_cnn', count: samples.length, globalDim, roiDim: 64 * mapDim, targets,
  global: new Float32Array(globalDim), roi: new Float32Array(64 * mapDim), roiFlip: new Float32Array(64 * mapDim),
};
const base = new FeatureSource(samples, table, config);
// which crop (and whether mirrored) each drawn example came from, in draw order; the CNN reads them per batch
const drawn: Array<{ i: number; flip: boolean }> = [];
const source: SampleSource = {
  size: base.size,
  example(k, flip) {
    drawn.push({ i: base.indices[k], flip });
    return base.example(k, flip);
  },
};

/** The CNN's features of a batch, inside the gradient tape: images mirrored where flipped, ROI-Align as a product. */
function cnnCondition(examples: TrainExample[]): { global: tf.Tensor; roi: tf.Tensor } {
  const batch = drawn.splice(0);
  const B = examples.length;
  const img = new Float32Array(B * S * S * 3);
  const rw = new Float32Array(B * 64 * M * M);
  batch.forEach(({ i, flip }, b) => {
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const src = (i * S * S + y * S + (flip ? S - 1 - x : x)) * 3, dst = (b * S * S + y * S + x) * 3;
        for (let c = 0; c < 3; c++) img[dst + c] = crops[src + c] / 255;
      }
    }
    rw.set(roiAlignMatrix(M, M, examples[b].objectBox.map((v) => v * M), config.gridSize, 2), b * 64 * M * M);
  });
  const f = cnn.forward(tf.tensor4d(img, [B, S, S, 3]));
  const roi = tf.reshape(matMul(tf.tensor3d(rw, [B, 64, M * M]), tf.reshape(f.map, [B, M * M, mapDim])), [B, 64, mapDim]);
  return { global: f.global, roi };
}

const trainStart = performance.now();
const log: Array<{ step: number; loss: number; ms: number }> = [];
const { model, log: stepLog } = await trainDiffuser({
  config, source, steps, batch: batchSize, lr, lrDecayAt: [0.6, 0.85], lrFactor: 10, seed, jparam: 'code', jparamMix: 1,
  confWeight: 1, flip: true, trainable: { vars: [...cnn.params.vars.values()], condition: cnnCondition },
  onStep: (s) => {
    if (s.step % 10 === 0) log.push({ step: s.step, loss: s.loss, ms: Math.round(s.ms) });
    if (s.step % 50 === 0 || s.step === 1) console.log(`step ${s.step}/${steps} loss ${s.loss.toFixed(4)} ${(s.ms / 1000).toFixed(2)} s/step`);
  },
});
const skipped = stepLog.at(-1)?.skipped ?? 0;
const trainSeconds = (performance.now() - trainStart) / 1000;

// validation with the trained CNN as a frozen backbone (features in JS ROI-Align, as for any backbone)
const valSamples = await readHoiSamples(a.val);
const valFeats = await featurizeSamples(valSamples, cnn.asBackbone(), config.gridSize);
const val = scorePredictions(valSamples, modelPredictions(model, valSamples, valFeats, 1));
const result = {
  backbone: 'compact_cnn@128 trained with the model', cnn_parameters: cnn.parameterCount, diffuser_parameters: model.parameterCount,
  train: a.train, samples: source.size, steps, batch: batchSize, seed, lr, skipped,
  train_seconds: Math.round(trainSeconds), s_per_step: +(trainSeconds / steps).toFixed(3), val: a.val, val_metrics: val, log,
};
await writeFile(a.out, JSON.stringify(result, null, 1) + '\n');
console.log(`val: top1 ${val.top1} % top3 ${val.top3} % top5 ${val.top5} % SPD ${val.spd.toFixed(4)}; ${result.s_per_step} s/step`);
