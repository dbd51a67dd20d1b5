import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { CompactCnn, spaceToDepth } from '../../src/skeleton/compact-cnn.ts';
import { roiAlign, roiAlignMatrix } from '../../src/skeleton/calculators/roi-align.ts';
import { mulberry32 } from '../../src/random.ts';

await initBackend('wasm');

describe('roiAlignMatrix', () => {
  const h = 6, w = 5, C = 3;
  const rand = mulberry32(7);
  const map = Float32Array.from({ length: h * w * C }, () => rand() * 2 - 1);
  it.each([
    { box: [0.5, 0.5, 4.2, 5.1], g: 2 },
    { box: [-0.8, 1, 3, 6.5], g: 3 }, // partly outside the map
    { box: [1.25, 2.5, 1.75, 3], g: 4 }, // smaller than a cell
  ])('matrix x map equals roiAlign for box $box, grid $g', ({ box, g }) => {
    const W = roiAlignMatrix(h, w, box, g, 2);
    const ref = roiAlign(map, h, w, C, box, g, 2);
    const got = new Float32Array(g * g * C);
    for (let t = 0; t < g * g; t++) for (let p = 0; p < h * w; p++) for (let c = 0; c < C; c++) got[t * C + c] += W[t * h * w + p] * map[p * C + c];
    for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i], 5);
  });
});

describe('CompactCnn', () => {
  it('spaceToDepth puts each p x p patch in one pixel, row-major within the patch', () => {
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    const y = spaceToDepth(x, 2);
    expect(y.shape).toEqual([1, 2, 2, 4]);
    expect(Array.from(y.dataSync())).toEqual([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  });

  it('gives the mid map at stride 8 and the global feature, with a gradient for every weight on wasm', () => {
    const cnn = new CompactCnn({ inputSize: 32, channels: [8, 12] }, 3);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const f = cnn.forward(x);
    expect(f.map.shape).toEqual([2, 4, 4, 8]);
    expect(f.global.shape).toEqual([2, 12]);
    const vars = [...cnn.params.vars.values()];
    const { grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(cnn.forward(x).global)), tf.sum(cnn.forward(x).map)) as tf.Scalar, vars);
    expect(Object.keys(grads)).toHaveLength(vars.length);
    for (const g of Object.values(grads)) {
      const d = g.dataSync();
      expect(d.every(Number.isFinite)).toBe(true);
      expect(d.some((v) => v !== 0)).toBe(true);
    }
    const bb = cnn.asBackbone();
    expect([bb.inputSize, bb.mapSize, bb.mapDim, bb.globalDim]).toEqual([32, 4, 8, 12]);
  });
});
