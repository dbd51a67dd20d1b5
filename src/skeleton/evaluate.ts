/**
 * Model predictions for many conditions at once (evaluation) and the batched condition tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { GEOM_DIM, tokenGeometry, type ConditionInputs, type Diffuser } from './diffuser.ts';
import { runSampler } from './sampler.ts';
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
  feats.forEach((f, b) => {
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
    ...(c.categories.length ? { category: tf.tensor2d(cat, [B, c.categories.length + 1]) } : {}),
    ...(c.actions.length ? { action: tf.tensor2d(act, [B, c.actions.length + 1]) } : {}),
    ...(c.extraTokens && extra ? { extra: tf.tensor3d(extra, [B, c.extraTokens, c.embedDim]) } : {}),
  };
}

/**
 * One skeleton per condition (crop units, [B*17*2]), batched in chunks of `chunk`. Sample i of a chunk uses
 * noise from `seed + chunkStart`, so results do not depend on the chunk size... per chunk only.
 */
export function predictSkeletons(model: Diffuser, feats: SampleFeatures[], seed: number, sampler?: Partial<SamplerConfig>, chunk = 256): Float32Array {
  const out = new Float32Array(feats.length * 34);
  for (let i = 0; i < feats.length; i += chunk) {
    const part = feats.slice(i, i + chunk);
    const inputs = conditionInputs(model, part);
    const r = runSampler(model, inputs, { samples: part.length, seed: seed + i, sampler });
    tf.dispose(Object.values(inputs));
    out.set(r.joints, i * 34);
  }
  return out;
}
