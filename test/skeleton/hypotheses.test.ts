import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { conditionInputs } from '../../src/skeleton/evaluate.ts';
import { parseModelMeta } from '../../src/skeleton/model-io.ts';
import { chooseHypotheses, runSampler, sampleSkeletons } from '../../src/skeleton/sampler.ts';
import { HYPOTHESIS_EPSILON, hypothesisLoss, trainDiffuser, type SampleSource } from '../../src/skeleton/train.ts';
import { interactingHand } from '../../src/skeleton/calculators/hand.ts';
import { setSimdEnabled } from '../../src/tensor/simd-gemm.ts';
import { feats, randomModel, small } from './fixtures.ts';
import { mulberry32 } from '../../src/random.ts';
import type { ModelConfig, TrainExample } from '../../src/skeleton/types.ts';

// wasm: the toy training below takes 300 steps (about 8 s here, several times that on the cpu backend)
await initBackend('wasm');

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i])); return d; };


describe('pose hypotheses', () => {
  const c = small('associative', { personPosition: true, pinInput: true, hypotheses: 3 });

  it('the head gives K candidates and the selector K logits; x0 is the candidate with the largest logit', () => {
    const m = randomModel(c, 2);
    const fs = feats(3, 2, c).map((f) => ({ ...f, personBox: [0.3, 0.2, 0.7, 0.8] as [number, number, number, number] }));
    const inp = conditionInputs(m, fs);
    tf.tidy(() => {
      const r = m.denoise(tf.randomUniform([2, 17, 2], 0, 1, 'float32', 5), m.condition(inp), m.timeEmbedding([100, 100]));
      expect(r.hypotheses!.shape).toEqual([3, 2, 17, 2]);
      expect(r.logits!.shape).toEqual([2, 3]);
      const h = r.hypotheses!.arraySync() as number[][][][], l = r.logits!.arraySync() as number[][], x0 = r.x0.arraySync() as number[][][];
      for (let b = 0; b < 2; b++) {
        const best = l[b].indexOf(Math.max(...l[b]));
        expect(x0[b]).toEqual(h[best][b]);
        expect(maxDiff(h[0][b].flat(), h[1][b].flat())).toBeGreaterThan(1e-3);
      }
    });
    tf.dispose(Object.values(inp));
    m.dispose();
  });

  it('the small-batch path computes the same candidates and choices as the tensor path', () => {
    const m = randomModel(c, 4);
    const f = { ...feats(5, 1, c)[0], personBox: [0.3, 0.2, 0.7, 0.8] as [number, number, number, number] };
    const inputs = conditionInputs(m, [f]);
    for (const o of [{ samples: 4, seed: 1 }, { samples: 3, seed: 2, sampler: { kind: 'ddim' as const, iterations: 5 }, pins: [{ joint: 9, u: 0.4, v: 0.6 }] }]) {
      const fast = runSampler(m, inputs, { ...o, path: 'small' });
      const tensor = runSampler(m, inputs, { ...o, path: 'tensor' });
      expect(maxDiff(fast.joints, tensor.joints)).toBeLessThan(1e-5);
      expect(maxDiff(fast.probability!, tensor.probability!)).toBeLessThan(1e-5);
      setSimdEnabled(false);
      try {
        expect(maxDiff(runSampler(m, inputs, { ...o, path: 'small' }).joints, tensor.joints)).toBeLessThan(1e-5);
      } finally {
        setSimdEnabled(true);
      }
    }
    tf.dispose(Object.values(inputs));
    m.dispose();
  });

  it('samples of one condition spread over the candidates, the most probable first', () => {
    // the order is the condition's first sample's: the others' logits (moved by their own x_t) do not reorder it
    const logits = Float32Array.from([0, 2, 1, /* sample 1 */ 0, 1, 2, /* sample 2 */ 0, 2, 1, /* sample 3 */ 5, 0, 0]);
    const { choice, probability } = chooseHypotheses(logits, 4, 3, 4);
    expect(Array.from(choice)).toEqual([1, 2, 0, 1]); // sample 3 is the 4th of its condition: rank 3 mod 3 = 0
    const z = 1 + Math.exp(-1) + Math.exp(-2);
    expect(probability[0]).toBeCloseTo(1 / z, 6);
    expect(probability[2]).toBeCloseTo(Math.exp(-2) / z, 6);
    // one sample per condition (batched evaluation): each takes its own best
    expect(Array.from(chooseHypotheses(logits, 4, 3, 1).choice)).toEqual([1, 2, 1, 0]);
    // two conditions of two samples: samples 0-1 follow sample 0's order, 2-3 sample 2's
    expect(Array.from(chooseHypotheses(logits, 4, 3, 2).choice)).toEqual([1, 2, 1, 2]);
  });

  it('winner-takes-all loss: the candidate nearest the truth carries the loss and the selector learns its index', () => {
    tf.tidy(() => {
      const x0 = tf.fill([2, 17, 2], 0.5);
      // example 0: candidate 1 is exact, example 1: candidate 0 is exact; the others are 0.1 off
      const h = tf.stack([tf.stack([tf.fill([17, 2], 0.6), tf.fill([17, 2], 0.5)]), tf.stack([tf.fill([17, 2], 0.5), tf.fill([17, 2], 0.4)])]);
      const b = { xt: tf.zeros([2, 17, 2]), x0, weights: tf.ones([2, 17, 1]) };
      const logits = tf.tensor2d([[0, 0], [3, 0]]);
      const l = hypothesisLoss(b, h, logits);
      // per example: (1 - eps) * 0 + eps * 0.1
      expect(l.joint.dataSync()[0]).toBeCloseTo(HYPOTHESIS_EPSILON * 0.1, 6);
      expect(l.select.dataSync()[0]).toBeCloseTo((Math.log(2) + Math.log(1 + Math.exp(-3))) / 2, 5);
    });
  });

  it('config files: hypotheses must be an integer in [1, 8]', () => {
    const meta = (config: Partial<ModelConfig>) => ({ format: 'pinplace-skeleton-diffuser', version: 1, config, weights: [] });
    expect(parseModelMeta(meta({ hypotheses: 2 }), 'm').config.hypotheses).toBe(2);
    expect(() => parseModelMeta(meta({ hypotheses: 0 }), 'm')).toThrow(/config.hypotheses must be an integer in \[1, 8\], got 0/);
    expect(() => parseModelMeta(meta({ hypotheses: 1.5 }), 'm')).toThrow(/hypotheses must be an integer/);
  });

  it('the interacting hand is the valid wrist nearer the object centre', () => {
    const joints = new Float32Array(34);
    joints.set([0.3, 0.5], 18); joints.set([0.7, 0.5], 20); // left wrist at x 0.3, right at 0.7
    const mask = new Float32Array(17).fill(1);
    expect(interactingHand(joints, mask, [0.6, 0.4, 0.8, 0.6])).toBe(1);
    expect(interactingHand(joints, mask, [0.2, 0.4, 0.4, 0.6])).toBe(0);
    mask[9] = 0;
    expect(interactingHand(joints, mask, [0.2, 0.4, 0.4, 0.6])).toBe(1); // the left wrist is not annotated
    expect(() => parseModelMeta({ format: 'pinplace-skeleton-diffuser', version: 1, config: { hypotheses: 3, hypothesisAssign: 'hand' }, weights: [] }, 'm')).toThrow(/"hand" needs config.hypotheses 2/);
  });

  // one condition, two poses: the right hand at the object (3 examples in 4) or the left hand, the other at the hip
  it('trained on two poses with the hand assignment, each candidate is one pose and the more frequent ranks first', async () => {
    const config = small('associative', { categories: [], actions: [], personPosition: true, hypotheses: 2, hypothesisAssign: 'hand' });
    const f = { ...feats(7, 1, config)[0], personBox: [0.42, 0.3, 0.58, 0.7] as [number, number, number, number], objectBox: [0.48, 0.4, 0.52, 0.44] as [number, number, number, number], category: 0, action: 0 };
    const r = mulberry32(11);
    const data: TrainExample[] = Array.from({ length: 64 }, (_, i) => {
      const joints = new Float32Array(34);
      for (let j = 0; j < 17; j++) { joints[2 * j] = 0.44 + 0.12 * ((j % 2) ^ (j > 10 ? 1 : 0)) + 0.004 * r(); joints[2 * j + 1] = 0.32 + 0.022 * j + 0.004 * r(); }
      const right = i % 4 !== 0;
      joints.set(right ? [0.44, 0.56] : [0.49, 0.42], 18); // left wrist at the hip, or at the object
      joints.set(right ? [0.51, 0.42] : [0.56, 0.56], 20); // right wrist at the object, or at the hip
      return { ...f, joints, mask: new Float32Array(17).fill(1) };
    });
    const src: SampleSource = { size: data.length, example: (i) => data[i] };
    const { model } = await trainDiffuser({ config, source: src, steps: 300, batch: 32, lr: 3e-3, lrDecayAt: [0.8], lrFactor: 10, seed: 3, jparam: 'none', confWeight: 0, hypWeight: 0.5, flip: false });
    const inputs = conditionInputs(model, [f]);
    const s = sampleSkeletons(model, inputs, { samples: 2, seed: 1 });
    const near = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
    // measured: every wrist within 0.002 of its pose's position, probabilities 0.75 and 0.25
    expect(near(s.joints[0][10], [0.51, 0.42])).toBeLessThan(0.02);
    expect(near(s.joints[0][9], [0.44, 0.56])).toBeLessThan(0.02);
    expect(near(s.joints[1][9], [0.49, 0.42])).toBeLessThan(0.02);
    expect(near(s.joints[1][10], [0.56, 0.56])).toBeLessThan(0.02);
    const p = runSampler(model, inputs, { samples: 2, seed: 1 }).probability!;
    expect(p[0]).toBeGreaterThan(0.6);
    expect(p[0]).toBeLessThan(0.9);
    tf.dispose(Object.values(inputs));
    model.dispose();
  }, 120_000);
});
