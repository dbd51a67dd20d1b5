/**
 * The fitting objective, in plain TypeScript (the tfjs twin is objective-tf.ts; a test checks they agree).
 *
 * Parameters x = [pose (72) | betas (B) | translation (3)] in the camera frame. Residuals:
 * - data, per COCO-17 point with c > 0 and per image axis: `sqrt(k_i c_i) * rho(e)`, e = (projected - target) / s,
 *   s = person-box height in pixels, rho(e) = sigma e / sqrt(e^2 + sigma^2) (so rho^2 is Geman-McClure / GMoF);
 * - pose prior: `w_pose m_j (theta - theta_relaxed)` for joints 1..23 (m_j per joint);
 * - joint limits (this also fixes the bending direction of elbows and knees):
 *   `w_lim (theta - clamp(theta, lower, upper))` for joints 1..23;
 * - shape prior: `w_shape beta`, and a bound: `w_lim (beta - clamp(beta, -BETA_LIMIT, BETA_LIMIT))`;
 * - depth prior (camera stage): `w_depth (t_z - t_z0) / t_z0`.
 * The cost is the sum of squared residuals.
 */
import { BETA_LIMIT, CAMERA_FACE_WEIGHT, FIT_WEIGHTS, type StageWeights, TORSO_POINTS } from './constants.ts';
import { JacobianScratch, JointScratch, type JointModel, poseJoints, poseJointsJacobian } from './joint-model.ts';
import { POSE_LOWER, POSE_UPPER, RELAXED_POSE } from './kinematics.ts';
import type { Camera } from './types.ts';

/** Everything the objective needs for one person. */
export interface ObjectiveContext {
  model: JointModel;
  camera: Camera;
  /** Target keypoints [17*3] (u, v, c) in pixels. */
  target: Float64Array;
  /** Person-box height in pixels. */
  scale: number;
  /** Initial depth guess t_z0 (metres) for the depth prior. */
  depth0: number;
  /** Reference pose (prior centre) [72]. */
  poseMean: Float64Array;
  scratch: JointScratch;
  /** Scratch and full point Jacobian [51 * (75+B)] of the analytic Jacobian. */
  jacScratch: JacobianScratch;
  pointJac: Float64Array;
  /** Work buffer for posed COCO points [17*3]. */
  coco: Float64Array;
}

export function makeContext(model: JointModel, camera: Camera, target: Float64Array, scale: number, depth0: number): ObjectiveContext {
  return {
    model, camera, target, scale, depth0, poseMean: Float64Array.from(RELAXED_POSE), scratch: new JointScratch(),
    jacScratch: new JacobianScratch(model), pointJac: new Float64Array(51 * numParams(model)), coco: new Float64Array(51),
  };
}

/** Number of parameters for a model with B betas. */
export const numParams = (model: JointModel) => 72 + model.numBetas + 3;

/**
 * Per-point data weight sqrt(k_i c_i) for a stage. The camera stage sees the torso points, and the face points at
 * CAMERA_FACE_WEIGHT (they tell which way the body turns).
 */
export function dataWeights(ctx: ObjectiveContext, stage: StageWeights, out = new Float64Array(17)): Float64Array {
  for (let i = 0; i < 17; i++) {
    const c = ctx.target[i * 3 + 2];
    const k = !stage.cameraOnly || TORSO_POINTS.includes(i) ? FIT_WEIGHTS.keypoint[i] : i < 5 ? CAMERA_FACE_WEIGHT : 0;
    out[i] = c > 0 && k > 0 ? Math.sqrt(k * c) : 0;
  }
  return out;
}

/** Project posed COCO points [17*3] (camera frame) to pixels [17*2]. Points at z < 1 cm are held at 1 cm. */
export function project(coco: Float64Array, cam: Camera, out = new Float64Array(34)): Float64Array {
  for (let i = 0; i < 17; i++) {
    const z = Math.max(coco[i * 3 + 2], 0.01);
    out[i * 2] = (cam.focal * coco[i * 3]) / z + cam.cx;
    out[i * 2 + 1] = (cam.focal * coco[i * 3 + 1]) / z + cam.cy;
  }
  return out;
}

/** Data residuals [34] for parameters `x` (see the file comment). */
export function dataResiduals(ctx: ObjectiveContext, x: Float64Array, w: Float64Array, out: Float64Array): Float64Array {
  const B = ctx.model.numBetas;
  const betas = x.subarray(72, 72 + B);
  const t = x.subarray(72 + B, 75 + B);
  poseJoints(ctx.model, x, betas, t, ctx.coco, ctx.scratch);
  const { focal, cx, cy } = ctx.camera;
  const sig = FIT_WEIGHTS.sigma;
  const sig2 = sig * sig;
  const inv = 1 / ctx.scale;
  for (let i = 0; i < 17; i++) {
    if (w[i] === 0) {
      out[i * 2] = 0;
      out[i * 2 + 1] = 0;
      continue;
    }
    const z = Math.max(ctx.coco[i * 3 + 2], 0.01);
    const eu = ((focal * ctx.coco[i * 3]) / z + cx - ctx.target[i * 3]) * inv;
    const ev = ((focal * ctx.coco[i * 3 + 1]) / z + cy - ctx.target[i * 3 + 1]) * inv;
    out[i * 2] = (w[i] * sig * eu) / Math.sqrt(eu * eu + sig2);
    out[i * 2 + 1] = (w[i] * sig * ev) / Math.sqrt(ev * ev + sig2);
  }
  return out;
}

