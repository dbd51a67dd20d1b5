import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { layerNormOp } from '../../src/tensor/layer-norm.ts';
import { setSimdEnabled } from '../../src/tensor/simd-gemm.ts';

await initBackend('wasm');

/** The formula differentiated by tfjs. */
const plain = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number) => {
  const m = tf.mean(x, -1, true);
  const xc = tf.sub(x, m);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps))), g), b);
};

describe('layerNormOp', () => {
  it.each([[[3, 5, 8], true], [[4, 6], false], [[2, 7], true]] as Array<[number[], boolean]>)('value and gradients equal the differentiated formula: shape %j, SIMD %s', (shape, simd) => {
    setSimdEnabled(simd);
    try {
      const C = shape[shape.length - 1];
      const x = tf.randomNormal(shape, 0.3, 2, 'float32', 1);
      const g = tf.randomNormal([C], 1, 0.3, 'float32', 2), b = tf.randomNormal([C], 0, 0.3, 'float32', 3);
      const w = tf.randomNormal(shape, 0, 1, 'float32', 4);
      for (const eps of [1e-5, 1e-6]) {
        const f = (ln: typeof plain) => tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(ln(a, gg, bb, eps), w)));
        const got = f(layerNormOp)([x, g, b]), ref = f(plain)([x, g, b]);
        expect(Array.from(layerNormOp(x, g, b, eps).dataSync()).map((v, i) => Math.abs(v - plain(x, g, b, eps).dataSync()[i])).every((d) => d < 1e-5)).toBe(true);
        got.forEach((t, i) => {
          const a = t.dataSync(), r = ref[i].dataSync();
          expect(t.shape).toEqual(ref[i].shape);
          for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - r[k])).toBeLessThan(1e-4 * Math.max(1, Math.abs(r[k])));
        });
      }
    } finally {
      setSimdEnabled(true);
    }
  });
});
