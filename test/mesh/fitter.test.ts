import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend.ts';
import { FIT_STAGES } from '../../src/mesh/constants.ts';
import {
  FACING_AWAY, activeParams, candidateOrientations, fitPersonLm, getDefaultJointModel, initialGuess, targetArray, targetScale,
} from '../../src/mesh/fitter.ts';
import { fitPeopleGradient } from '../../src/mesh/gradient-solver.ts';
import { POSE_LOWER, POSE_UPPER } from '../../src/mesh/kinematics.ts';
import { dataResiduals, dataResidualsJacobian, dataWeights, makeContext, project, totalCost } from '../../src/mesh/objective.ts';
import { JointScratch, poseJoints } from '../../src/mesh/joint-model.ts';
import { costTf, jointModelTensors } from '../../src/mesh/objective-tf.ts';
import { mulberry32, syntheticCase } from '../../src/mesh/synthetic.ts';
import { FormatError } from '../../src/errors.ts';
import type { FitTarget } from '../../src/mesh/types.ts';

const model = getDefaultJointModel();
const errPct = (meanPx: number, box: number) => (100 * meanPx) / box;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('fitPersonLm on noiseless synthetic targets', () => {
  const rand = mulberry32(21);
  const cases = Array.from({ length: 10 }, () => syntheticCase(model, rand));
  it('reaches a median error <= 1 % of the box height', () => {
    const errs = cases.map((c) => errPct(fitPersonLm(c.target).reprojectionErrorPx.mean, c.boxHeight));
    errs.sort((a, b) => a - b);
    expect(errs[errs.length >> 1]).toBeLessThan(1);
    expect(errs[errs.length - 1]).toBeLessThan(6);
  });
  it('recovers a body seen from behind', () => {
    const c = cases.find((k) => candidateOrientations(targetArray(k.target))[0] === FACING_AWAY)!;
    expect(c).toBeDefined();
    expect(errPct(fitPersonLm(c.target).reprojectionErrorPx.mean, c.boxHeight)).toBeLessThan(2);
  });
});

describe('sitting', () => {
  it('a person seated facing the camera is fitted with the thighs forward, not spread sideways', () => {
    const pose = new Float64Array(72);
    pose.set([Math.PI, 0, 0], 0); // facing the camera
    pose[1 * 3] = -1.5; // hips flexed: thighs forward
    pose[2 * 3] = -1.5;
    pose[4 * 3] = 1.5; // knees bent
    pose[5 * 3] = 1.5;
    pose[16 * 3 + 2] = -1.2; // arms down
    pose[17 * 3 + 2] = 1.2;
    const translation = [0.05, 0.1, 3.5];
    const coco = poseJoints(model, pose, new Float64Array(10), translation, new Float64Array(51), new JointScratch());
    const cam = { focal: 800, cx: 320, cy: 240 };
    const uv = project(coco, cam);
    const keypoints = Array.from({ length: 17 }, (_, i) => [uv[i * 2], uv[i * 2 + 1], 1] as [number, number, number]);
    const f = fitPersonLm({ keypoints, camera: cam });
    expect(f.pose[1 * 3]).toBeLessThan(-0.8);
    expect(f.pose[2 * 3]).toBeLessThan(-0.8);
    expect(f.reprojectionErrorPx.median).toBeLessThan(2);
  });
});

describe('robustness', () => {
  it('with 3 px noise and 4 occluded joints the fit stays plausible and inside the joint limits', () => {
    const rand = mulberry32(22);
    for (let n = 0; n < 5; n++) {
      const c = syntheticCase(model, rand, { noisePx: 3, occluded: 4 });
      const f = fitPersonLm(c.target);
      for (let i = 3; i < 72; i++) {
        expect(f.pose[i]).toBeGreaterThanOrEqual(POSE_LOWER[i] - 1e-12);
        expect(f.pose[i]).toBeLessThanOrEqual(POSE_UPPER[i] + 1e-12);
      }
      for (const b of f.betas) expect(Math.abs(b)).toBeLessThan(3);
      expect(errPct(f.reprojectionErrorPx.median, c.boxHeight)).toBeLessThan(4);
    }
  });
  it('ignores keypoints with c = 0 (moving one changes nothing)', () => {
    const c = syntheticCase(model, mulberry32(23), { occluded: 2 });
    const hidden = c.target.keypoints.findIndex((k) => k[2] === 0);
    const moved: FitTarget = { ...c.target, keypoints: c.target.keypoints.map((k, i) => (i === hidden ? [9999, -5000, 0] : k)) };
    const a = fitPersonLm(c.target);
    const b = fitPersonLm(moved);
    expect(Array.from(b.pose)).toEqual(Array.from(a.pose));
  });
  const bad: Array<[string, FitTarget, RegExp]> = [
    ['fewer than 6 confident keypoints', { keypoints: Array.from({ length: 17 }, (_, i) => [i, i, i < 5 ? 1 : 0]), camera: { focal: 500, cx: 0, cy: 0 } }, /at least 6 keypoints/],
    ['a NaN', { keypoints: Array.from({ length: 17 }, (_, i) => [i === 3 ? NaN : i, i, 1]), camera: { focal: 500, cx: 0, cy: 0 } }, /keypoint 3/],
    ['16 keypoints', { keypoints: Array.from({ length: 16 }, () => [1, 1, 1]), camera: { focal: 500, cx: 0, cy: 0 } }, /17 COCO-17/],
    ['a zero focal', { keypoints: Array.from({ length: 17 }, (_, i) => [i, i * 3, 1]), camera: { focal: 0, cx: 0, cy: 0 } }, /positive finite focal/],
  ];
  it.each(bad)('rejects %s with a one-line FormatError', (_n, t, re) => {
    expect(() => fitPersonLm(t as FitTarget)).toThrow(FormatError);
    expect(() => fitPersonLm(t as FitTarget)).toThrow(re);
  });
});

