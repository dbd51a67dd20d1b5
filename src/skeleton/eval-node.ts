/**
 * Node-only: evaluate a model (or a baseline) on a data set with the official metrics.
 */
import { evaluateBestOf, evaluateSkeletons, sampleScores, summarizeScores, type BestOfResult, type MetricSample, type MetricsResult, type SampleScore } from './metrics.ts';
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
  // with one sample per input the ranked-first one is all there is: no second buffer, no second conversion
  const every = per > 1 ? new Float32Array(inputs.length * per * 34) : undefined;
  const pred = predictSkeletons(model, inputs, seed, sampler, 256, per, every);
  const first: Array<Keypoint[] | null> = samples.map(() => null);
  const all: Array<Keypoint[][] | null> = samples.map(() => null);
  const toImage = (i: number, v: Float32Array): Keypoint[] => fromCropUnits(feats.targets[i]!.crop, v).map(([x, y]): Keypoint => [x, y, 1]);
  src.indices.forEach((i, k) => {
    first[i] = toImage(i, pred.subarray(k * 34, (k + 1) * 34));
    all[i] = every ? Array.from({ length: per }, (_, m) => toImage(i, every.subarray((k * per + m) * 34, (k * per + m + 1) * 34))) : [first[i]!];
  });
  return { first, all };
}

/**
 * Official metrics of predictions against a data set's GT. Samples without a prediction (object outside the
 * person crop) are scored with the person-box centre for every joint, so they count as misses, not as skipped.
 */
export function scorePredictions(samples: HoiSample[], preds: Array<Keypoint[] | null>): MetricsResult {
  return evaluateSkeletons(metricSamples(samples, preds));
}

/** Each data-set sample with its prediction (or the stand-in for a missing one) as the metrics take it. */
function metricSamples(samples: HoiSample[], preds: Array<Keypoint[] | null>): MetricSample[] {
  return samples.map((s, i) => ({ personBox: s.personBox, objectBox: s.objectBox, gt: s.keypoints, pred: preds[i] ?? missingPrediction(s) }));
}

/** The official metrics of predictions and each sample's scores (for a paired comparison, `comparePaired`). */
function scoreWithSamples(samples: HoiSample[], preds: Array<Keypoint[] | null>): MetricsResult & { scores: Array<SampleScore | null> } {
  const scores = sampleScores(metricSamples(samples, preds));
  return { ...summarizeScores(samples.length, scores), scores };
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
  /** Also score each interaction (action/category) on its own (`byInteraction`). */
  byInteraction?: boolean;
}

/** The official metrics of one interaction's samples; `spdShare` is its part of the whole set's SPD sum. */
export interface InteractionMetrics { interaction: string; metrics: MetricsResult; spdShare: number }

/**
 * The official metrics per interaction ("action/category", "-" where a name is missing), the largest share of the
 * set's SPD first: where the error is.
 */
export function scoreByInteraction(samples: HoiSample[], preds: Array<Keypoint[] | null>): InteractionMetrics[] {
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const key = `${s.action ?? '-'}/${s.category ?? '-'}`;
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  });
  const rows = [...groups].map(([interaction, idx]) => ({ interaction, metrics: scorePredictions(idx.map((i) => samples[i]), idx.map((i) => preds[i])) }));
  const sum = (m: MetricsResult) => (Number.isFinite(m.spd) ? m.spd * m.scored : 0);
  const total = rows.reduce((a, r) => a + sum(r.metrics), 0);
  return rows
    .map((r) => ({ ...r, spdShare: total > 0 ? sum(r.metrics) / total : 0 }))
    .sort((a, b) => b.spdShare - a.spdShare || a.interaction.localeCompare(b.interaction));
}

/**
 * Evaluate a model on a data-set directory: the official metrics of the ranked-first sample, with N > 1 samples the
 * best-of-N oracle too (`bestOf`), and when asked the metrics per interaction (`byInteraction`).
 */
export async function evaluateModel(model: Diffuser, backbone: Backbone, o: EvalOptions): Promise<EvalResult> {
  const samples = await readHoiSamples(o.data);
  const feats = await featurizeSamples(samples, backbone, model.config.gridSize, { cacheDir: o.data, onProgress: o.onProgress });
  const n = o.samples ?? 1;
  const { first, all } = modelPredictionSets(model, samples, feats, o.seed ?? 1, o.sampler, n);
  return {
    ...scoreWithSamples(samples, first),
    ...(o.byInteraction ? { byInteraction: scoreByInteraction(samples, first) } : {}),
    ...(n > 1 ? { bestOf: evaluateBestOf(samples.map((s, i) => ({ personBox: s.personBox, objectBox: s.objectBox, gt: s.keypoints, preds: all[i] ?? [missingPrediction(s)] }))) } : {}),
  };
}

/**
 * What `evaluateModel` / `evaluateBaseline` give: the official metrics, each sample's scores (input order), and what
 * was asked for beside them.
 */
export type EvalResult = MetricsResult & { scores: Array<SampleScore | null>; bestOf?: BestOfResult; byInteraction?: InteractionMetrics[] };

/** Evaluate a baseline on a data-set directory. */
export async function evaluateBaseline(kind: 'mean' | 'nearest', stats: BaselineStats, data: string, o: { byInteraction?: boolean } = {}): Promise<EvalResult> {
  const samples = await readHoiSamples(data);
  const f = kind === 'mean' ? meanBaseline : nearestBaseline;
  const preds = samples.map((s) => f(stats, s));
  return { ...scoreWithSamples(samples, preds), ...(o.byInteraction ? { byInteraction: scoreByInteraction(samples, preds) } : {}) };
}
