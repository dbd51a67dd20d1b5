/**
 * Sampling N skeletons for one condition, all N in one batched forward per iteration.
 *
 * - 'official' (default, paper §2.4 as coded): x ~ N(0, I); N_D times: x <- clamp(x); x0 = f(x, t = fixedT);
 *   x <- clamp(x0). No DDIM update, no noise re-injection.
 * - 'ddim': a DDIM walk over `iterations` evenly spaced timesteps from T-1 to 0 (eta 0 deterministic, 1 stochastic).
 * Pinned joints (skeleton editing) are imposed on x and on every x0 prediction (and, for models with a pin input,
 * given to the model as a condition), so the rest is generated
 * consistently with them (for DDIM the pinned coordinates of x_t are the pins diffused to t).
 * Models with K pose hypotheses (ModelConfig.hypotheses): each sample follows one candidate, chosen at the first
 * iteration from the selector's logits: the i-th sample of a condition takes its (i mod K)-th most probable one.
 * Ranking: the more probable hypothesis first, then samples closest to the others (the medoid of the N samples leads).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SAMPLER_CONFIG } from './constants.ts';
import { conditionFrames, hypothesisCount, withPins, type Condition, type ConditionInputs, type Diffuser } from './diffuser.ts';
import { smallBatchDenoiser, type ConditionRow, type PreparedCondition, type SmallBatchDenoiser } from './small-batch.ts';
import { gaussian, mulberry32 } from './layers.ts';
import { applyX0Skip, cosineAlphaBar } from './schedule.ts';
import { NUM_JOINTS } from './topology.ts';
import { fromJointSpace, isIdentity, toJointSpace } from './calculators/joint-space.ts';
import type { SampledSkeletons, SamplerConfig } from './types.ts';
import { UsageError } from '../errors.ts';

/** Fill the sampler defaults and check ranges (one-line errors). */
export function validateSamplerConfig(c: Partial<SamplerConfig> = {}): SamplerConfig {
  const s = { ...DEFAULT_SAMPLER_CONFIG, ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) } as SamplerConfig;
  if (s.kind !== 'official' && s.kind !== 'ddim') throw new UsageError(`sampler must be official or ddim, got "${s.kind}"`);
  if (!Number.isInteger(s.iterations) || s.iterations < 1 || s.iterations > 1000) throw new UsageError(`sampler iterations must be an integer in [1, 1000], got ${s.iterations}`);
  if (!Number.isInteger(s.fixedT) || s.fixedT < 0 || s.fixedT > 999) throw new UsageError(`sampler fixedT must be an integer in [0, 999], got ${s.fixedT}`);
  if (!(s.eta >= 0 && s.eta <= 1)) throw new UsageError(`sampler eta must be in [0, 1], got ${s.eta}`);
  return s;
}

/** A pin in crop units. */
export interface CropPin { joint: number; u: number; v: number }

export interface SampleOptions {
  samples: number;
  seed: number;
  sampler?: Partial<SamplerConfig>;
  pins?: CropPin[];
  /**
   * Which implementation denoises: 'small' (typed arrays and a SIMD kernel, src/skeleton/small-batch.ts), 'tensor'
   * (batched tensor ops) or 'auto' (default: 'small' up to SMALL_BATCH_MAX samples of one condition, or
   * SMALL_BATCH_MAX_CONDITIONS samples with a condition each, when the model supports it).
   * Both compute the same function; the choice only changes speed.
   */
  path?: 'auto' | 'small' | 'tensor';
  /**
   * For models with hypotheses: how many consecutive samples share a condition (they spread over the hypotheses,
   * the most probable first). Default: all N when the condition batch is 1, else 1 (each sample its best).
   */
  samplesPerCondition?: number;
}

/**
 * Largest number of samples denoised by the small-batch path under 'auto' (measured crossover with the tensor path
 * on the 2-core machine: about 64 samples of one condition; about 14 with a condition each, which are prepared
 * one by one).
 */
export const SMALL_BATCH_MAX = 32;
export const SMALL_BATCH_MAX_CONDITIONS = 12;

/**
 * Sample `samples` skeletons (crop units) for one condition (`inputs` with batch 1), ranked. Deterministic for a seed.
 */
