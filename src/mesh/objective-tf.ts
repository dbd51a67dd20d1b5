/**
 * The fitting objective of objective.ts as differentiable tfjs ops, batched over people, on the joints-only fast
 * path (rest joints linear in the betas, forward kinematics by tree levels from lbs.ts, face points on the head).
 * Same terms and weights as the TypeScript version; a test checks that both give the same cost.
 */
import * as tf from '@tensorflow/tfjs';
import { BETA_LIMIT, FIT_WEIGHTS, type StageWeights } from './constants.ts';
import type { JointModel } from './joint-model.ts';
import { POSE_LOWER, POSE_UPPER } from './kinematics.ts';
import { rigidTransforms, rodrigues, selectRows, treeLevels, type TreeLevels } from './lbs.ts';

/** A JointModel as constant tensors. */
export interface JointModelTensors {
  numBetas: number;
  J0: tf.Tensor2D; // [24,3]
  SJt: tf.Tensor2D; // [B,72]
  F0: tf.Tensor2D; // [5,3]
  SFt: tf.Tensor2D; // [B,15]
  parents: number[];
  levels: TreeLevels;
  /** SMPL joints of COCO points 5..16. */
  bodyJoints: number[];
  headJoint: number;
  /** Pose bounds [72] (the root's are +-1e6). */
  lower: tf.Tensor1D;
  upper: tf.Tensor1D;
  /** Per-component pose prior multiplier [72] (0 for the root). */
  poseMul: tf.Tensor1D;
}

/** Upload a JointModel (call once; `disposeJointModelTensors` frees it). */
export function jointModelTensors(m: JointModel): JointModelTensors {
  const B = m.numBetas;
  const transposeRows = (src: Float64Array, rows: number) => {
    const out = new Float32Array(B * rows);
    for (let r = 0; r < rows; r++) for (let k = 0; k < B; k++) out[k * rows + r] = src[r * B + k];
    return out;
  };
  const bodyJoints = Array.from(m.cocoFromSmpl).slice(5);
  // joints needed for the COCO points: their ancestors, the head, and the body joints
  const needed = new Set<number>();
  for (const j of [...bodyJoints, m.headJoint]) for (let k = j; k >= 0; k = m.parents[k]) needed.add(k);
  const parents = Array.from(m.parents);
  return {
    numBetas: B,
    J0: tf.keep(tf.tensor2d(Float32Array.from(m.J0), [24, 3])),
    SJt: tf.keep(tf.tensor2d(transposeRows(m.SJ, 72), [B, 72])),
    F0: tf.keep(tf.tensor2d(Float32Array.from(m.F0), [5, 3])),
    SFt: tf.keep(tf.tensor2d(transposeRows(m.SF, 15), [B, 15])),
    parents,
    levels: treeLevels(parents, (j) => needed.has(j)),
    bodyJoints,
    headJoint: m.headJoint,
    lower: tf.keep(tf.tensor1d(Array.from(POSE_LOWER, (v) => Math.max(v, -1e6)))),
    upper: tf.keep(tf.tensor1d(Array.from(POSE_UPPER, (v) => Math.min(v, 1e6)))),
    poseMul: tf.keep(tf.tensor1d(Array.from({ length: 72 }, (_, i) => (i < 3 ? 0 : FIT_WEIGHTS.poseJoint[(i / 3) | 0])))),
  };
}

export function disposeJointModelTensors(t: JointModelTensors): void {
  tf.dispose([t.J0, t.SJt, t.F0, t.SFt, t.lower, t.upper, t.poseMul]);
}

/**
 * COCO-17 points [N,17,3] (metres, camera frame) of bodies `pose` [N,72], `betas` [N,B], `t` [N,3].
 */
