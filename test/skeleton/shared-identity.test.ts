import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { useSharedIdentity } from '../../src/tensor/shared-identity.ts';
import { matMul } from '../../src/tensor/matmul.ts';
import { layerNorm } from '../../src/skeleton/layers.ts';

await initBackend('wasm');

/** Gradients of a small taped function (matMul, LayerNorm, clone) with respect to two variables. */
function grads(w: tf.Variable, g: tf.Variable, x: tf.Tensor): number[][] {
  return tf.tidy(() => {
    const r = tf.variableGrads(() => tf.sum(tf.square(layerNorm(matMul(tf.clone(x), w), g, tf.zeros([3])))) as tf.Scalar, [w, g]);
    return [Array.from(r.grads[w.name].dataSync()), Array.from(r.grads[g.name].dataSync())];
  });
}

describe('useSharedIdentity', () => {
  it('clones without copying on wasm: same values, the clone outlives its source, gradients unchanged', () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [-1, 0.5]]);
    const w = tf.variable(tf.tensor2d([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]), true, 'si_w');
    const g = tf.variable(tf.tensor1d([1, 0.5, 2]), true, 'si_g');
    const before = grads(w, g, x);
    useSharedIdentity();
    const n0 = tf.memory().numDataBuffers;
    const a = tf.tensor1d([1, 2, 3, 4]);
    const b = tf.clone(a);
    expect(tf.memory().numDataBuffers - n0).toBe(1); // one buffer for both
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
    // a variable's clone keeps the old value after assign
    const c = tf.clone(w);
    w.assign(tf.zerosLike(w));
    expect(Array.from(c.dataSync())).toEqual([0.1, -0.2, 0.3, 0.4, 0.5, -0.6].map(Math.fround));
    w.assign(c);
    c.dispose();
    expect(grads(w, g, x)).toEqual(before);
    tf.dispose([x, w, g]);
  });
});
