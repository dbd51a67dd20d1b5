/**
 * The body fitter: COCO-17 keypoints + camera -> body parameters in the camera frame.
 *
 * Recipe: (1) initial guess: the relaxed pose, betas 0, facing the camera or away from it as the left/right labels of
 * shoulders and hips say, depth from the torso by similar triangles; (2) staged optimisation of the objective in
 * objective.ts: camera stage (global orientation and translation on the torso points, with a depth prior), then the
 * body with a strong prior, then with a weak prior; (3) the front/back ambiguity: when the shoulders look narrow
 * (a side view), both orientations are fitted and the lower cost is kept. Keypoints with c = 0 are ignored.
 */
import { FormatError } from '../errors.ts';
import {
  FIT_STAGES, MAX_FIT_BETAS, MIN_CONFIDENT_KEYPOINTS, SELECT_AFTER_STAGES, SHORT_THIGH_RATIO, SIDE_VIEW_RATIO,
  SITTING_HIP_FLEXION, SITTING_KNEE_FLEXION, type StageWeights, UNOBSERVED_JOINTS, YAW_STARTS,
} from './constants.ts';
import { axisAngleToMatrix, matrixToAxisAngle, mul3 } from './rotation.ts';
import { JointScratch, type JointModel, defaultJointModel, poseJoints } from './joint-model.ts';
import { RELAXED_POSE, clampPose } from './kinematics.ts';
import { lmSolve } from './lm-solver.ts';
import { type ObjectiveContext, makeContext, numParams, project, totalCost } from './objective.ts';
import type { Camera, FitTarget, FittedBody } from './types.ts';

/** Axis-angle of the global orientation for a body facing the camera (body y up -> image up, body z -> camera). */
export const FACING_CAMERA: readonly [number, number, number] = [Math.PI, 0, 0];
/** Axis-angle of the global orientation for a body facing away from the camera. */
export const FACING_AWAY: readonly [number, number, number] = [0, 0, Math.PI];

/** Check a target and return its keypoints as [17*3] (u, v, c); throws a one-line FormatError on bad input. */
export function targetArray(t: FitTarget): Float64Array {
  if (!Array.isArray(t.keypoints) || t.keypoints.length !== 17) {
    throw new FormatError(`keypoints must be 17 COCO-17 [x, y, c] triples, got ${Array.isArray(t.keypoints) ? t.keypoints.length : typeof t.keypoints}`);
  }
  const out = new Float64Array(51);
  let confident = 0;
  t.keypoints.forEach((k, i) => {
    if (!Array.isArray(k) || k.length < 3 || !k.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new FormatError(`keypoint ${i} must be [x, y, c] finite numbers, got ${JSON.stringify(k)}`);
    }
    out[i * 3] = k[0];
    out[i * 3 + 1] = k[1];
    out[i * 3 + 2] = Math.min(1, Math.max(0, k[2]));
    if (k[2] > 0) confident++;
  });
  if (confident < MIN_CONFIDENT_KEYPOINTS) {
    throw new FormatError(`a fit needs at least ${MIN_CONFIDENT_KEYPOINTS} keypoints with c > 0, got ${confident}`);
  }
  const { focal, cx, cy } = t.camera;
  if (!(focal > 0) || !Number.isFinite(focal) || !Number.isFinite(cx) || !Number.isFinite(cy)) {
    throw new FormatError(`camera must have a positive finite focal and finite cx, cy, got ${JSON.stringify(t.camera)}`);
  }
  return out;
}

/** Person-box height in pixels: the given one, else the vertical extent of the confident keypoints times 1.15. */
export function targetScale(t: FitTarget, kp: Float64Array): number {
  if (t.boxHeight && t.boxHeight > 0) return t.boxHeight;
  let lo = Infinity, hi = -Infinity, lx = Infinity, hx = -Infinity;
  for (let i = 0; i < 17; i++) {
    if (kp[i * 3 + 2] <= 0) continue;
    lo = Math.min(lo, kp[i * 3 + 1]);
    hi = Math.max(hi, kp[i * 3 + 1]);
    lx = Math.min(lx, kp[i * 3]);
    hx = Math.max(hx, kp[i * 3]);
  }
  return Math.max(1.15 * (hi - lo), 0.5 * (hx - lx), 8);
}