export function cocoJointsTf(m: JointModelTensors, pose: tf.Tensor2D, betas: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor3D {
  const N = pose.shape[0];
  // rest joints J = J0 + betas SJ^T: [N,24,3]; face points likewise [N,5,3]
  const rest = tf.add(tf.reshape(tf.matMul(betas, m.SJt), [N, 24, 3]), m.J0) as tf.Tensor3D;
  const face = tf.add(tf.reshape(tf.matMul(betas, m.SFt), [N, 5, 3]), m.F0);
  const R = rodrigues(tf.reshape(pose, [N, 24, 3]) as tf.Tensor3D);
  const { Rg, P } = rigidTransforms(R, rest, m.parents, m.levels);
  const ord = m.levels.order;
  const body = selectRows(P, m.bodyJoints.map((j) => ord[j])); // [N,12,3]
  const h = ord[m.headJoint];
  const Rh = tf.reshape(tf.slice(Rg, [0, h, 0, 0], [N, 1, 3, 3]), [N, 3, 3]);
  const Ph = tf.slice(P, [0, h, 0], [N, 1, 3]); // [N,1,3]
  const Jh = tf.slice(rest, [0, m.headJoint, 0], [N, 1, 3]);
  // face = P_head + R_head (F - J_head)
  const off = tf.transpose(tf.sub(face, Jh), [0, 2, 1]); // [N,3,5]
  const facePosed = tf.add(tf.transpose(tf.matMul(Rh, off), [0, 2, 1]), Ph);
  return tf.add(tf.concat([facePosed, body], 1), tf.reshape(t, [N, 1, 3])) as tf.Tensor3D;
}

/** Per-person data of the batched objective. */
export interface ObjectiveData {
  /** Target pixels [N,17,2]. */
  target: tf.Tensor3D;
  /** Data weights sqrt(k_i c_i) [N,17] (0 = ignored). */
  weight: tf.Tensor2D;
  /** Person-box heights [N,1]. */
  scale: tf.Tensor2D;
  /** Camera [N,3]: focal, cx, cy. */
  camera: tf.Tensor2D;
  /** Initial depth t_z0 [N]. */
  depth0: tf.Tensor1D;
  /** Prior centre pose [72]. */
  poseMean: tf.Tensor1D;
}

/** Per-person cost [N] (sum of squared residuals, the same terms as objective.ts). */
export function costTf(m: JointModelTensors, pose: tf.Tensor2D, betas: tf.Tensor2D, t: tf.Tensor2D, d: ObjectiveData, stage: StageWeights): tf.Tensor1D {
  const N = pose.shape[0];
  const p = cocoJointsTf(m, pose, betas, t);
  const [X, Y, Zraw] = tf.split(p, 3, 2); // [N,17,1] each
  const Z = tf.maximum(Zraw, 0.01);
  const [f, cx, cy] = tf.split(d.camera, 3, 1); // [N,1]
  const fz = tf.div(tf.reshape(f, [N, 1, 1]), Z);
  const uv = tf.add(tf.concat([tf.mul(X, fz), tf.mul(Y, fz)], 2), tf.reshape(tf.concat([cx, cy], 1), [N, 1, 2]));
  // e = (uv - target) / s; rho^2 = w^2 sigma^2 e^2 / (e^2 + sigma^2)
  const e2 = tf.square(tf.div(tf.sub(uv, d.target), tf.reshape(d.scale, [N, 1, 1])));
  const s2 = FIT_WEIGHTS.sigma ** 2;
  const rho = tf.div(tf.mul(e2, s2), tf.add(e2, s2));
  const data = tf.sum(tf.mul(tf.sum(rho, 2), tf.square(d.weight)), 1);
  // priors
  const dev = tf.mul(tf.sub(pose, d.poseMean), tf.mul(m.poseMul, stage.pose));
  const out = tf.sub(pose, tf.minimum(tf.maximum(pose, m.lower), m.upper));
  let prior = tf.add(tf.sum(tf.square(dev), 1), tf.mul(tf.sum(tf.square(out), 1), FIT_WEIGHTS.limits ** 2));
  prior = tf.add(prior, tf.mul(tf.sum(tf.square(betas), 1), stage.shape ** 2));
  const betaOut = tf.sub(betas, tf.clipByValue(betas, -BETA_LIMIT, BETA_LIMIT));
  prior = tf.add(prior, tf.mul(tf.sum(tf.square(betaOut), 1), FIT_WEIGHTS.limits ** 2));
  if (stage.depth > 0) {
    const tz = tf.reshape(tf.slice(t, [0, 2], [N, 1]), [N]);
    prior = tf.add(prior, tf.square(tf.mul(tf.div(tf.sub(tz, d.depth0), d.depth0), stage.depth)));
  }
  return tf.add(data, prior) as tf.Tensor1D;
}