describe('objective', () => {
  const c = syntheticCase(model, mulberry32(31));
  const kp = targetArray(c.target);
  const ctx = makeContext(model, c.target.camera, kp, targetScale(c.target, kp), 1);
  const x = initialGuess(ctx, FACING_AWAY);
  const r = mulberry32(32);
  for (let i = 3; i < 72; i++) x[i] += (r() - 0.5) * 0.6;
  for (let k = 0; k < 10; k++) x[72 + k] = r() - 0.5;

  it('has an analytic Jacobian equal to finite differences', () => {
    const stage = FIT_STAGES[FIT_STAGES.length - 1];
    const active = activeParams(model, stage);
    const n = active.length;
    const w = dataWeights(ctx, stage);
    const res = new Float64Array(34);
    const J = new Float64Array(34 * n);
    dataResidualsJacobian(ctx, x, w, active, res, J);
    const r0 = dataResiduals(ctx, x, w, new Float64Array(34));
    const r1 = new Float64Array(34);
    let worst = 0;
    for (let c2 = 0; c2 < n; c2++) {
      const p = active[c2];
      const h = 1e-6;
      x[p] += h;
      dataResiduals(ctx, x, w, r1);
      x[p] -= h;
      for (let i = 0; i < 34; i++) worst = Math.max(worst, Math.abs((r1[i] - r0[i]) / h - J[i * n + c2]));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('gives the same cost in TypeScript and in tfjs, for every stage', async () => {
    const mt = jointModelTensors(model);
    for (const stage of FIT_STAGES) {
      const w = dataWeights(ctx, stage);
      const data = {
        target: tf.tensor3d(Array.from({ length: 34 }, (_, k) => kp[((k / 2) | 0) * 3 + (k % 2)]), [1, 17, 2]),
        weight: tf.tensor2d(Array.from(w), [1, 17]),
        scale: tf.tensor2d([ctx.scale], [1, 1]),
        camera: tf.tensor2d([ctx.camera.focal, ctx.camera.cx, ctx.camera.cy], [1, 3]),
        depth0: tf.tensor1d([ctx.depth0]),
        poseMean: tf.tensor1d(Array.from(ctx.poseMean)),
      };
      const t = costTf(mt, tf.tensor2d(Array.from(x.subarray(0, 72)), [1, 72]), tf.tensor2d(Array.from(x.subarray(72, 82)), [1, 10]), tf.tensor2d(Array.from(x.subarray(82, 85)), [1, 3]), data, stage);
      const ts = totalCost(ctx, x, stage);
      expect(Math.abs((await t.data())[0] - ts) / ts).toBeLessThan(1e-4);
    }
  });
});

describe('gradient solver (tfjs, batched) agrees with Levenberg-Marquardt', () => {
  it('fits two people in one batch to the same 2D joints', async () => {
    const rand = mulberry32(41);
    const cases = [syntheticCase(model, rand), syntheticCase(model, rand)];
    const grad = await fitPeopleGradient(cases.map((c) => c.target), { stepsPerIteration: 6 });
    cases.forEach((c, i) => {
      const lm = fitPersonLm(c.target);
      expect(errPct(grad[i].reprojectionErrorPx.mean, c.boxHeight)).toBeLessThan(2);
      let d = 0;
      for (let k = 0; k < 17; k++) d += Math.hypot(grad[i].joints2d[k][0] - lm.joints2d[k][0], grad[i].joints2d[k][1] - lm.joints2d[k][1]) / 17;
      expect(errPct(d, c.boxHeight)).toBeLessThan(3);
    });
  });
});