export function sampleSkeletons(model: Diffuser, inputs: ConditionInputs, o: SampleOptions): SampledSkeletons {
  const r = runSampler(model, inputs, o);
  return rankSamples(r.joints, o.samples, Array.from(r.confidence.subarray(0, NUM_JOINTS)), r.probability);
}

/**
 * The small-batch path's conditions, made on typed arrays from the input rows (SmallBatchDenoiser.prepare): one per
 * distinct input row (rows compared by value), and the confidence of every row [B*17].
 */
function smallConditions(sb: SmallBatchDenoiser, inputs: ConditionInputs, B: number): { conds: PreparedCondition[]; confidence: Float32Array } {
  const data = Object.entries(inputs).filter(([, t]) => t).map(([k, t]) => { const a = (t as tf.Tensor).dataSync() as Float32Array; return [k, a, a.length / B] as const; });
  const row = (i: number) => Object.fromEntries(data.map(([k, a, w]) => [k, a.subarray(i * w, (i + 1) * w)])) as unknown as ConditionRow;
  const same = (i: number, j: number) => data.every(([, a, w]) => { for (let k = 0; k < w; k++) if (a[i * w + k] !== a[j * w + k]) return false; return true; });
  const firstOf: number[] = [];
  const prepared = new Map<number, { cond: PreparedCondition; conf: Float32Array }>();
  const conds: PreparedCondition[] = [];
  const confidence = new Float32Array(B * NUM_JOINTS);
  for (let i = 0; i < B; i++) {
    const j = firstOf.find((k) => same(k, i));
    if (j === undefined) {
      firstOf.push(i);
      prepared.set(i, sb.prepare(row(i)));
    }
    const p = prepared.get(j ?? i)!;
    conds.push(p.cond);
    confidence.set(p.conf, i * NUM_JOINTS);
  }
  return { conds, confidence };
}

/**
 * The denoising loop, unranked: with `inputs` of batch 1 all `samples` share the condition; with batch equal to
 * `samples` sample i uses condition i (batched evaluation). Returns joints [samples*17*2] and confidence [batch*17].
 * The loop itself runs on typed arrays in float32 (the element-wise steps round like tensor ops); each iteration's
 * x0 prediction comes from the small-batch path or from one batched Diffuser.denoise.
 */
