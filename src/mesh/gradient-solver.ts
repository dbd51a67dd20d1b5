/**
 * Batched gradient fitting: Adam on the tfjs objective (objective-tf.ts), many people in one call, on any tfjs
 * backend. Same stages, initial guesses and front/back handling as the LM fitter: every start (orientation, yaw,
 * sitting legs) is its own batch entry, and per person the lowest final cost wins.
 */
import * as tf from '@tensorflow/tfjs';
import { FIT_STAGES, GRADIENT_CONFIG, type StageWeights, YAW_STARTS } from './constants.ts';
import {
  activeParams, candidateOrientations, describeFit, getDefaultJointModel, initialGuess, legStarts, targetArray, targetScale, turnAboutBodyY,
} from './fitter.ts';
import type { JointModel } from './joint-model.ts';
import { clampPose } from './kinematics.ts';
import { dataWeights, makeContext, totalCost, type ObjectiveContext } from './objective.ts';
import { costTf, disposeJointModelTensors, jointModelTensors } from './objective-tf.ts';
import type { FitTarget, FittedBody } from './types.ts';

export interface GradientFitOptions {
  model?: JointModel;
  stages?: readonly StageWeights[];
  /** Adam steps per stage iteration (default GRADIENT_CONFIG.stepsPerIteration). */
  stepsPerIteration?: number;
  learningRate?: number;
  /** Most batch entries (person x start) in one tfjs batch; more people are fitted in consecutive batches. */
  maxEntries?: number;
}

/**
 * Default for GradientFitOptions.maxEntries. WebGPU caps a dispatch at 65,535 workgroups per dimension; on an
 * NVIDIA H200 through Dawn one of tfjs's kernels exceeded it with 3,072 entries (person x start) and not with 790.
 */
export const MAX_GRADIENT_ENTRIES = 768;

