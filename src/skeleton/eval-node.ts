/**
 * Node-only: evaluate a model (or a baseline) on a data set with the official metrics.
 */
import { evaluateBestOf, evaluateSkeletons, type BestOfResult, type MetricSample, type MetricsResult } from './metrics.ts';
import { featurizeSamples, FeatureSource, readHoiSamples, type FeatureTable, type HoiSample } from './dataset-node.ts';
import { predictSkeletons } from './evaluate.ts';
import { fromCropUnits } from './calculators/normalise.ts';
import { meanBaseline, nearestBaseline, type BaselineStats } from './baselines.ts';
import type { Diffuser } from './diffuser.ts';
import type { Backbone } from './features.ts';
import type { Keypoint } from './topology.ts';
import type { SampleFeatures, SamplerConfig } from './types.ts';

/** Predictions (image pixels) of a model for every sample whose object lies in the person crop. */
export function modelPredictions(model: Diffuser, samples: HoiSample[], feats: FeatureTable, seed: number, sampler?: Partial<SamplerConfig>, perCondition = 1): Array<Keypoint[] | null> {
  return modelPredictionSets(model, samples, feats, seed, sampler, perCondition).first;
}

/** The ranked-first prediction per data-set sample and all `perCondition` of them, ranked (null: no prediction). */
export function modelPredictionSets(
  model: Diffuser, samples: HoiSample[], feats: FeatureTable, seed: number, sampler?: Partial<SamplerConfig>, perCondition = 1,
): { first: Array<Keypoint[] | null>; all: Array<Keypoint[][] | null> } {
  const src = new FeatureSource(samples, feats, model.config);
  const inputs: SampleFeatures[] = src.indices.map((_, k) => src.example(k, false));
  const per = Math.max(1, Math.floor(perCondition));
  const every = new Float32Array(inputs.length * per * 34);
  const pred = predictSkeletons(model, inputs, seed, sampler, 256, per, every);
  const first: Array<Keypoint[] | null> = samples.map(() => null);
  const all: Array<Keypoint[][] | null> = samples.map(() => null);
  const toImage = (i: number, v: Float32Array): Keypoint[] => fromCropUnits(feats.targets[i]!.crop, v).map(([x, y]): Keypoint => [x, y, 1]);
  src.indices.forEach((i, k) => {
    first[i] = toImage(i, pred.subarray(k * 34, (k + 1) * 34));
    all[i] = Array.from({ length: per }, (_, m) => toImage(i, every.subarray((k * per + m) * 34, (k * per + m + 1) * 34)));
  });
  return { first, all };
}

/**
 * Official metrics of predictions against a data set's GT. Samples without a prediction (object outside the
 * person crop) are scored with the person-box centre for every joint, so they count as misses, not as skipped.
 */
export function scorePredictions(samples: HoiSample[], preds: Array<Keypoint[] | null>): MetricsResult {
  const ms: MetricSample[] = samples.map((s, i) => ({ personBox: s.personBox, objectBox: s.objectBox, gt: s.keypoints, pred: preds[i] ?? missingPrediction(s) }));
  return evaluateSkeletons(ms);
}

/** What a sample without a prediction is scored with: every joint at the person-box centre (a miss). */
function missingPrediction(s: HoiSample): Keypoint[] {
  const cx = (s.personBox[0] + s.personBox[2]) / 2, cy = (s.personBox[1] + s.personBox[3]) / 2;
  return s.keypoints.map((): Keypoint => [cx, cy, 0]);
}

export interface EvalOptions {
  data: string; seed?: number; sampler?: Partial<SamplerConfig>; onProgress?: (d: number, n: number) => void;
  /** Samples drawn per condition; the medoid is scored (1 = one plain sample, the official protocol). */
  samples?: number;
}

/**
 * Evaluate a model on a data-set directory: the official metrics of the ranked-first sample, and with N > 1 samples
 * the best-of-N oracle too (`bestOf`).
 */
export async function evaluateModel(model: Diffuser, backbone: Backbone, o: EvalOptions): Promise<MetricsResult & { bestOf?: BestOfResult }> {
  const samples = await readHoiSamples(o.data);
  const feats = await featurizeSamples(samples, backbone, model.config.gridSize, { cacheDir: o.data, onProgress: o.onProgress });
  const n = o.samples ?? 1;
  const { first, all } = modelPredictionSets(model, samples, feats, o.seed ?? 1, o.sampler, n);
  const r = scorePredictions(samples, first);
  if (n < 2) return r;
  const bestOf = evaluateBestOf(samples.map((s, i) => ({ personBox: s.personBox, objectBox: s.objectBox, gt: s.keypoints, preds: all[i] ?? [missingPrediction(s)] })));
  return { ...r, bestOf };
}

/** Evaluate a baseline on a data-set directory. */
export async function evaluateBaseline(kind: 'mean' | 'nearest', stats: BaselineStats, data: string): Promise<MetricsResult> {
  const samples = await readHoiSamples(data);
  const f = kind === 'mean' ? meanBaseline : nearestBaseline;
  return scorePredictions(samples, samples.map((s) => f(stats, s)));
}
