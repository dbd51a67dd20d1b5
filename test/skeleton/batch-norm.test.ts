import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { batchNormTrain } from '../../src/tensor/batch-norm.ts';
import { setSimdEnabled } from '../../src/tensor/simd-gemm.ts';

await initBackend('wasm');

describe('batchNormTrain', () => {
  it.each([[12, true], [12, false], [10, true]])('value, batch statistics and gradients equal tf.moments + normalisation differentiated by tfjs: %i columns, SIMD %s', (C, simd) => {
    setSimdEnabled(simd);
    try { check(C); } finally { setSimdEnabled(true); }
  });
  function check(C: number): void {
    const a = tf.add(tf.mul(tf.randomNormal([37, C], 0, 1, 'float32', 1), 3), 0.5);
    const g = tf.randomNormal([C], 1, 0.3, 'float32', 2), b = tf.randomNormal([C], 0, 0.3, 'float32', 3);
    const w = tf.randomNormal([37, C], 0, 1, 'float32', 4);
    const plain = (x: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const m = tf.moments(x, 0);
      return tf.add(tf.mul(tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-5))), gg), bb);
    };
    const r = batchNormTrain(a, g, b, 1e-5);
    const m = tf.moments(a, 0);
    const close = (x: ArrayLike<number>, y: ArrayLike<number>, tol: number) => { for (let k = 0; k < x.length; k++) expect(Math.abs(x[k] - y[k])).toBeLessThan(tol * Math.max(1, Math.abs(y[k]))); };
    close(r.y.dataSync(), plain(a, g, b).dataSync(), 1e-5);
    close(r.mean.dataSync(), m.mean.dataSync(), 1e-5);
    close(r.variance.dataSync(), m.variance.dataSync(), 1e-5);
    const got = tf.grads((x: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(x, gg, bb, 1e-5).y, w)))([a, g, b]);
    const ref = tf.grads((x: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(plain(x, gg, bb), w)))([a, g, b]);
    got.forEach((t, i) => { expect(t.shape).toEqual(ref[i].shape); close(t.dataSync(), ref[i].dataSync(), 1e-4); });
  }
});