/** Fit many people at once with Adam on the tfjs objective. */
export async function fitPeopleGradient(targets: FitTarget[], o: GradientFitOptions = {}): Promise<FittedBody[]> {
  const model = o.model ?? getDefaultJointModel();
  const stages = o.stages ?? FIT_STAGES;
  const steps = o.stepsPerIteration ?? GRADIENT_CONFIG.stepsPerIteration;
  const lr = o.learningRate ?? GRADIENT_CONFIG.learningRate;
  const B = model.numBetas;
  // one batch entry per (person, candidate orientation)
  const entries: Array<{ person: number; ctx: ObjectiveContext; x: Float64Array }> = [];
  targets.forEach((target, person) => {
    const kp = targetArray(target);
    const scale = targetScale(target, kp);
    const legs = legStarts(kp);
    for (const base of candidateOrientations(kp)) {
      for (const yaw of YAW_STARTS) {
        for (const bent of legs) {
          const ctx = makeContext(model, target.camera, kp, scale, 1);
          entries.push({ person, ctx, x: initialGuess(ctx, turnAboutBodyY(base, yaw), bent) });
        }
      }
    }
  });
  const M = entries.length;
  if (M === 0) return [];
  const maxEntries = Math.max(1, o.maxEntries ?? MAX_GRADIENT_ENTRIES);
  if (M > maxEntries && targets.length > 1) {
    // consecutive groups of people, each within the limit (a person's starts always stay in one batch)
    const perPerson = new Array<number>(targets.length).fill(0);
    for (const e of entries) perPerson[e.person]++;
    const out: FittedBody[] = [];
    for (let a = 0; a < targets.length;) {
      let b = a + 1, n = perPerson[a];
      while (b < targets.length && n + perPerson[b] <= maxEntries) n += perPerson[b++];
      out.push(...(await fitPeopleGradient(targets.slice(a, b), { ...o, model })));
      a = b;
    }
    return out;
  }
  const mt = jointModelTensors(model);
  const f32 = (fn: (e: (typeof entries)[number]) => ArrayLike<number>) => Float32Array.from(entries.flatMap((e) => Array.from(fn(e))));
  const target = tf.tensor3d(f32((e) => Array.from({ length: 34 }, (_, k) => e.ctx.target[((k / 2) | 0) * 3 + (k % 2)])), [M, 17, 2]);
  const scale = tf.tensor2d(f32((e) => [e.ctx.scale]), [M, 1]);
  const camera = tf.tensor2d(f32((e) => [e.ctx.camera.focal, e.ctx.camera.cx, e.ctx.camera.cy]), [M, 3]);
  const depth0 = tf.tensor1d(f32((e) => [e.ctx.depth0]));
  const poseMean = tf.tensor1d(Float32Array.from(entries[0].ctx.poseMean));
  const root = tf.variable(tf.tensor2d(f32((e) => e.x.subarray(0, 3)), [M, 3]));
  // joints no keypoint sees stay where they start (as in the LM fitter): only the observed ones are variables
  const observed = Array.from(activeParams(model, { ...stages[stages.length - 1], cameraOnly: false })).filter((i) => i >= 3 && i < 72);
  const fixedIdx = Array.from({ length: 69 }, (_, i) => i + 3).filter((i) => !observed.includes(i));
  const body = tf.variable(tf.tensor2d(f32((e) => observed.map((i) => e.x[i])), [M, observed.length]));
  const fixed = tf.tensor2d(f32((e) => fixedIdx.map((i) => e.x[i])), [M, fixedIdx.length]);
  // pose = gather(concat(root, body, fixed), perm)
  const src = [0, 1, 2, ...observed, ...fixedIdx];
  const perm = Array.from({ length: 72 }, (_, i) => src.indexOf(i));
  const permMat = tf.tensor2d(Float32Array.from({ length: 72 * 72 }, (_, k) => (perm[k % 72] === ((k / 72) | 0) ? 1 : 0)), [72, 72]);
  const betas = tf.variable(tf.tensor2d(f32((e) => e.x.subarray(72, 72 + B)), [M, B]));
  const trans = tf.variable(tf.tensor2d(f32((e) => e.x.subarray(72 + B, 75 + B)), [M, 3]));
  let totalSteps = 0;
  try {
    for (const stage of stages) {
      const weight = tf.tensor2d(f32((e) => dataWeights(e.ctx, stage)), [M, 17]);
      const data = { target, weight, scale, camera, depth0, poseMean };
      const vars = stage.cameraOnly ? [root, trans] : [root, body, betas, trans];
      const opt = tf.train.adam(lr);
      for (let s = 0; s < stage.iterations * steps; s++) {
        opt.minimize(() => {
          const pose = tf.matMul(tf.concat([root, body, fixed], 1), permMat) as tf.Tensor2D;
          return tf.sum(costTf(mt, pose, betas, trans, data, stage)) as tf.Scalar;
        }, false, vars);
        totalSteps++;
      }
      opt.dispose();
      weight.dispose();
      await tf.nextFrame?.();
    }
    const poseAll = tf.tidy(() => tf.matMul(tf.concat([root, body, fixed], 1), permMat));
    const [r, be, t] = await Promise.all([poseAll.data(), betas.data(), trans.data()]);
    poseAll.dispose();
    const last = stages[stages.length - 1];
    const best = new Map<number, { ctx: ObjectiveContext; x: Float64Array; cost: number }>();
    entries.forEach((e, i) => {
      const x = new Float64Array(75 + B);
      x.set(r.subarray(i * 72, i * 72 + 72), 0);
      x.set(be.subarray(i * B, i * B + B), 72);
      x.set(t.subarray(i * 3, i * 3 + 3), 72 + B);
      const pose = x.subarray(0, 72);
      clampPose(pose);
      const cost = totalCost(e.ctx, x, last);
      const prev = best.get(e.person);
      if (!prev || cost < prev.cost) best.set(e.person, { ctx: e.ctx, x, cost });
    });
    return targets.map((_, p) => {
      const bst = best.get(p)!;
      return describeFit(bst.ctx, bst.x, totalSteps, bst.cost);
    });
  } finally {
    tf.dispose([target, scale, camera, depth0, poseMean, root, body, fixed, betas, trans, permMat]);
    disposeJointModelTensors(mt);
  }
}
