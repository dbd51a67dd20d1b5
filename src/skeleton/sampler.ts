/**
 * Sampling N skeletons for one condition, all N in one batched forward per iteration.
 *
 * - 'official' (default, paper §2.4 as coded): x ~ N(0, I); N_D times: x <- clamp(x); x0 = f(x, t = fixedT);
 *   x <- clamp(x0). No DDIM update, no noise re-injection.
 * - 'ddim': a DDIM walk over `iterations` evenly spaced timesteps from T-1 to 0 (eta 0 deterministic, 1 stochastic).
 * Pinned joints (skeleton editing) are imposed on x and on every x0 prediction, so the rest is generated
 * consistently with them (for DDIM the pinned coordinates of x_t are the pins diffused to t).
 * Ranking: samples closest to the others first (the medoid of the N samples leads).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SAMPLER_CONFIG } from './constants.ts';
import type { ConditionInputs, Diffuser } from './diffuser.ts';
import { gaussian, mulberry32 } from './layers.ts';
import { cosineAlphaBar } from './schedule.ts';
import { NUM_JOINTS } from './topology.ts';
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
}

/**
 * Sample `samples` skeletons (crop units) for one condition (`inputs` with batch 1), ranked. Deterministic for a seed.
 */
export function sampleSkeletons(model: Diffuser, inputs: ConditionInputs, o: SampleOptions): SampledSkeletons {
  const r = runSampler(model, inputs, o);
  return rankSamples(r.joints, o.samples, Array.from(r.confidence.subarray(0, NUM_JOINTS)));
}

/**
 * The denoising loop, unranked: with `inputs` of batch 1 all `samples` share the condition; with batch equal to
 * `samples` sample i uses condition i (batched evaluation). Returns joints [samples*17*2] and confidence [batch*17].
 */
export function runSampler(model: Diffuser, inputs: ConditionInputs, o: SampleOptions): { joints: Float32Array; confidence: Float32Array } {
  const sc = validateSamplerConfig(o.sampler);
  const N = o.samples;
  const D = NUM_JOINTS * 2;
  const rand = mulberry32(o.seed >>> 0);
  const noise = (n: number) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = gaussian(rand); return a; };
  const pinMask = new Float32Array(D), pinVal = new Float32Array(D);
  for (const p of o.pins ?? []) { pinMask[2 * p.joint] = pinMask[2 * p.joint + 1] = 1; pinVal[2 * p.joint] = p.u; pinVal[2 * p.joint + 1] = p.v; }
  const hasPins = (o.pins?.length ?? 0) > 0;
  const alphaBar = cosineAlphaBar(model.config.timesteps);
  const T = model.config.timesteps;
  const out = tf.tidy(() => {
    const cond = model.condition(inputs, inputs.global.shape[0] === 1);
    const pm = tf.tensor3d(pinMask, [1, NUM_JOINTS, 2]);
    const pv = tf.tensor3d(pinVal, [1, NUM_JOINTS, 2]);
    const keep = tf.sub(1, pm);
    const impose = (x: tf.Tensor, v: tf.Tensor = pv) => (hasPins ? tf.add(tf.mul(x, keep), tf.mul(v, pm)) : x);
    let x: tf.Tensor = tf.tensor3d(noise(N * D), [N, NUM_JOINTS, 2]);
    if (sc.kind === 'official') {
      const temb = model.timeEmbedding([sc.fixedT]);
      for (let i = 0; i < sc.iterations; i++) {
        x = impose(tf.clipByValue(x, -sc.clamp, sc.clamp));
        const x0 = model.denoise(x, cond, temb).x0;
        x = impose(tf.clipByValue(x0, -sc.clamp, sc.clamp));
      }
    } else {
      const ts = Array.from({ length: sc.iterations }, (_, i) => Math.round(((T - 1) * (sc.iterations - 1 - i)) / Math.max(1, sc.iterations - 1)));
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i];
        const ab = alphaBar[t];
        const abPrev = i + 1 < ts.length ? alphaBar[ts[i + 1]] : 1;
        if (hasPins) x = impose(x, tf.add(tf.mul(pv, Math.sqrt(ab)), tf.mul(tf.tensor3d(noise(D), [1, NUM_JOINTS, 2]), Math.sqrt(1 - ab))));
        x = tf.clipByValue(x, -sc.clamp, sc.clamp);
        const x0 = impose(tf.clipByValue(model.denoise(x, cond, model.timeEmbedding([t])).x0, -sc.clamp, sc.clamp));
        if (i + 1 === ts.length) { x = x0; break; }
        const eps = tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(ab))), Math.sqrt(1 - ab));
        const sigma = sc.eta * Math.sqrt(((1 - abPrev) / (1 - ab)) * (1 - ab / abPrev));
        x = tf.add(tf.mul(x0, Math.sqrt(abPrev)), tf.mul(eps, Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))));
        if (sigma > 0) x = tf.add(x, tf.mul(tf.tensor3d(noise(N * D), [N, NUM_JOINTS, 2]), sigma));
      }
    }
    return [x, cond.conf] as tf.Tensor[];
  });
  const joints = out[0].dataSync() as Float32Array;
  const confidence = out[1].dataSync() as Float32Array;
  tf.dispose(out);
  return { joints, confidence };
}

/** Order N samples [N*17*2] by mean joint distance to the other samples (smallest first). */
export function rankSamples(xs: Float32Array, N: number, confidence: number[]): SampledSkeletons {
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
  const order = score.map((_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  return {
    joints: order.map((i) => Array.from({ length: NUM_JOINTS }, (_, j) => [xs[i * D + 2 * j], xs[i * D + 2 * j + 1]])),
    confidence,
    scores: order.map((i) => (N > 1 ? score[i] / (N - 1) : 0)),
  };
}
