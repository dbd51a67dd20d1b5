/**
 * Synthetic fitting targets made from the body model itself (for tests and `pinplace bench`): random shape, a random
 * pose inside the joint limits, a random camera view; the target keypoints are the model's projected COCO-17 points.
 */
import { JointScratch, type JointModel, poseJoints } from './joint-model.ts';
import { POSE_LOWER, POSE_UPPER, RELAXED_POSE } from './kinematics.ts';
import { project } from './objective.ts';
import { mulberry32 } from '../random.ts';
import { axisAngleToMatrix, matrixToAxisAngle, mul3 } from './rotation.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { Camera, FitTarget } from './types.ts';

export { mulberry32 };

/** A synthetic target and the parameters that made it. */
export interface SyntheticCase {
  target: FitTarget;
  pose: Float64Array;
  betas: Float64Array;
  translation: Float64Array;
  /** Person-box height in pixels (keypoint extent plus head and feet margins). */
  boxHeight: number;
}

export interface SyntheticOptions {
  /** Image size [W, H] (default 640x480). */
  size?: [number, number];
  /** Fraction of each joint's limit range used around the relaxed pose (default 0.5). */
  poseSpread?: number;
  /** Gaussian pixel noise sigma (default 0). */
  noisePx?: number;
  /** Number of keypoints set to c = 0 (default 0). */
  occluded?: number;
}

/** Make one synthetic case from `rand` (uniform [0,1)). */
export function syntheticCase(model: JointModel, rand: () => number, o: SyntheticOptions = {}): SyntheticCase {
  const [W, H] = o.size ?? [640, 480];
  const spread = o.poseSpread ?? 0.5;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const B = model.numBetas;
  const betas = Float64Array.from({ length: B }, () => Math.max(-2.5, Math.min(2.5, gauss())));
  const pose = Float64Array.from(RELAXED_POSE);
  for (let i = 3; i < 72; i++) {
    const lo = RELAXED_POSE[i] + spread * (POSE_LOWER[i] - RELAXED_POSE[i]);
    const hi = RELAXED_POSE[i] + spread * (POSE_UPPER[i] - RELAXED_POSE[i]);
    pose[i] = lo + (hi - lo) * rand();
  }
  // Global orientation: facing the camera, then a random turn about the body's vertical and a small tilt.
  const yaw = (rand() * 2 - 1) * Math.PI;
  const pitch = (rand() * 2 - 1) * 0.25;
  const R = mul3(mul3(axisAngleToMatrix([Math.PI, 0, 0]), axisAngleToMatrix([pitch, 0, 0])), axisAngleToMatrix([0, yaw, 0]));
  pose.set(matrixToAxisAngle(R), 0);
  const camera: Camera = { focal: Math.hypot(W, H), cx: W / 2, cy: H / 2 };
  // Distance: the body's height fills 45-85 % of the image height.
  const fill = 0.45 + 0.4 * rand();
  const tz = (camera.focal * 1.7) / (fill * H);
  const tx = (rand() - 0.5) * 0.3 * (W / camera.focal) * tz;
  const ty = (rand() - 0.5) * 0.2 * (H / camera.focal) * tz;
  const translation = Float64Array.from([tx, ty, tz]);
  const coco = poseJoints(model, pose, betas, translation, new Float64Array(51), new JointScratch());
  const uv = project(coco, camera);
  const keypoints: Keypoint[] = [];
  for (let i = 0; i < 17; i++) {
    const n = o.noisePx ?? 0;
    keypoints.push([uv[i * 2] + n * gauss(), uv[i * 2 + 1] + n * gauss(), 1]);
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < 17; i++) { lo = Math.min(lo, uv[i * 2 + 1]); hi = Math.max(hi, uv[i * 2 + 1]); }
  const boxHeight = (hi - lo) * 1.2;
  const occluded = o.occluded ?? 0;
  const order = Array.from({ length: 17 }, (_, i) => i).sort(() => rand() - 0.5);
  // keep the torso visible so the camera stage has something to hold on to
  const hidden = order.filter((i) => ![5, 6, 11, 12].includes(i)).slice(0, occluded);
  for (const i of hidden) keypoints[i] = [0, 0, 0];
  return { target: { keypoints, camera, boxHeight }, pose, betas, translation, boxHeight };
}
