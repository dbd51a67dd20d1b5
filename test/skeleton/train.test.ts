import { describe, expect, it } from 'vitest';
import { ParameterEma } from '../../src/tensor/ema.ts';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { deserializeModel, parseModelMeta, serializeModel } from '../../src/skeleton/model-io.ts';
import { trainDiffuser, type SampleSource } from '../../src/skeleton/train.ts';
import { feats, small } from './fixtures.ts';
import { mulberry32 } from '../../src/random.ts';
import type { TrainExample } from '../../src/skeleton/types.ts';

// Training tests run on the cpu backend: exact and deterministic run to run (wasm's XNNPACK matMuls are not
// bit-reproducible across memory layouts, and the trainer skips the rare non-finite step there).
await initBackend('cpu');


describe('trainDiffuser', () => {
  const c = small('associative', { categories: [], actions: [] });
  // a learnable toy task: the wrist sits at the object box centre
  const r = mulberry32(11);
  const data: TrainExample[] = Array.from({ length: 32 }, () => {
    const f = feats(Math.floor(r() * 1e6), 1, c)[0];
    const joints = new Float32Array(34).fill(0.5);
    joints[18] = (f.objectBox[0] + f.objectBox[2]) / 2; joints[19] = (f.objectBox[1] + f.objectBox[3]) / 2;
    return { ...f, category: 0, action: 0, joints, mask: new Float32Array(17).fill(1) };
  });
  const source: SampleSource = { size: data.length, example: (i) => data[i] };
  const base = { config: c, source, batch: 8, lr: 3e-3, lrDecayAt: [0.5], lrFactor: 10, seed: 3, jparam: 'code' as const, confWeight: 1, flip: false };
  it('lowers the loss', async () => {
    const { model, log } = await trainDiffuser({ ...base, steps: 40 });
    const first = log.slice(0, 5).reduce((a, s) => a + s.loss, 0) / 5;
    const last = log.slice(-5).reduce((a, s) => a + s.loss, 0) / 5;
    expect(last).toBeLessThan(first);
    expect(log[39].lr).toBeCloseTo(3e-4, 10);
    model.dispose();
  });
  it('trains a backbone given as `trainable` together with the model (its features replace the cached ones)', async () => {
    // a "backbone" whose global feature is one trainable vector per example slot: it must move, and the model must see it
    const g = tf.variable(tf.zeros([8, c.imageFeatureDim]), true, 'trainable_test_global');
    const roi = tf.zeros([8, c.gridSize ** 2, c.objectFeatureDim]);
    let calls = 0;
    const { model } = await trainDiffuser({
      ...base, steps: 3,
      trainable: { vars: [g], condition: (examples) => { calls++; expect(examples).toHaveLength(8); return { global: tf.mul(g, 1), roi: tf.mul(roi, 1) }; } },
    });
    expect(calls).toBe(3);
    expect(Math.max(...Array.from(g.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    model.dispose(); g.dispose(); roi.dispose();
  });
  for (const ema of [0, 0.8]) it(`resuming from a checkpoint gives the same weights as an uninterrupted run${ema ? ' (with the weights\' moving average)' : ''}`, async () => {
    const full = await trainDiffuser({ ...base, ema, steps: 6 });
    let saved: { weights: Uint8Array; json: string; opt: Array<{ name: string; tensor: tf.Tensor }> } | null = null;
    const half = await trainDiffuser({
      ...base, ema, steps: 6, checkpointEvery: 3,
      onCheckpoint: async (s) => { if (s.step === 3) { const z = serializeModel(s.model); saved = { weights: z.bin, json: z.json, opt: s.optimizer.map((n) => ({ name: n.name, tensor: tf.clone(n.tensor) })) }; } },
    });
    half.model.dispose();
    const s = saved!;
    const restored = deserializeModel(parseModelMeta(JSON.parse(s.json), 'c'), s.weights, 'w');
    if (ema) expect(s.opt.filter((n) => n.name.startsWith('ema/')).length).toBe(restored.params.vars.size);
    const resumed = await trainDiffuser({ ...base, ema, steps: 6, resume: { model: restored, optimizer: s.opt, step: 3 } });
    const a = serializeModel(full.model).bin, b = serializeModel(resumed.model).bin;
    const fa = new Float32Array(a.buffer), fb = new Float32Array(b.buffer);
    let maxd = 0;
    for (let i = 0; i < fa.length; i++) maxd = Math.max(maxd, Math.abs(fa[i] - fb[i]));
    expect(maxd).toBeLessThan(1e-5);
    if (ema) {
      // the kept weights are the average, not the last step's
      const last = await trainDiffuser({ ...base, steps: 6 });
      const fl = new Float32Array(serializeModel(last.model).bin.buffer);
      let d = 0;
      for (let i = 0; i < fa.length; i++) d = Math.max(d, Math.abs(fa[i] - fl[i]));
      expect(d).toBeGreaterThan(1e-4);
      last.model.dispose();
    }
    full.model.dispose(); resumed.model.dispose();
  });
});

describe('ParameterEma', () => {
  it('averages with the decay, starting from the first values', () => {
    const v = tf.variable(tf.tensor1d([0, 10]));
    const ema = new ParameterEma(0.5);
    ema.update([v]);
    v.assign(tf.tensor1d([2, 10])); ema.update([v]);
    v.assign(tf.tensor1d([4, 6])); ema.update([v]);
    ema.applyTo([v]);
    expect(Array.from(v.dataSync())).toEqual([2.5, 8]);
    expect(() => new ParameterEma(1)).toThrow(/decay must be in \(0, 1\)/);
    v.dispose();
  });
});
