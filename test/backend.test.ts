import { describe, expect, it } from 'vitest';
import { initBackend, setNativeImporter, tf } from '../src/backend.ts';
import { matMul } from '../src/tensor/matmul.ts';
import { BackendError } from '../src/errors.ts';

const EPS = 1e-3;

describe('tensor runtime', () => {
  it('runs on wasm by default (verified after setBackend)', async () => {
    const info = await initBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.message).toBe('tfjs backend: wasm');
  });

  it('opt-in native backend falls back to wasm with a message when the package is missing', async () => {
    const tried: string[] = [];
    setNativeImporter(async (name) => {
      tried.push(name);
      const err = new Error(`Cannot find package '${name}'`) as Error & { code: string };
      err.code = 'ERR_MODULE_NOT_FOUND';
      throw err;
    });
    const info = await initBackend('tensorflow');
    expect(tried).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(info.backend).toBe('wasm');
    expect(info.requested).toBe('tensorflow');
    expect(info.message).toMatch(/falling back from tensorflow: @tensorflow\/tfjs-node-gpu unavailable: ERR_MODULE_NOT_FOUND/);
    expect(info.message).not.toContain('\n');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('opt-in WebGPU in Node names the packages to install when they are missing', async () => {
    setNativeImporter(async (name) => {
      throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    });
    const info = await initBackend('webgpu');
    expect(info.backend).toBe('wasm');
    expect(info.message).toMatch(/falling back from webgpu: the webgpu package is not installed \(npm install webgpu @tensorflow\/tfjs-backend-webgpu\)/);
    expect(info.message).not.toContain('\n');
  });

  it('opt-in WebGPU in Node installs navigator.gpu from the webgpu package before loading the tfjs backend', async () => {
    const g = globalThis as Record<string, unknown> & { navigator?: { gpu?: unknown } };
    const hadNavigator = 'navigator' in g;
    const seen: Array<{ name: string; gpu: unknown }> = [];
    const gpu = { requestAdapter: async () => null };
    setNativeImporter(async (name) => {
      seen.push({ name, gpu: g.navigator?.gpu });
      if (name === 'webgpu') return { create: () => gpu, globals: { GPUBufferUsageForTest: 1 } };
      return {}; // a backend package that registers nothing: the backend cannot start
    });
    try {
      await initBackend('wasm'); // a new request (the previous test's webgpu request is cached)
      const info = await initBackend('webgpu');
      expect(seen.map((s) => s.name)).toEqual(['webgpu', '@tensorflow/tfjs-backend-webgpu']);
      expect(seen[1].gpu).toBe(gpu);
      expect(g.GPUBufferUsageForTest).toBe(1);
      expect(info.backend).toBe('wasm');
      expect(info.message).toMatch(/falling back from webgpu: webgpu could not start/);
    } finally {
      delete g.GPUBufferUsageForTest;
      if (!hadNavigator) delete g.navigator;
      else if (g.navigator) delete (g.navigator as Record<string, unknown>).gpu;
    }
  });

  it('rejects an unknown backend name in one line', () => {
    expect(() => initBackend('quantum')).toThrow(BackendError);
    expect(() => initBackend('quantum')).toThrow(/PINPLACE_BACKEND must be one of wasm, cpu, tensorflow, webgl, webgpu, got "quantum"/);
  });

  it('cpu can be selected explicitly', async () => {
    const info = await initBackend('cpu');
    expect(info.backend).toBe('cpu');
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});

describe('matMul with the transpose-explicit gradient', () => {
  const cases: Array<{ name: string; a: number[]; b: number[] }> = [
    { name: '2-D', a: [17, 32], b: [32, 8] },
    { name: 'batched', a: [4, 17, 32], b: [4, 32, 8] },
    { name: 'batched x broadcast weight', a: [4, 17, 32], b: [32, 8] },
    { name: 'batch-1 broadcast on the left', a: [1, 17, 32], b: [3, 32, 5] },
  ];
  for (const c of cases) {
    it(`${c.name}: same value and gradients as tf.matMul`, async () => {
      await initBackend('wasm');
      const a = tf.randomNormal(c.a, 0, 1, 'float32', 1);
      const b = tf.randomNormal(c.b, 0, 1, 'float32', 2);
      // Reference: broadcast explicitly, so tf.matMul's own gradient applies to same-rank operands.
      const batch = Math.max(c.a.length > 2 ? c.a[0] : 1, c.b.length > 2 ? c.b[0] : 1);
      const lift = (t: tf.Tensor) => (t.rank === 2 ? tf.tile(t.expandDims(0), [batch, 1, 1]) : t.shape[0] === 1 && batch > 1 ? tf.tile(t, [batch, 1, 1]) : t);
      const loss = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), f(x, y)));
      const ref = tf.grads(loss((x, y) => (c.a.length === 2 && c.b.length === 2 ? tf.matMul(x, y) : tf.matMul(lift(x), lift(y)))))([a, b]);
      const got = tf.grads(loss((x, y) => matMul(x, y)))([a, b]);
      expect(got[0].shape).toEqual(c.a);
      expect(got[1].shape).toEqual(c.b);
      const d0 = tf.max(tf.abs(tf.sub(ref[0], got[0]))).dataSync()[0];
      const d1 = tf.max(tf.abs(tf.sub(ref[1], got[1]))).dataSync()[0];
      const scale = tf.max(tf.abs(ref[1])).dataSync()[0];
      expect(d0 / scale).toBeLessThan(EPS);
      expect(d1 / scale).toBeLessThan(EPS);
    });
  }
});
