import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { FusedAdam } from '../../src/tensor/fused-adam.ts';
import { createGemm, setSimdEnabled } from '../../src/tensor/simd-gemm.ts';
import { mulberry32 } from '../../src/random.ts';

await initBackend('cpu');

const shapes = [[3, 5], [7], [2, 2, 4], [1]];

function makeVars(seed: number, tag: string): tf.Variable[] {
  const r = mulberry32(seed);
  return shapes.map((s, i) => tf.variable(tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => r() - 0.5), s), true, `fa_${tag}_${i}`));
}

/** Gradients of step k (deterministic, different scales per tensor). */
function grads(k: number): tf.Tensor[] {
  const r = mulberry32(1000 + k);
  return shapes.map((s, i) => tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (r() - 0.5) * 10 ** (i - 2)), s));
}

const lrAt = (k: number) => (k < 3 ? 1e-2 : 1e-3); // a step schedule

function stepReference(opt: tf.AdamOptimizer, vars: tf.Variable[], k: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lrAt(k);
  const g = grads(k);
  opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: g[i] })));
  tf.dispose(g);
}

function stepFused(opt: FusedAdam, vars: tf.Variable[], k: number): boolean {
  opt.learningRate = lrAt(k);
  const g = grads(k);
  const ok = opt.applyGradients(vars, g);
  tf.dispose(g);
  return ok;
}

function maxDiff(a: tf.Variable[], b: tf.Variable[]): number {
  let d = 0;
  a.forEach((v, i) => { const x = v.dataSync(), y = b[i].dataSync(); for (let k = 0; k < x.length; k++) d = Math.max(d, Math.abs(x[k] - y[k])); });
  return d;
}

describe('FusedAdam', () => {
  it('has its WebAssembly SIMD kernel on Node (the module validates)', () => {
    const k = createGemm(4096);
    expect(k).not.toBeNull();
    const f = new Float32Array(k!.memory.buffer);
    f.set([1, 2, 3, 4, 5, Infinity, 7, 8], 0);
    k!.finite(0, 4, 64);
    expect(Array.from(f.subarray(16, 20))).toEqual([0, 0, 0, 0]);
    k!.finite(0, 8, 64);
    expect(Array.from(f.subarray(16, 20)).some(Number.isNaN)).toBe(true);
  });

  it.each([['SIMD kernel', true], ['plain loops', false]])('computes the same steps as tf.train.adam (with a changing learning rate): %s', (_, simd) => {
    setSimdEnabled(simd);
    const a = makeVars(1, `ref${simd}`), b = makeVars(1, `fused${simd}`), init = makeVars(1, `init${simd}`);
    const ref = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
    const fused = new FusedAdam(1e-2, 0.9, 0.999, 1e-8);
    const start = maxDiff(a, b);
    for (let k = 0; k < 6; k++) { stepReference(ref, a, k); expect(stepFused(fused, b, k)).toBe(true); }
    expect(start).toBe(0);
    expect(maxDiff(a, init)).toBeGreaterThan(1e-3); // the parameters moved
    expect(maxDiff(a, b)).toBeLessThan(1e-7);
    expect(fused.iterations).toBe(6);
    setSimdEnabled(true);
    ref.dispose(); tf.dispose([...a, ...b, ...init]);
  });

  it('computes the same steps as tf.train.adam on the wasm backend (reads and writes the backend memory directly)', async () => {
    await initBackend('wasm');
    try {
      expect(tf.getBackend()).toBe('wasm');
      const a = makeVars(4, 'wref'), b = makeVars(4, 'wfused');
      const ref = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
      const fused = new FusedAdam(1e-2, 0.9, 0.999, 1e-8);
      for (let k = 0; k < 5; k++) { stepReference(ref, a, k); expect(stepFused(fused, b, k)).toBe(true); }
      expect(maxDiff(a, b)).toBeLessThan(1e-7);
      ref.dispose(); tf.dispose([...a, ...b]);
    } finally {
      await initBackend('cpu');
    }
    expect(tf.getBackend()).toBe('cpu');
  });

  it('leaves parameters and state unchanged when a gradient is not finite', () => {
    const v = makeVars(2, 'nan');
    const before = v.map((x) => Float32Array.from(x.dataSync()));
    const opt = new FusedAdam(1e-2);
    const g = grads(0);
    const bad = tf.tensor(Float32Array.from(g[1].dataSync(), (x, i) => (i === 3 ? NaN : x)), g[1].shape);
    expect(opt.applyGradients(v, [g[0], bad, g[2], g[3]])).toBe(false);
    expect(opt.iterations).toBe(0);
    v.forEach((x, i) => expect(Array.from(x.dataSync())).toEqual(Array.from(before[i])));
    expect(() => opt.applyGradients(v, [g[0]])).toThrow(/1 gradients for 4 variables/);
    tf.dispose([...v, ...g, bad]);
  });

  it('resumes from tf.train.adam state and its own state (same positional format) as an uninterrupted run', async () => {
    const full = makeVars(3, 'full');
    const ref = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
    for (let k = 0; k < 6; k++) stepReference(ref, full, k);

    // tf.train.adam for 3 steps, then FusedAdam from its state
    const x = makeVars(3, 'x');
    const refHalf = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
    for (let k = 0; k < 3; k++) stepReference(refHalf, x, k);
    const fx = new FusedAdam(1e-2, 0.9, 0.999, 1e-8);
    fx.setWeights(await refHalf.getWeights());
    for (let k = 3; k < 6; k++) stepFused(fx, x, k);
    expect(maxDiff(full, x)).toBeLessThan(1e-7);

    // FusedAdam for 3 steps, its state through a new FusedAdam and through tf.train.adam
    const y = makeVars(3, 'y'), z = makeVars(3, 'z');
    const fy = new FusedAdam(1e-2, 0.9, 0.999, 1e-8);
    for (let k = 0; k < 3; k++) { stepFused(fy, y, k); }
    z.forEach((v, i) => v.assign(y[i]));
    const state = fy.getWeights();
    expect(state.map((s) => s.name)).toEqual(['iter', ...y.map((v) => `${v.name}/m`), ...y.map((v) => `${v.name}/v`)]);
    // the state is a copy: later steps do not change it
    const snapshot = state.map((s) => Array.from(s.tensor.dataSync()));
    const g3 = grads(3);
    fy.applyGradients(makeVars(3, 'w'), g3);
    tf.dispose(g3);
    expect(state.map((s) => Array.from(s.tensor.dataSync()))).toEqual(snapshot);
    const fy2 = new FusedAdam(1e-2, 0.9, 0.999, 1e-8);
    fy2.setWeights(state);
    const refZ = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
    await refZ.setWeights(state.map((s) => ({ name: s.name, tensor: tf.clone(s.tensor) })));
    for (let k = 3; k < 6; k++) { stepFused(fy2, y, k); stepReference(refZ, z, k); }
    expect(maxDiff(full, y)).toBeLessThan(1e-7);
    expect(maxDiff(full, z)).toBeLessThan(1e-7);
    tf.dispose(state.map((s) => s.tensor));
    ref.dispose(); refHalf.dispose(); refZ.dispose();
    tf.dispose([...full, ...x, ...y, ...z]);
  });
});
