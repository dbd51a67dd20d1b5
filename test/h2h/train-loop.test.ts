import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend.ts';
import { batchGradients, trainLoop } from '../../src/h2h/train-loop.ts';
import { DEFAULT_MODEL_CONFIG } from '../../src/skeleton/constants.ts';
import { Diffuser } from '../../src/skeleton/diffuser.ts';
import { makeBatch, hoiLoss, type SampleSource } from '../../src/skeleton/train.ts';
import { mulberry32, gaussian } from '../../src/skeleton/layers.ts';
import { cosineAlphaBar } from '../../src/skeleton/schedule.ts';
import type { ModelConfig, TrainExample } from '../../src/skeleton/types.ts';

const config: ModelConfig = { ...DEFAULT_MODEL_CONFIG, depth: 1, heads: 4, gridSize: 4, extraTokens: 17, imageFeatureDim: 64, objectFeatureDim: 8, objectHidden: 16, categories: ['person'], actions: ['handshake'] };

/** Random but fixed examples (features with ReLU-like zeros, joints in the crop, one partner-token block). */
function source(n: number): SampleSource {
  const rand = mulberry32(7);
  const ex: TrainExample[] = Array.from({ length: n }, () => ({
    global: Float32Array.from({ length: 64 }, () => Math.max(0, gaussian(rand))),
    roi: Float32Array.from({ length: 16 * 8 }, () => gaussian(rand)),
    objectBox: [0.1, 0.2, 0.45, 0.9],
    category: 1, action: 1,
    joints: Float32Array.from({ length: 34 }, () => 0.3 + 0.4 * rand()),
    mask: new Float32Array(17).fill(1),
    extra: Float32Array.from({ length: 17 * 32 }, () => gaussian(rand)),
  }));
  return { size: n, example: (i) => ex[i] };
}

describe('h2h train loop', () => {
  it('two-pass gradients equal the whole-network gradients of the cpu backend (also on wasm)', async () => {
    await initBackend('wasm');
    const model = new Diffuser(config, 3);
    const src = source(5);
    const vars = [...model.params.vars.entries()];
    const batchOf = () => makeBatch(model, src, [0, 1, 2, 3, 4, 0, 1, 2], mulberry32(1), { flip: true, jparam: 'code' }, cosineAlphaBar(1000));
    await tf.setBackend('cpu');
    const r = tf.variableGrads(() => hoiLoss(model, batchOf(), 1, true).total, vars.map(([, v]) => v));
    const ref = new Map(vars.map(([n, v]) => [n, r.grads[v.name].dataSync() as Float32Array]));
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const g = batchGradients(model, batchOf(), 1);
      expect(g.loss).toBeCloseTo(r.value.dataSync()[0], 4);
      expect(g.grads.size).toBe(ref.size);
      for (const [n, want] of ref) {
        const got = g.grads.get(n)!.dataSync();
        let maxRef = 0, maxDiff = 0;
        for (let i = 0; i < want.length; i++) { maxRef = Math.max(maxRef, Math.abs(want[i])); maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i])); }
        expect(maxDiff, `${backend} ${n}`).toBeLessThanOrEqual(2e-3 * maxRef + 1e-6);
      }
    }
    await initBackend('wasm');
  });

  it('lowers the loss on a fixed set', async () => {
    await initBackend('wasm');
    const { log, skipped } = await trainLoop({
      config, source: source(4), steps: 15, batch: 8, lr: 5e-3, lrDecayAt: [], lrFactor: 10, seed: 1, jparam: 'none',
      confWeight: 1, flip: false,
    });
    expect(skipped).toBe(0);
    const first = log.slice(0, 3).reduce((s, l) => s + l.loss, 0) / 3;
    const lastL = log.slice(-3).reduce((s, l) => s + l.loss, 0) / 3;
    expect(lastL).toBeLessThan(0.8 * first);
  });

  it('with a time budget, decays the rate on time progress and stops at the budget', async () => {
    await initBackend('wasm');
    const r = await trainLoop({
      config, source: source(4), steps: 100_000, batch: 4, lr: 1e-3, lrDecayAt: [0.5], lrFactor: 10, seed: 1, jparam: 'none',
      confWeight: 1, flip: false, budgetSeconds: 1.5,
    });
    expect(r.steps).toBeGreaterThan(1);
    expect(r.steps).toBeLessThan(100_000);
    expect(r.log[0].lr).toBe(1e-3);
    expect(r.log[r.log.length - 1].lr).toBeCloseTo(1e-4, 12);
    expect(r.log[r.log.length - 1].total).toBe(r.steps);
  });
});
