/** Shared fixtures of the skeleton tests: a small model configuration and random condition features. */
import { DEFAULT_MODEL_CONFIG } from '../../src/skeleton/constants.ts';
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
