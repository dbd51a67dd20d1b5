/**
 * Node-only: training and evaluation of the h2h model.
 *
 * Training reuses the skeleton diffuser's batches, loss and schedule (train-loop.ts) with the h2h source: the
 * partner box as the object (ROI features, category `person`), the interaction as the action, and the partner's
 * skeleton as 17 extra tokens. Checkpoints and the final model go to the model directory in the diffuser's format
 * (resumable), with the baseline statistics of the training set (baseline.json.gz).
 */
import { UsageError } from '../errors.ts';
import { DEFAULT_MODEL_CONFIG } from '../skeleton/constants.ts';
import { featurizeSamples, FeatureSource } from '../skeleton/dataset-node.ts';
import { mobileNetV2Backbone, type Backbone } from '../skeleton/features.ts';
import { saveModelDir } from '../skeleton/model-store-node.ts';
import { openTrainSession } from '../skeleton/train-session-node.ts';
import type { TrainOptions } from '../skeleton/train.ts';
import { trainLoop, type LoopStepInfo } from './train-loop.ts';
import { baselineStats, meanBaseline, nearestBaseline, type BaselineStats } from '../skeleton/baselines.ts';
import { conditionInputs } from '../skeleton/evaluate.ts';
import { runSampler } from '../skeleton/sampler.ts';
import { rankSamples } from '../skeleton/sampler.ts';
import { flipJoints, fromCropUnits } from '../skeleton/calculators/normalise.ts';
import { initBackend, tf } from '../backend.ts';
import type { Diffuser } from '../skeleton/diffuser.ts';
import type { JParamKind } from '../skeleton/loss.ts';
import type { ModelConfig } from '../skeleton/types.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { H2hSource } from './h2h-source.ts';
import { detectedPartners } from './detected-partners-node.ts';
import { detectedLevels } from './detected-levels.ts';
import { readH2hSamples, toScene, type H2hSample } from './h2h-data-node.ts';
import { evaluateH2hPredictions, type H2hEvalResult } from './evaluate.ts';
import { PARTNER_TOKENS } from './partner-tokens.ts';

/** `pinplace h2h-train`'s options: the optimisation's own (TrainOptions, documented there) and the run's. */
export interface TrainH2hOptions extends Pick<TrainOptions, 'steps' | 'batch' | 'seed' | 'lr' | 'lrDecayAt' | 'lrFactor' | 'jparam' | 'confWeight' | 'flip'> {
  data: string;
  out: string;
  /** Architecture overrides (extraTokens is always 17). */
  model?: Partial<ModelConfig>;
  checkpointEvery: number;
  /** Wall-clock budget of the optimisation in seconds: the step schedule runs on time progress and stops at it. */
  budgetSeconds?: number;
  /** The command line, recorded in config.json. */
  command?: string;
  /** Train on the detector's view of the partners beside the exact skeletons (detected-partners-node.ts). */
  detectedPartners?: boolean;
  backbone?: Backbone;
}

/** Defaults of TrainH2hOptions (besides data/out). */
export const DEFAULT_TRAIN_H2H = {
  steps: 2000, batch: 64, seed: 1, lr: 1e-3, lrDecayAt: [0.7, 0.9], lrFactor: 10, jparam: 'code' as JParamKind,
  confWeight: 1, flip: true, checkpointEvery: 100,
};

export interface H2hTrainReport { out: string; samples: number; steps: number; resumedFrom: number; seconds: number; finalLoss: number; parameters: number; skipped: number }

/** Features and the h2h source of a data set (cached next to the data). */
export async function h2hSource(samples: H2hSample[], config: ModelConfig, backbone: Backbone, dataDir: string, o: { augment?: boolean; seed?: number; onProgress?: (d: number, n: number) => void; detected?: ReadonlyArray<Keypoint[] | null> } = {}): Promise<H2hSource> {
  const feats = await featurizeSamples(samples, backbone, config.gridSize, { cacheDir: dataDir, onProgress: o.onProgress });
  return new H2hSource(new FeatureSource(samples, feats, config), samples.map((s) => s.partner), { augment: o.augment, seed: o.seed, detected: o.detected });
}

