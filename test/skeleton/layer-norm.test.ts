import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { layerNormOp } from '../../src/tensor/layer-norm.ts';
import { lnLinearConst } from '../../src/tensor/ln-linear.ts';
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

describe('lnLinearConst', () => {
  it('value and the gradients of gamma, beta, W and b equal LayerNorm then linear, differentiated by tfjs', () => {
    const x = tf.randomNormal([6, 12], 0.5, 2, 'float32', 7);
    const g = tf.randomNormal([12], 1, 0.3, 'float32', 8), be = tf.randomNormal([12], 0, 0.3, 'float32', 9);
    const W = tf.randomNormal([12, 8], 0, 0.5, 'float32', 10), b = tf.randomNormal([8], 0, 0.3, 'float32', 11);
    const w = tf.randomNormal([6, 8], 0, 1, 'float32', 12);
    const plain = (gg: tf.Tensor, bb: tf.Tensor, WW: tf.Tensor, b2: tf.Tensor) => {
      const m = tf.mean(x, -1, true), xc = tf.sub(x, m);
      const ln = tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), 1e-5))), gg), bb);
      return tf.add(tf.matMul(ln, WW), b2);
    };
    const close = (a: ArrayLike<number>, r: ArrayLike<number>) => { for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - r[k])).toBeLessThan(1e-4 * Math.max(1, Math.abs(r[k]))); };
    close(lnLinearConst(x, g, be, W, b).dataSync(), plain(g, be, W, b).dataSync());
    const got = tf.grads((gg: tf.Tensor, bb: tf.Tensor, WW: tf.Tensor, b2: tf.Tensor) => tf.sum(tf.mul(lnLinearConst(x, gg, bb, WW, b2), w)))([g, be, W, b]);
    const ref = tf.grads((gg: tf.Tensor, bb: tf.Tensor, WW: tf.Tensor, b2: tf.Tensor) => tf.sum(tf.mul(plain(gg, bb, WW, b2), w)))([g, be, W, b]);
    got.forEach((t, i) => { expect(t.shape).toEqual(ref[i].shape); close(t.dataSync(), ref[i].dataSync()); });
  });
});