export function runSampler(model: Diffuser, inputs: ConditionInputs, o: SampleOptions): SamplerResult {
  const sc = validateSamplerConfig(o.sampler);
  const N = o.samples;
  const D = NUM_JOINTS * 2;
  const B = inputs.global.shape[0];
  if (B !== 1 && B !== N) throw new RangeError(`runSampler(): the condition batch must be 1 or the number of samples (${N}), got ${B}`);
  const rand = mulberry32(o.seed >>> 0);
  const noise = (n: number): Float32Array => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = gaussian(rand); return a; };
  const pinned = new Uint8Array(D), pinVal = new Float32Array(D);
  for (const p of o.pins ?? []) { pinned[2 * p.joint] = pinned[2 * p.joint + 1] = 1; pinVal[2 * p.joint] = p.u; pinVal[2 * p.joint + 1] = p.v; }
  const hasPins = (o.pins?.length ?? 0) > 0;
  const K = hypothesisCount(model.config);
  const perCondition = Math.max(1, o.samplesPerCondition ?? (B === 1 ? N : 1));
  let choice: Int32Array | null = null;
  let probability: Float32Array | undefined;
  const alphaBar = cosineAlphaBar(model.config.timesteps);
  const T = model.config.timesteps;
  const ts = sc.kind === 'official'
    ? new Array<number>(sc.iterations).fill(sc.fixedT)
    : Array.from({ length: sc.iterations }, (_, i) => Math.round(((T - 1) * (sc.iterations - 1 - i)) / Math.max(1, sc.iterations - 1)));
  const f = Math.fround;
  const clampV = f(sc.clamp);
  const clamp = (a: Float32Array): Float32Array => { for (let k = 0; k < a.length; k++) a[k] = a[k] < -clampV ? -clampV : a[k] > clampV ? clampV : a[k]; return a; };
  /** Set the pinned coordinates of every sample of `a` [N*D] to those of `v` [N*D]. */
  const impose = (a: Float32Array, v: Float32Array): Float32Array => {
    if (hasPins) for (let s = 0; s < N; s++) for (let k = 0; k < D; k++) if (pinned[k]) a[s * D + k] = v[s * D + k];
    return a;
  };
  // one tidy for the call: the condition lives through the loop, each tensor-path iteration tidies its own ops
  let result: SamplerResult | undefined;
  tf.tidy(() => {
    // models trained with a pin input also see the pins as a condition (the rest of the skeleton follows them)
    if (hasPins && model.config.pinInput) inputs = withPins(inputs, o.pins!);
    // the loop runs in the model's joint space (calculators/joint-space.ts); pins go there, results come back
    const frames = conditionFrames(model.config, inputs);
    const pinZ = hasPins ? toJointSpace(frames, tile(pinVal, N)) : pinVal;
    const wantSmall = o.path === 'small' || (o.path !== 'tensor' && N <= (B === 1 ? SMALL_BATCH_MAX : SMALL_BATCH_MAX_CONDITIONS));
    if (o.path === 'small' && model.config.attention !== 'associative') throw new RangeError('runSampler(): the small-batch path needs the associative attention');
    // the network: x0 [N*D], or with hypotheses all K candidates [K*N*D] and the selector's logits [N*K]
    let net: (x: Float32Array, t: number) => { y: Float32Array; logits?: Float32Array };
    let confidence: Float32Array;
    if (wantSmall && model.config.attention === 'associative') {
      // the condition and every iteration on typed arrays (small-batch.ts), no tensor op
      const sb = smallBatchDenoiser(model);
      const small = smallConditions(sb, inputs, B);
      confidence = small.confidence;
      net = (x, t) => {
        const logits = K > 1 ? new Float32Array(N * K) : undefined;
        return { y: sb.denoise(x, N, sb.timeEmbedding(t), small.conds, undefined, logits), logits };
      };
    } else {
      const cond: Condition = model.condition(inputs, B === 1);
      confidence = Float32Array.from(cond.conf.dataSync() as Float32Array);
      const uniq = [...new Set(ts)];
      const tembT = model.timeEmbedding(uniq);
      const tIndex = new Map(uniq.map((t, i) => [t, i]));
      net = (x, t) => {
        const u = tIndex.get(t)!;
        const ys = tf.tidy(() => {
          const r = model.denoise(tf.tensor3d(x, [N, NUM_JOINTS, 2]), cond, tf.slice(tembT, [u], [1]));
          return K > 1 ? [r.hypotheses!, r.logits!] : [r.x0];
        });
        const out = { y: Float32Array.from(ys[0].dataSync() as Float32Array), logits: K > 1 ? Float32Array.from(ys[1].dataSync() as Float32Array) : undefined };
        tf.dispose(ys);
        return out;
      };
    }
    let predict = (x: Float32Array, t: number): Float32Array => {
      const { y, logits } = net(x, t);
      if (K === 1) return y;
      // each sample follows the candidate chosen for it at the first iteration
      if (!choice) ({ choice, probability } = chooseHypotheses(logits!, N, K, perCondition));
      const out = new Float32Array(N * D);
      for (let s = 0; s < N; s++) out.set(y.subarray((choice[s] * N + s) * D, (choice[s] * N + s + 1) * D), s * D);
      return out;
    };
    if (model.config.x0Skip) {
      // x0 = skip(t) x_t + out(t) F (schedule.ts skipCoefficients)
      const chosen = predict;
      predict = (x, t) => applyX0Skip(x, chosen(x, t), alphaBar[t]);
    }
    let x: Float32Array = noise(N * D);
    if (sc.kind === 'official') {
      for (let i = 0; i < sc.iterations; i++) {
        x = impose(clamp(x), pinZ);
        x = impose(clamp(predict(x, sc.fixedT)), pinZ);
      }
    } else {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i];
        const ab = alphaBar[t];
        const abPrev = i + 1 < ts.length ? alphaBar[ts[i + 1]] : 1;
        if (hasPins) {
          const nz = noise(D);
          const sa = f(Math.sqrt(ab)), sn = f(Math.sqrt(1 - ab));
          impose(x, pinZ.map((v, k) => f(f(v * sa) + f(nz[k % D] * sn))));
        }
        clamp(x);
        const x0 = impose(clamp(predict(x, t)), pinZ);
        if (i + 1 === ts.length) { x = x0; break; }
        const sigma = sc.eta * Math.sqrt(((1 - abPrev) / (1 - ab)) * (1 - ab / abPrev));
        const sab = f(Math.sqrt(ab)), s1ab = f(Math.sqrt(1 - ab)), sPrev = f(Math.sqrt(abPrev));
        const sDir = f(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma)));
        for (let k = 0; k < x.length; k++) {
          const eps = f(f(x[k] - f(x0[k] * sab)) / s1ab);
          x[k] = f(f(x0[k] * sPrev) + f(eps * sDir));
        }
        if (sigma > 0) {
          const nz = noise(N * D);
          const fs = f(sigma);
          for (let k = 0; k < x.length; k++) x[k] = f(x[k] + f(nz[k] * fs));
        }
      }
    }
    // back to crop units, the pins exactly where they were asked for
    const joints = isIdentity(frames) ? x : impose(fromJointSpace(frames, x), tile(pinVal, N));
    result = { joints, confidence, ...(probability ? { probability } : {}) };
  });
  return result!;
}