/** Train (or resume) an h2h model on DIR (an h2h data set). */
export async function trainH2h(o: TrainH2hOptions, log: (line: string) => void = () => {}, onStep?: (s: LoopStepInfo) => void): Promise<H2hTrainReport> {
  const t0 = performance.now();
  await initBackend();
  const samples = await readH2hSamples(o.data);
  if (!samples.length) throw new UsageError(`data set ${o.data} has no person with a partner (partner_id)`);
  const backbone = o.backbone ?? await mobileNetV2Backbone(o.model?.backboneInput ?? DEFAULT_MODEL_CONFIG.backboneInput);
  const config: ModelConfig = {
    ...DEFAULT_MODEL_CONFIG, ...o.model,
    extraTokens: PARTNER_TOKENS,
    categories: ['person'],
    actions: [...new Set(samples.map((s) => s.action).filter((a): a is string => !!a))].sort(),
    imageFeatureDim: backbone.globalDim,
    objectFeatureDim: backbone.mapDim,
    backboneInput: backbone.inputSize,
  };
  let detected: Array<Keypoint[] | null> | undefined;
  if (o.detectedPartners) {
    log(`detecting the partners of ${samples.length} samples (cached next to the data)`);
    let last = 0;
    detected = await detectedPartners(samples, o.data, { onProgress: (d, n) => { if (d - last >= 200 || d === n) { last = d; log(`detected ${d}/${n} partners`); } } });
    log(`detector found ${detected.filter(Boolean).length} of ${samples.length} partners`);
  }
  log(`featurizing ${samples.length} samples with ${backbone.name}`);
  const source = await h2hSource(samples, config, backbone, o.data, { seed: o.seed, detected });
  if (!source.size) throw new UsageError(`data set ${o.data}: no partner box lies inside the new person's crop`);
  const session = await openTrainSession(o.out, config, o.steps, log, t0);
  const resume = session.resume;
  const training = (extra: Record<string, unknown>) => ({
    mode: 'h2h', data: o.data, samples: source.size, steps: o.steps, batch: o.batch, seed: o.seed, lr: o.lr,
    lr_decay_at: o.lrDecayAt, lr_factor: o.lrFactor, jparam: o.jparam, conf_weight: o.confWeight, flip: o.flip,
    backbone: backbone.name, command: o.command, detected_partners: !!o.detectedPartners, ...extra,
  });
  let last: LoopStepInfo | undefined;
  log(`training ${o.steps} steps, batch ${o.batch}, ${source.size} samples`);
  const { model, skipped, steps: done } = await trainLoop({
    budgetSeconds: o.budgetSeconds,
    config, source, steps: o.steps, batch: o.batch, lr: o.lr, lrDecayAt: o.lrDecayAt, lrFactor: o.lrFactor, seed: o.seed,
    jparam: o.jparam, confWeight: o.confWeight, flip: o.flip, resume, checkpointEvery: o.checkpointEvery,
    onStep: (s) => {
      last = s;
      onStep?.(s);
      session.logStep(s);
    },
    onCheckpoint: async (c) => {
      const seconds = Math.round(session.seconds());
      await saveModelDir(o.out, c.model, {
        training: training({ step: c.step, seconds }), optimizer: c.optimizer,
        state: { step: c.step, steps: o.steps, options: { ...o, backbone: undefined }, seconds },
      });
    },
  });
  const seconds = session.seconds();
  await saveModelDir(o.out, model, {
    training: training({ step: done, steps_done: done, budget_seconds: o.budgetSeconds, seconds: Math.round(seconds), final_loss: last?.loss, skipped_steps: skipped }),
    baseline: baselineStats(samples),
  });
  session.logDone({ done: true, steps: done, seconds: Math.round(seconds) });
  return { out: o.out, samples: source.size, steps: done, resumedFrom: resume?.step ?? 0, seconds, finalLoss: last?.loss ?? NaN, parameters: model.parameterCount, skipped };
}

