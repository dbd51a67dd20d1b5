import { describe, expect, it } from 'vitest';
import { jointWeights } from '../../src/skeleton/loss.ts';
import { cosineAlphaBar, timestepEmbedding } from '../../src/skeleton/schedule.ts';

describe('J_param joint weights', () => {
  // joints on a diagonal; object box centred on joint 0
  const joints = new Float32Array(34);
  for (let j = 0; j < 17; j++) { joints[2 * j] = 0.1 + j * 0.04; joints[2 * j + 1] = 0.1 + j * 0.04; }
  const mask = new Float32Array(17).fill(1);
  mask[16] = 0;
  const box = [0.05, 0.05, 0.15, 0.15];
  const cases = [
    { kind: 'code' as const, lambda: 100 },
    { kind: 'paper' as const, lambda: 1e4 },
  ];
  for (const c of cases) {
    it(`${c.kind}: sums to lambda over valid joints, 0 for masked, decreasing with distance`, () => {
      const h = jointWeights(joints, mask, box, c.kind);
      expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(c.lambda, 2);
      expect(h[16]).toBe(0);
      for (let j = 1; j < 16; j++) expect(h[j]).toBeLessThanOrEqual(h[j - 1]);
    });
  }
  it('code: softmax(20/d) with d in 256-crop pixels', () => {
    const h = jointWeights(joints, mask, box, 'code');
    const d = (j: number) => Math.hypot(joints[2 * j] * 256 - 25.6, joints[2 * j + 1] * 256 - 25.6);
    const e = Array.from({ length: 16 }, (_, j) => Math.exp(20 / Math.max(1e-3, d(j))));
    const s = e.reduce((a, b) => a + b, 0);
    expect(h[5]).toBeCloseTo((100 * e[5]) / s, 4);
  });
  it('mix blends J_param with uniform weights of the same total', () => {
    const full = jointWeights(joints, mask, box, 'code', 100, 1);
    const uni = jointWeights(joints, mask, box, 'code', 100, 0);
    const half = jointWeights(joints, mask, box, 'code', 100, 0.5);
    expect(uni[3]).toBeCloseTo(100 / 16, 5);
    expect(half[0]).toBeCloseTo((full[0] + uni[0]) / 2, 5);
    expect(half.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 3);
  });
  it('none: plain L1 weights (1 on valid joints)', () => {
    const h = jointWeights(joints, mask, box, 'none');
    expect(Array.from(h.slice(0, 16))).toEqual(new Array(16).fill(1));
    expect(h[16]).toBe(0);
  });
});

describe('cosine schedule', () => {
  const ab = cosineAlphaBar(1000);
  it('matches the reference value alpha-bar_100 = 0.9716', () => expect(ab[100]).toBeCloseTo(0.9716, 3));
  it('decreases monotonically to near 0', () => {
    for (let t = 1; t < 1000; t++) expect(ab[t]).toBeLessThan(ab[t - 1]);
    expect(ab[999]).toBeLessThan(1e-3);
  });
  it('timestep embedding is sin/cos of t', () => {
    const e = timestepEmbedding([0, 100], 8);
    expect(Array.from(e.slice(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(e[8]).toBeCloseTo(Math.sin(100), 5);
    expect(e[12]).toBeCloseTo(Math.cos(100), 5);
  });
});
