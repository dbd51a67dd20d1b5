/**
 * Types of src/mesh. Units, stated once for the whole area:
 * - 3D: metres. Body frame (rest pose): y up, z forward (the way the body faces), x to the body's left, pelvis joint
 *   at the origin. Camera frame (OpenCV, SPEC): x right, y down, z forward; a fitted body's global orientation
 *   (pose joint 0) and translation place it in the camera frame.
 * - 2D: image pixels, origin top-left, x right, y down; pinhole `u = f x / z + cx`, `v = f y / z + cy`.
 * - Rotations: axis-angle, radians.
 */
import type { Keypoint } from '../skeleton/topology.ts';

/** Pinhole intrinsics, pixels. */
export interface Camera {
  focal: number;
  cx: number;
  cy: number;
}

/** One person to fit: COCO-17 keypoints in pixels (c = 0 ignored) seen by `camera`. */
export interface FitTarget {
  keypoints: Keypoint[];
  camera: Camera;
  /** Person-box height in pixels (scales the data term); defaults to the keypoints' extent. */
  boxHeight?: number;
}

/** Which solver runs the fit. `lm`: Levenberg-Marquardt in plain TypeScript (CPU); `gradient`: batched Adam on the
 * tfjs objective (any backend, WebGPU and WebGL included); `auto`: `lm` (faster on every backend measured: see
 * resolveSolver in fit.ts). */
export type SolverName = 'lm' | 'gradient' | 'auto';

/** The parameters of one body in the camera frame. */
export interface BodyParamsF64 {
  /** [72] axis-angle per SMPL joint (joint 0 = global orientation in the camera frame). */
  pose: Float64Array;
  /** [B] shape coefficients. */
  betas: Float64Array;
  /** [3] metres, camera frame (the pelvis joint's position). */
  translation: Float64Array;
}

/** One fitted body. */
export interface FittedBody extends BodyParamsF64 {
  camera: Camera;
  /** COCO-17 joints projected with `camera`, pixels. */
  joints2d: Array<[number, number]>;
  /** COCO-17 joints in the camera frame, metres. */
  joints3d: Array<[number, number, number]>;
  /** Plain pixel distance over keypoints with c > 0. */
  reprojectionErrorPx: { mean: number; median: number; max: number };
  /** Solver iterations (all stages, the kept orientation). */
  iterations: number;
  /** Final objective value. */
  cost: number;
}
