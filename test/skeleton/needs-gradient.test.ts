import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { markConstant, matMul, needsGradient } from '../../src/tensor/matmul.ts';

await initBackend('wasm');

describe('needsGradient / markConstant', () => {
  it('skips only declared constants and what is computed from them alone; gradients stay those of tf.matMul', () => {
    const w = tf.variable(tf.randomNormal([5, 3], 0, 1, 'float32', 1), true, 'ng_w');
    const c = tf.randomNormal([4, 5], 0, 1, 'float32', 2);
    const u = tf.randomNormal([3, 2], 0, 1, 'float32', 3);
    markConstant(c);
    const seen: Record<string, boolean> = {};
    const got = tf.variableGrads(() => {
      const c2 = tf.reshape(tf.transpose(tf.transpose(c)), [4, 5]); // from a constant alone
      const c3 = tf.mul(c, 2); // the scalar 2 is an undeclared tensor: conservatively may need a gradient
      const h = matMul(c2, w);
      const y = matMul(h, u); // u: not declared, may need a gradient
      seen.c = needsGradient(c); seen.c2 = needsGradient(c2); seen.c3 = needsGradient(c3); seen.w = needsGradient(w); seen.h = needsGradient(h); seen.u = needsGradient(u);
      return tf.sum(tf.square(y)) as tf.Scalar;
    }, [w]);
    const ref = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(tf.matMul(c, w), u))) as tf.Scalar, [w]);
    expect(seen).toEqual({ c: false, c2: false, c3: true, w: true, h: true, u: true });
    const a = got.grads[w.name].dataSync(), b = ref.grads[w.name].dataSync();
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[k])));
    tf.dispose([w, c, u]);
  });
});
