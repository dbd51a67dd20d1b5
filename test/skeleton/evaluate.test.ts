import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend.ts';
import { predictSkeletons } from '../../src/skeleton/evaluate.ts';
import { feats, randomModel, small } from './fixtures.ts';

await initBackend('wasm');

describe('predictSkeletons', () => {
  const c = small('associative', { hypotheses: 2, hypothesisAssign: 'hand' });
  const model = randomModel(c, 5);
  const f = feats(11, 3, c);

  it('returns the ranked-first sample per condition and, when asked, all of them in rank order', () => {
    const all = new Float32Array(3 * 4 * 34);
    const first = predictSkeletons(model, f, 1, undefined, 256, 4, all);
    expect(first).toHaveLength(3 * 34);
    for (let k = 0; k < 3; k++) {
      expect(Array.from(all.subarray(k * 4 * 34, k * 4 * 34 + 34))).toEqual(Array.from(first.subarray(k * 34, (k + 1) * 34)));
      // four real draws, not copies of the first
      const poses = new Set(Array.from({ length: 4 }, (_, m) => Array.from(all.subarray((k * 4 + m) * 34, (k * 4 + m + 1) * 34)).join()));
      expect(poses.size).toBeGreaterThan(1);
    }
    // without the buffer, the same first samples
    expect(Array.from(predictSkeletons(model, f, 1, undefined, 256, 4))).toEqual(Array.from(first));
  });

  it('with one sample per condition fills the buffer with the same samples', () => {
    const all = new Float32Array(3 * 34);
    const first = predictSkeletons(model, f, 1, undefined, 256, 1, all);
    expect(Array.from(all)).toEqual(Array.from(first));
  });
});