const dist2 = (kp: Float64Array, a: number, b: number) => Math.hypot(kp[a * 3] - kp[b * 3], kp[a * 3 + 1] - kp[b * 3 + 1]);
const ok = (kp: Float64Array, i: number) => kp[i * 3 + 2] > 0;

/** Initial parameter vector for one orientation: relaxed pose, betas 0, translation from similar triangles. */
export function initialGuess(ctx: ObjectiveContext, root: readonly [number, number, number], bentLegs: readonly boolean[] = [false, false]): Float64Array {
  const m = ctx.model;
  const x = new Float64Array(numParams(m));
  x.set(RELAXED_POSE);
  // a leg whose thigh looks short in 2D starts bent as in sitting (thigh forward, knee bent)
  bentLegs.forEach((bent, side) => {
    if (!bent) return;
    x[(1 + side) * 3] = SITTING_HIP_FLEXION;
    x[(4 + side) * 3] = SITTING_KNEE_FLEXION;
  });
  x[0] = root[0];
  x[1] = root[1];
  x[2] = root[2];
  const B = m.numBetas;
  const kp = ctx.target;
  const cam = ctx.camera;
  // 3D points of the relaxed body at the origin, in the camera frame.
  const P = poseJoints(m, x, x.subarray(72, 72 + B), [0, 0, 0], new Float64Array(51), new JointScratch());
  const d3 = (a: number, b: number) => Math.hypot(P[a * 3] - P[b * 3], P[a * 3 + 1] - P[b * 3 + 1], P[a * 3 + 2] - P[b * 3 + 2]);
  let l3 = 0, l2 = 0;
  for (const [a, b] of [[5, 11], [6, 12], [11, 13], [12, 14], [5, 7], [6, 8]]) {
    if (ok(kp, a) && ok(kp, b)) {
      l3 += d3(a, b);
      l2 += dist2(kp, a, b);
    }
  }
  let tz: number;
  if (l2 > 1e-6) tz = (cam.focal * l3) / l2;
  else {
    // fall back on the vertical extent of the visible points
    let lo = Infinity, hi = -Infinity, lo3 = Infinity, hi3 = -Infinity;
    for (let i = 0; i < 17; i++) {
      if (!ok(kp, i)) continue;
      lo = Math.min(lo, kp[i * 3 + 1]);
      hi = Math.max(hi, kp[i * 3 + 1]);
      lo3 = Math.min(lo3, P[i * 3 + 1]);
      hi3 = Math.max(hi3, P[i * 3 + 1]);
    }
    tz = (cam.focal * Math.max(hi3 - lo3, 0.3)) / Math.max(hi - lo, 1);
  }
  tz = Math.min(Math.max(tz, 0.3), 1000);
  // Centre: match the mean of the visible points.
  let su = 0, sv = 0, sx = 0, sy = 0, sz = 0, n = 0;
  for (let i = 0; i < 17; i++) {
    if (!ok(kp, i)) continue;
    su += kp[i * 3];
    sv += kp[i * 3 + 1];
    sx += P[i * 3];
    sy += P[i * 3 + 1];
    sz += P[i * 3 + 2];
    n++;
  }
  const zc = tz + sz / n;
  x[72 + B] = ((su / n - cam.cx) * zc) / cam.focal - sx / n;
  x[72 + B + 1] = ((sv / n - cam.cy) * zc) / cam.focal - sy / n;
  x[72 + B + 2] = tz;
  ctx.depth0 = tz;
  return x;
}