export interface EvalH2hOptions {
  data: string;
  /** Samples generated per scene (the hand check uses all of them; top-N/SPD the best-ranked). [5] */
  samplesPerScene?: number;
  seed?: number;
  /**
   * Where the conditioning partner skeleton comes from: the data set's (default), the detector's, or none (every
   * joint missing: the model sees the partner's box only; measures what the skeleton tokens add).
   */
  partner?: 'data' | 'detected' | 'none';
  /** Use only the first `limit` samples. */
  limit?: number;
  /** Odd samples from the mirror image, flipped back, as `pinplace h2h` generates them. [true] */
  mirror?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** How well the detector found the partners (evaluation with `partner: 'detected'`). */
export interface PartnerDetectionStats {
  scenes: number;
  /** Scenes where a detected person matched the partner box, in %. */
  found: number;
  /** Median distance of matched joints (GT visible, detected c >= 0.3) in partner box heights. */
  medianJointError: number;
  /** Share of the partners' visible joints the detector found (c >= 0.3), in %. */
  jointRecall: number;
}

/**
 * Replace each sample's partner skeleton with the detector's (matched by the partner box), its scores on the data
 * set's levels (detected-levels.ts) as `pinplace h2h` conditions on them. A partner that is not found gets all joints
 * missing (c = 0), as h2h would refuse it and the model then sees only the box.
 */
export async function detectPartners(samples: H2hSample[]): Promise<{ samples: H2hSample[]; stats: PartnerDetectionStats }> {
  const { detect } = await import('./detect-node.ts');
  const { matchPartner } = await import('./match-partner.ts');
  const { readImage } = await import('../io/image.ts');
  const cache = new Map<string, Awaited<ReturnType<typeof detect>>>();
  let found = 0, visible = 0, recalled = 0;
  const errors: number[] = [];
  const out: H2hSample[] = [];
  for (const s of samples) {
    let d = cache.get(s.imagePath);
    if (!d) { d = await detect(await readImage(s.imagePath)); cache.set(s.imagePath, d); }
    let kps: Keypoint[];
    try {
      kps = matchPartner(d, s.partner.box).keypoints;
      found++;
    } catch {
      kps = s.partner.keypoints.map((): Keypoint => [0, 0, 0]);
    }
    const h = s.partner.box[3] - s.partner.box[1];
    s.partner.keypoints.forEach((g, j) => {
      if (!(g[2] > 0)) return;
      visible++;
      if (kps[j][2] >= 0.3) { recalled++; errors.push(Math.hypot(kps[j][0] - g[0], kps[j][1] - g[1]) / h); }
    });
    // the model's condition: the detector's scores on the data set's levels, as `pinplace h2h` gives them
    out.push({ ...s, partner: { ...s.partner, keypoints: detectedLevels(kps) } });
  }
  errors.sort((a, b) => a - b);
  return {
    samples: out,
    stats: {
      scenes: samples.length, found: samples.length ? (100 * found) / samples.length : NaN,
      medianJointError: errors.length ? errors[errors.length >> 1] : NaN,
      jointRecall: visible ? (100 * recalled) / visible : NaN,
    },
  };
}

/** Predictions (image pixels, best first) of an h2h model for every sample whose partner lies in the crop. */
export async function h2hModelPredictions(model: Diffuser, samples: H2hSample[], backbone: Backbone, dataDir: string, o: EvalH2hOptions): Promise<Array<Keypoint[][] | null>> {
  const source = await h2hSource(samples, model.config, backbone, dataDir, { augment: false });
  const N = o.samplesPerScene ?? 5;
  const out: Array<Keypoint[][] | null> = samples.map(() => null);
  const mirror = o.mirror ?? true;
  const D = 2 * PARTNER_TOKENS;
  source.base.indices.forEach((i, k) => {
    const ex = source.exact(k);
    let inputs;
    if (mirror && N > 1) {
      // as `pinplace h2h`: odd samples from the mirror image (the training flip), flipped back below
      const fx = source.exact(k, true);
      const T = ex.extra!.length;
      const extras = new Float32Array(N * T);
      for (let n = 0; n < N; n++) extras.set(n % 2 ? fx.extra! : ex.extra!, n * T);
      inputs = conditionInputs(model, Array.from({ length: N }, (_, n) => (n % 2 ? fx : ex)), extras);
    } else {
      inputs = conditionInputs(model, [ex], ex.extra);
    }
    const r = runSampler(model, inputs, { samples: N, seed: (o.seed ?? 1) + i });
    tf.dispose(Object.values(inputs));
    if (mirror && N > 1) for (let n = 1; n < N; n += 2) r.joints.set(flipJoints(r.joints.slice(n * D, (n + 1) * D)).joints, n * D);
    const ranked = rankSamples(r.joints, N, Array.from(r.confidence.subarray(0, 17)));
    const crop = source.base.feats.targets[i]!.crop;
    out[i] = ranked.joints.map((js) => fromCropUnits(crop, js.flat()).map(([x, y], j): Keypoint => [x, y, ranked.confidence[j]]));
    o.onProgress?.(k + 1, source.size);
  });
  return out;
}

/** Score per-scene predictions (null: partner outside the crop, scored as the person-box centre, i.e. a miss). */
export function scoreH2h(samples: H2hSample[], preds: Array<Keypoint[][] | null>): H2hEvalResult {
  const filled = samples.map((s, i) => {
    if (preds[i]) return preds[i]!;
    const cx = (s.personBox[0] + s.personBox[2]) / 2, cy = (s.personBox[1] + s.personBox[3]) / 2;
    return [s.keypoints.map((): Keypoint => [cx, cy, 0])];
  });
  return evaluateH2hPredictions(samples.map(toScene), filled);
}

/** Evaluate an h2h model and the mean / nearest baselines (statistics of its training set) on a held-out set. */
export async function evaluateH2h(model: Diffuser, baseline: BaselineStats | null, o: EvalH2hOptions, backbone?: Backbone): Promise<{ model: H2hEvalResult; mean?: H2hEvalResult; nearest?: H2hEvalResult; scenes: number; partnerDetection?: PartnerDetectionStats }> {
  await initBackend();
  let samples = await readH2hSamples(o.data);
  if (!samples.length) throw new UsageError(`data set ${o.data} has no person with a partner (partner_id)`);
  if (o.limit) samples = samples.slice(0, o.limit);
  const bb = backbone ?? await mobileNetV2Backbone(model.config.backboneInput);
  // the conditioning partner may come from the detector; scoring always uses the data set's partner
  const det = o.partner === 'detected' ? await detectPartners(samples) : null;
  const conditioning = o.partner === 'none'
    ? samples.map((s) => ({ ...s, partner: { ...s.partner, keypoints: s.partner.keypoints.map((): Keypoint => [0, 0, 0]) } }))
    : det?.samples ?? samples;
  const result = scoreH2h(samples, await h2hModelPredictions(model, conditioning, bb, o.data, o));
  if (!baseline) return { model: result, scenes: samples.length, ...(det ? { partnerDetection: det.stats } : {}) };
  const asBaseline = (s: H2hSample) => ({ personBox: s.personBox, objectBox: s.objectBox, category: s.category, action: s.action });
  return {
    scenes: samples.length,
    ...(det ? { partnerDetection: det.stats } : {}),
    model: result,
    mean: scoreH2h(samples, samples.map((s) => [meanBaseline(baseline, asBaseline(s))])),
    nearest: scoreH2h(samples, samples.map((s) => [nearestBaseline(baseline, asBaseline(s))])),
  };
}
