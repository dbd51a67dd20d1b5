/** Shared fixtures of the skeleton tests: a small model configuration, random condition features, a random model. */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_MODEL_CONFIG } from '../../src/skeleton/constants.ts';
import { Diffuser } from '../../src/skeleton/diffuser.ts';
import { mulberry32 } from '../../src/random.ts';
import type { AttentionKind, ModelConfig, SampleFeatures } from '../../src/skeleton/types.ts';

/** A tiny model configuration (fast on cpu and wasm) with the given attention. */
export const small = (attention: AttentionKind, extra: Partial<ModelConfig> = {}): ModelConfig => ({
  ...DEFAULT_MODEL_CONFIG, embedDim: 16, heads: 4, depth: 1, gridSize: 2, imageFeatureDim: 8, objectFeatureDim: 4,
  objectHidden: 8, categories: ['cup', 'chair'], actions: ['hold'], attention, ...extra,
});

/** `n` seeded random condition features for config `c`. */
export function feats(seed: number, n: number, c: ModelConfig): SampleFeatures[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => ({
    global: Float32Array.from({ length: c.imageFeatureDim }, () => r() * 2 - 1),
    roi: Float32Array.from({ length: c.gridSize ** 2 * c.objectFeatureDim }, () => r() * 2 - 1),
    objectBox: [0.2 + r() * 0.2, 0.3, 0.6, 0.7 + r() * 0.2] as [number, number, number, number],
    category: 1, action: 1,
  }));
}

/** A model whose every weight (and BatchNorm statistic) is random, so no folded term is trivially zero. */
export function randomModel(c: ModelConfig, seed: number): Diffuser {
  const m = new Diffuser(c, seed);
  let s = seed * 7919;
  for (const [name, v] of m.params.entries()) {
    const r = name === 'oa.bn.var' ? tf.add(tf.randomUniform(v.shape, 0.5, 2, 'float32', ++s), 0) : tf.randomNormal(v.shape, name.endsWith('.g') ? 1 : 0, name === 'oa.W' ? 0.05 : 0.2, 'float32', ++s);
    v.assign(r);
    r.dispose();
  }
  return m;
}