/** The orientations worth trying for these keypoints (one, or both when the view is ambiguous). */
export function candidateOrientations(kp: Float64Array, sideViewRatio = SIDE_VIEW_RATIO): Array<readonly [number, number, number]> {
  let lr = 0;
  let width = 0;
  let height = 0;
  let nh = 0;
  if (ok(kp, 5) && ok(kp, 6)) {
    lr += kp[5 * 3] - kp[6 * 3];
    width = Math.abs(kp[5 * 3] - kp[6 * 3]);
  }
  if (ok(kp, 11) && ok(kp, 12)) lr += kp[11 * 3] - kp[12 * 3];
  for (const [a, b] of [[5, 11], [6, 12]]) {
    if (ok(kp, a) && ok(kp, b)) {
      height += dist2(kp, a, b);
      nh++;
    }
  }
  const first = lr >= 0 ? FACING_CAMERA : FACING_AWAY;
  const second = lr >= 0 ? FACING_AWAY : FACING_CAMERA;
  const ambiguous = nh === 0 || width === 0 || width < sideViewRatio * (height / nh);
  return ambiguous ? [first, second] : [first];
}

/** `root` followed by a turn of `yaw` radians about the body's own vertical (y) axis, as axis-angle. */
export function turnAboutBodyY(root: readonly [number, number, number], yaw: number): readonly [number, number, number] {
  if (yaw === 0) return root;
  return matrixToAxisAngle(mul3(axisAngleToMatrix(root), axisAngleToMatrix([0, yaw, 0])));
}

/**
 * Which legs look foreshortened (2D thigh shorter than SHORT_THIGH_RATIO of the 2D torso): those get a second,
 * sitting start. Returns the leg variants to try ([left bent, right bent]).
 */
export function legStarts(kp: Float64Array): boolean[][] {
  let torso = 0, nt = 0;
  for (const [a, b] of [[5, 11], [6, 12]]) {
    if (ok(kp, a) && ok(kp, b)) {
      torso += dist2(kp, a, b);
      nt++;
    }
  }
  if (!nt) return [[false, false]];
  torso /= nt;
  const short = [[11, 13], [12, 14]].map(([h, k]) => ok(kp, h) && ok(kp, k) && dist2(kp, h, k) < SHORT_THIGH_RATIO * torso);
  return short[0] || short[1] ? [[false, false], short] : [[false, false]];
}

/** Parameter indices optimised by a stage. */
export function activeParams(model: JointModel, stage: StageWeights): Int32Array {
  const B = model.numBetas;
  const idx: number[] = [0, 1, 2];
  if (!stage.cameraOnly) {
    for (let j = 1; j < 24; j++) if (!UNOBSERVED_JOINTS.includes(j)) idx.push(j * 3, j * 3 + 1, j * 3 + 2);
    // betas that move no joint or face point cannot be seen in 2D: they stay at 0
    for (let k = 0; k < Math.min(B, MAX_FIT_BETAS) && !stage.fixShape; k++) {
      let seen = false;
      for (let r = 0; r < 72 && !seen; r++) seen = Math.abs(model.SJ[r * B + k]) > 1e-6;
      for (let r = 0; r < 15 && !seen; r++) seen = Math.abs(model.SF[r * B + k]) > 1e-6;
      if (seen) idx.push(72 + k);
    }
  }
  idx.push(72 + B, 73 + B, 74 + B);
  return Int32Array.from(idx);
}

/** Turn parameters into a FittedBody (projected joints and errors against the target). */
export function describeFit(ctx: ObjectiveContext, x: Float64Array, iterations: number, cost: number): FittedBody {
  const m = ctx.model;
  const B = m.numBetas;
  const coco = poseJoints(m, x, x.subarray(72, 72 + B), x.subarray(72 + B, 75 + B), new Float64Array(51), new JointScratch());
  const uv = project(coco, ctx.camera);
  const errs: number[] = [];
  const joints2d: Array<[number, number]> = [];
  const joints3d: Array<[number, number, number]> = [];
  for (let i = 0; i < 17; i++) {
    joints2d.push([uv[i * 2], uv[i * 2 + 1]]);
    joints3d.push([coco[i * 3], coco[i * 3 + 1], coco[i * 3 + 2]]);
    if (ctx.target[i * 3 + 2] > 0) errs.push(Math.hypot(uv[i * 2] - ctx.target[i * 3], uv[i * 2 + 1] - ctx.target[i * 3 + 1]));
  }
  const sorted = [...errs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianErr = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    pose: Float64Array.from(x.subarray(0, 72)),
    betas: Float64Array.from(x.subarray(72, 72 + B)),
    translation: Float64Array.from(x.subarray(72 + B, 75 + B)),
    camera: { ...ctx.camera },
    joints2d,
    joints3d,
    reprojectionErrorPx: {
      mean: errs.reduce((s, e) => s + e, 0) / errs.length,
      median: medianErr,
      max: sorted[sorted.length - 1],
    },
    iterations,
    cost,
  };
}

