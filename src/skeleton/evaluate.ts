/**
 * Model predictions for many conditions at once (evaluation) and the batched condition tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { GEOM_DIM, PBOX_DIM, personBoxFeature, tokenGeometry, type ConditionInputs, type Diffuser } from './diffuser.ts';
import { rankSamples, runSampler } from './sampler.ts';
import type { SampleFeatures, SamplerConfig } from './types.ts';

/** Stack per-sample features into condition tensors [B, ...]. */
export function conditionInputs(model: Diffuser, feats: SampleFeatures[], extra?: Float32Array): ConditionInputs {
  const c = model.config;
  const B = feats.length;
  const P0 = c.gridSize * c.gridSize;
  const g = new Float32Array(B * c.imageFeatureDim);
  const roi = new Float32Array(B * P0 * c.objectFeatureDim);
  const geom = new Float32Array(B * P0 * GEOM_DIM);
  const cat = new Float32Array(B * (c.categories.length + 1));
  const act = new Float32Array(B * (c.actions.length + 1));
  const pbox = new Float32Array(B * PBOX_DIM);
  feats.forEach((f, b) => {
    if (c.personPosition) {
      if (!f.personBox) throw new RangeError('conditionInputs(): the model expects personBox in every sample');
      pbox.set(personBoxFeature(f.personBox), b * PBOX_DIM);
    }
    g.set(f.global, b * c.imageFeatureDim);
    roi.set(f.roi, b * P0 * c.objectFeatureDim);
    geom.set(tokenGeometry(f.objectBox, c.gridSize), b * P0 * GEOM_DIM);
    cat[b * (c.categories.length + 1) + f.category] = 1;
    act[b * (c.actions.length + 1) + f.action] = 1;
  });
  return {
    global: tf.tensor2d(g, [B, c.imageFeatureDim]),
    roi: tf.tensor3d(roi, [B, P0, c.objectFeatureDim]),
    geom: tf.tensor3d(geom, [B, P0, GEOM_DIM]),
    ...(c.personPosition ? { pbox: tf.tensor2d(pbox, [B, PBOX_DIM]) } : {}),
    ...(c.categories.length ? { category: tf.tensor2d(cat, [B, c.categories.length + 1]) } : {}),
    ...(c.actions.length ? { action: tf.tensor2d(act, [B, c.actions.length + 1]) } : {}),
    ...(c.extraTokens && extra ? { extra: tf.tensor3d(extra, [B, c.extraTokens, c.embedDim]) } : {}),
  };
}

/**
 * One skeleton per condition (crop units, [B*17*2]), batched in chunks of about `chunk` skeletons. With
 * `perCondition` > 1 each condition draws that many samples and keeps the medoid (the sample closest on average to
 * the others, the one `generate` ranks first). Chunk i draws its noise from `seed + i`.
 */
export function predictSkeletons(
  model: Diffuser, feats: SampleFeatures[], seed: number, sampler?: Partial<SamplerConfig>, chunk = 256, perCondition = 1,
  /** Filled with every sample, ranked, [feats.length * perCondition * 34] (best-of-N scoring). */
  all?: Float32Array,
): Float32Array {
  const out = new Float32Array(feats.length * 34);
  const per = Math.max(1, Math.floor(perCondition));
  const step = Math.max(1, Math.floor(chunk / per));
  for (let i = 0; i < feats.length; i += step) {
    const part = feats.slice(i, i + step);
    const rep = per === 1 ? part : part.flatMap((f) => new Array<SampleFeatures>(per).fill(f));
    const inputs = conditionInputs(model, rep);
    const r = runSampler(model, inputs, { samples: rep.length, seed: seed + i, sampler, samplesPerCondition: per });
    tf.dispose(Object.values(inputs));
    if (per === 1) { out.set(r.joints, i * 34); all?.set(r.joints, i * 34); continue; }
    part.forEach((_, k) => {
      const ranked = rankSamples(r.joints.slice(k * per * 34, (k + 1) * per * 34), per, [], r.probability?.slice(k * per, (k + 1) * per));
      out.set(ranked.joints[0].flat(), (i + k) * 34);
      if (all) ranked.joints.forEach((js, m) => all.set(js.flat(), ((i + k) * per + m) * 34));
    });
  }
  return out;
}