/** Prior cost (pose, limits, shape, depth) of `x` for `stage`. */
export function priorCost(ctx: ObjectiveContext, x: Float64Array, stage: StageWeights): number {
  let e = 0;
  for (let i = 3; i < 72; i++) {
    const m = FIT_WEIGHTS.poseJoint[(i / 3) | 0];
    const rp = stage.pose * m * (x[i] - ctx.poseMean[i]);
    const v = x[i];
    const rl = FIT_WEIGHTS.limits * (v < POSE_LOWER[i] ? v - POSE_LOWER[i] : v > POSE_UPPER[i] ? v - POSE_UPPER[i] : 0);
    e += rp * rp + rl * rl;
  }
  const B = ctx.model.numBetas;
  for (let k = 0; k < B; k++) {
    const b = x[72 + k];
    const r = stage.shape * b;
    const rb = FIT_WEIGHTS.limits * (b < -BETA_LIMIT ? b + BETA_LIMIT : b > BETA_LIMIT ? b - BETA_LIMIT : 0);
    e += r * r + rb * rb;
  }
  if (stage.depth > 0) {
    const r = (stage.depth * (x[72 + B + 2] - ctx.depth0)) / ctx.depth0;
    e += r * r;
  }
  return e;
}

/** Total cost of `x` for `stage` (sum of squared residuals). */
export function totalCost(ctx: ObjectiveContext, x: Float64Array, stage: StageWeights): number {
  const w = dataWeights(ctx, stage);
  const r = dataResiduals(ctx, x, w, new Float64Array(34));
  let e = 0;
  for (let i = 0; i < 34; i++) e += r[i] * r[i];
  return e + priorCost(ctx, x, stage);
}

/**
 * Data residuals [34] and their Jacobian with respect to the parameters in `active`, written to `jr` [34 * n]
 * (analytic: forward kinematics derivatives, pinhole projection, then the robust function).
 */
export function dataResidualsJacobian(
  ctx: ObjectiveContext, x: Float64Array, w: Float64Array, active: Int32Array, r: Float64Array, jr: Float64Array,
): void {
  const N = numParams(ctx.model);
  const n = active.length;
  const J = ctx.pointJac;
  poseJointsJacobian(ctx.model, x, ctx.coco, J, ctx.jacScratch);
  const { focal, cx, cy } = ctx.camera;
  const sig = FIT_WEIGHTS.sigma;
  const sig2 = sig * sig;
  const inv = 1 / ctx.scale;
  jr.fill(0);
  for (let i = 0; i < 17; i++) {
    if (w[i] === 0) {
      r[i * 2] = 0;
      r[i * 2 + 1] = 0;
      continue;
    }
    const X = ctx.coco[i * 3], Y = ctx.coco[i * 3 + 1];
    const clamped = ctx.coco[i * 3 + 2] < 0.01;
    const Z = clamped ? 0.01 : ctx.coco[i * 3 + 2];
    const eu = ((focal * X) / Z + cx - ctx.target[i * 3]) * inv;
    const ev = ((focal * Y) / Z + cy - ctx.target[i * 3 + 1]) * inv;
    const qu = eu * eu + sig2, qv = ev * ev + sig2;
    r[i * 2] = (w[i] * sig * eu) / Math.sqrt(qu);
    r[i * 2 + 1] = (w[i] * sig * ev) / Math.sqrt(qv);
    // d r / d e = w sigma^3 / (e^2 + sigma^2)^(3/2); d e / d(X, Z) = (f / (s Z), -f X / (s Z^2))
    const gu = (w[i] * sig * sig2) / (qu * Math.sqrt(qu));
    const gv = (w[i] * sig * sig2) / (qv * Math.sqrt(qv));
    const aX = (gu * focal * inv) / Z, aZu = clamped ? 0 : (-gu * focal * inv * X) / (Z * Z);
    const bY = (gv * focal * inv) / Z, bZv = clamped ? 0 : (-gv * focal * inv * Y) / (Z * Z);
    const rowX = i * 3 * N, rowY = rowX + N, rowZ = rowY + N;
    const ou = i * 2 * n, ov = ou + n;
    for (let c = 0; c < n; c++) {
      const p = active[c];
      const jz = J[rowZ + p];
      jr[ou + c] = aX * J[rowX + p] + aZu * jz;
      jr[ov + c] = bY * J[rowY + p] + bZv * jz;
    }
  }
}