/** Options of the plain fitter. */
export interface FitPersonOptions {
  model?: JointModel;
  stages?: readonly StageWeights[];
  /** Try both orientations when the 2D shoulder width is below this fraction of the torso height. */
  sideViewRatio?: number;
  /** Turns about the body's vertical axis tried from each orientation (radians; default YAW_STARTS). */
  yaws?: readonly number[];
  /** Stages run for every start before the best start is kept (default SELECT_AFTER_STAGES). */
  selectAfter?: number;
}

let _defaultModel: JointModel | null = null;
/** The default joints-only model (cached). */
export function getDefaultJointModel(): JointModel {
  return (_defaultModel ??= defaultJointModel());
}

/** Fit one person with Levenberg-Marquardt (CPU). */
export function fitPersonLm(target: FitTarget, o: FitPersonOptions = {}): FittedBody {
  const model = o.model ?? getDefaultJointModel();
  const stages = o.stages ?? FIT_STAGES;
  const kp = targetArray(target);
  const ctx = makeContext(model, target.camera, kp, targetScale(target, kp), 1);
  // Starts: orientation (front/back) x yaw x legs. The camera stage runs for every start and keeps the better yaw
  // of each (orientation, legs); the next stages run for those, and the rest only for the best of them.
  const split = Math.min(o.selectAfter ?? SELECT_AFTER_STAGES, stages.length - 1);
  const last = stages[stages.length - 1];
  const legs = legStarts(kp);
  const yaws = o.yaws ?? YAW_STARTS;
  const camStages = stages[0].cameraOnly ? 1 : 0;
  const survivors: Array<{ x: Float64Array; iterations: number }> = [];
  for (const base of candidateOrientations(kp, o.sideViewRatio)) {
    for (const bent of legs) {
      let keep: { x: Float64Array; iterations: number; cost: number } | null = null;
      for (const yaw of yaws) {
        const x = initialGuess(ctx, turnAboutBodyY(base, yaw), bent);
        let iterations = 0;
        for (const stage of stages.slice(0, camStages)) iterations += lmSolve(ctx, x, activeParams(model, stage), stage).iterations;
        const cost = camStages ? totalCost(ctx, x, stages[0]) : 0;
        if (!keep || cost < keep.cost) keep = { x, iterations, cost };
      }
      survivors.push(keep!);
    }
  }
  let best: { x: Float64Array; cost: number; iterations: number } | null = null;
  for (const sv of survivors) {
    for (const stage of stages.slice(camStages, split)) sv.iterations += lmSolve(ctx, sv.x, activeParams(model, stage), stage).iterations;
    const cost = totalCost(ctx, sv.x, last);
    if (!best || cost < best.cost) best = { ...sv, cost };
  }
  for (const stage of stages.slice(Math.max(split, camStages))) best!.iterations += lmSolve(ctx, best!.x, activeParams(model, stage), stage).iterations;
  // the limits are soft in the solver; the result keeps them exactly
  clampPose(best!.x.subarray(0, 72));
  best!.cost = totalCost(ctx, best!.x, last);
  return describeFit(ctx, best!.x, best!.iterations, best!.cost);
}

/** Camera for an image: focal `focal` or sqrt(W^2 + H^2) pixels, principal point at the centre. */
export function defaultCamera(width: number, height: number, focal?: number): Camera {
  return { focal: focal ?? Math.hypot(width, height), cx: width / 2, cy: height / 2 };
}