/** runSampler's result: joints [samples*17*2] (crop units), confidence [batch*17]. */
export interface SamplerResult {
  joints: Float32Array;
  confidence: Float32Array;
  /** For models with hypotheses: the selector's probability of each sample's candidate [samples]. */
  probability?: Float32Array;
}

/**
 * Per sample, the candidate it follows: sample s is number i = s mod `perCondition` of its condition and takes the
 * condition's (i mod K)-th most probable candidate. The order comes from the logits [N*K] of the condition's first
 * sample, for all its samples (each sample's own x_t moves the logits a little, and near a tie two samples would
 * otherwise take the same candidate). Also the probability of each sample's candidate.
 */
export function chooseHypotheses(logits: Float32Array, N: number, K: number, perCondition: number): { choice: Int32Array; probability: Float32Array } {
  const choice = new Int32Array(N), probability = new Float32Array(N);
  for (let s = 0; s < N; s++) {
    const first = s - (s % perCondition);
    const l = logits.subarray(first * K, (first + 1) * K);
    const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => l[b] - l[a] || a - b);
    const k = order[(s % perCondition) % K];
    const max = l[order[0]];
    let sum = 0;
    for (let j = 0; j < K; j++) sum += Math.exp(l[j] - max);
    choice[s] = k;
    probability[s] = Math.exp(l[k] - max) / sum;
  }
  return { choice, probability };
}

/** `n` copies of `a` one after the other. */
function tile(a: Float32Array, n: number): Float32Array {
  const out = new Float32Array(a.length * n);
  for (let i = 0; i < n; i++) out.set(a, i * a.length);
  return out;
}

/**
 * Order N samples [N*17*2] by `prior` (largest first; the probability of each sample's hypothesis), then by mean
 * joint distance to the other samples (smallest first).
 */
export function rankSamples(xs: Float32Array, N: number, confidence: number[], prior?: ArrayLike<number>): SampledSkeletons {
  const D = NUM_JOINTS * 2;
  const score = new Array<number>(N).fill(0);
  for (let a = 0; a < N; a++) {
    for (let b = a + 1; b < N; b++) {
      let d = 0;
      for (let j = 0; j < NUM_JOINTS; j++) d += Math.hypot(xs[a * D + 2 * j] - xs[b * D + 2 * j], xs[a * D + 2 * j + 1] - xs[b * D + 2 * j + 1]);
      d /= NUM_JOINTS;
      score[a] -= d; score[b] -= d;
    }
  }
  const order = score.map((_, i) => i).sort((a, b) => (prior ? prior[b] - prior[a] : 0) || score[b] - score[a] || a - b);
  return {
    joints: order.map((i) => Array.from({ length: NUM_JOINTS }, (_, j) => [xs[i * D + 2 * j], xs[i * D + 2 * j + 1]])),
    confidence,
    scores: order.map((i) => (N > 1 ? score[i] / (N - 1) : 0)),
  };
}
