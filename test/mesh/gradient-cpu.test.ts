import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend.ts';
import { FIT_STAGES } from '../../src/mesh/constants.ts';
import { FACING_CAMERA, getDefaultJointModel, initialGuess, targetArray, targetScale } from '../../src/mesh/fitter.ts';
import { fitPeopleGradient } from '../../src/mesh/gradient-solver.ts';
import { makeContext, totalCost } from '../../src/mesh/objective.ts';
import { mulberry32, syntheticCase } from '../../src/mesh/synthetic.ts';

// The gradient solver is backend-agnostic: the same code on tfjs's plain cpu backend.
beforeAll(async () => {
  const info = await initBackend('cpu');
  expect(info.backend).toBe('cpu');
});

describe('gradient solver on the cpu backend', () => {
  it('lowers the cost far below the initial guess', async () => {
    const model = getDefaultJointModel();
    const c = syntheticCase(model, mulberry32(51));
    const kp = targetArray(c.target);
    const ctx = makeContext(model, c.target.camera, kp, targetScale(c.target, kp), 1);
    const last = FIT_STAGES[FIT_STAGES.length - 1];
    const before = totalCost(ctx, initialGuess(ctx, FACING_CAMERA), last);
    const [f] = await fitPeopleGradient([c.target], { stepsPerIteration: 4 });
    expect(tf.getBackend()).toBe('cpu');
    expect(f.cost).toBeLessThan(before / 20);
    expect((100 * f.reprojectionErrorPx.mean) / c.boxHeight).toBeLessThan(5);
  });

  it('fits more people than one batch holds in consecutive batches, with the same result', async () => {
    const model = getDefaultJointModel();
    const rand = mulberry32(52);
    const targets = [0, 1, 2].map(() => syntheticCase(model, rand).target);
    const o = { stepsPerIteration: 2 };
    const whole = await fitPeopleGradient(targets, o);
    const split = await fitPeopleGradient(targets, { ...o, maxEntries: 1 }); // one person a batch
    expect(split).toHaveLength(3);
    split.forEach((f, i) => {
      for (let k = 0; k < f.pose.length; k++) expect(f.pose[k]).toBeCloseTo(whole[i].pose[k], 3);
      expect(f.cost).toBeCloseTo(whole[i].cost, 4);
    });
  });
});

