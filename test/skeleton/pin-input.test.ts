import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { conditionInputs } from '../../src/skeleton/evaluate.ts';
import { Diffuser, PIN_DIM } from '../../src/skeleton/diffuser.ts';
import { runSampler } from '../../src/skeleton/sampler.ts';
import { makeBatch, trainDiffuser, type SampleSource } from '../../src/skeleton/train.ts';
import { cosineAlphaBar } from '../../src/skeleton/schedule.ts';
import { feats, small } from './fixtures.ts';
import { mulberry32 } from '../../src/random.ts';
import type { TrainExample } from '../../src/skeleton/types.ts';

await initBackend('cpu');

const c = small('associative', { categories: [], actions: [], pinInput: true });
// a task the condition cannot settle: one condition for every example, the whole skeleton shifted sideways by an
// amount the features do not show, so only a pinned joint tells where the other joints go
const r = mulberry32(5);
const shared = feats(17, 1, c)[0];
const data: TrainExample[] = Array.from({ length: 64 }, () => {
  const joints = new Float32Array(34);
  const shift = 0.6 * r() - 0.3;
  for (let j = 0; j < 17; j++) { joints[2 * j] = 0.5 + shift + 0.01 * j; joints[2 * j + 1] = 0.2 + 0.04 * j; }
  return { ...shared, category: 0, action: 0, joints, mask: new Float32Array(17).fill(1) };
});
const source: SampleSource = { size: data.length, example: (i) => data[i] };

describe('pin input (skeleton editing)', () => {
  it('training batches pin 1-3 true joints in about half the examples, on x_t too', () => {
    const model = new Diffuser(c, 1);
    const b = makeBatch(model, source, Array.from({ length: 64 }, (_, i) => i), mulberry32(9), { flip: false, jparam: 'code', pinProb: 0.5 }, cosineAlphaBar(1000));
    const pins = b.inputs.pins!.arraySync() as number[][][];
    const xt = b.xt.arraySync() as number[][][];
    let withPins = 0;
    pins.forEach((ex, i) => {
      const pinned = ex.map((p, j) => [p, j] as const).filter(([p]) => p[PIN_DIM - 1] === 1);
      if (pinned.length) withPins++;
      expect(pinned.length).toBeLessThanOrEqual(3);
      for (const [p, j] of pinned) {
        expect(p[PIN_DIM - 3] + 0.5).toBeCloseTo(data[i].joints[2 * j], 5);
        expect(xt[i][j][0]).toBeCloseTo(data[i].joints[2 * j], 5);
      }
    });
    expect(withPins).toBeGreaterThan(16);
    expect(withPins).toBeLessThan(48);
    expect(pins[0].length * pins[0][0].length).toBe(17 * PIN_DIM);
    model.dispose();
  });

  it('a model trained with pins moves the other joints to agree with a pin; the small-batch and tensor paths agree', async () => {
    const { model } = await trainDiffuser({ config: c, source, steps: 300, batch: 16, lr: 3e-3, lrDecayAt: [0.8], lrFactor: 10, seed: 2, jparam: 'none', confWeight: 0, flip: false, pinProb: 0.8 });
    const inputs = conditionInputs(model, [data[0]]);
    const elbowX = (wx: number, path: 'small' | 'tensor') => runSampler(model, inputs, { samples: 1, seed: 1, pins: [{ joint: 9, u: wx, v: 0.56 }], path }).joints[14];
    const left = elbowX(0.35, 'small'), right = elbowX(0.65, 'small');
    // the elbow should follow the wrist by 0.3; without the pin input it does not move at all (0.19 measured after
    // these 300 steps)
    expect(right - left).toBeGreaterThan(0.1);
    expect(Math.abs(elbowX(0.65, 'tensor') - right)).toBeLessThan(1e-4);
    tf.dispose(Object.values(inputs));
    model.dispose();
  }, 60_000);
});
