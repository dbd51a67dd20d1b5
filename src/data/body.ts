/**
 * The synthetic scenes' body: a thin layer over src/mesh/kinematics.ts (shape, pose, placement -> posed joints), with
 * pose helpers named by what they do (bend a knee, raise an arm) so that interaction templates read like a recipe.
 * Frame: metres, y up, z = the way the body faces, x = the body's left (kinematics.ts).
 */
import {
  NUM_BETAS, POSE_LOWER, POSE_UPPER, RELAXED_POSE, posedJoints, type BodyParams,
} from '../mesh/kinematics.ts';
import type { Rng } from './rng.ts';
import type { Vec3 } from './vec.ts';

/** SMPL joint indices by name (kinematics.ts SMPL_JOINT_NAMES). */
export const S = {
  pelvis: 0, lHip: 1, rHip: 2, spine1: 3, lKnee: 4, rKnee: 5, spine2: 6, lAnkle: 7, rAnkle: 8, spine3: 9,
  lFoot: 10, rFoot: 11, neck: 12, lCollar: 13, rCollar: 14, head: 15, lShoulder: 16, rShoulder: 17,
  lElbow: 18, rElbow: 19, lWrist: 20, rWrist: 21, lHand: 22, rHand: 23,
} as const;

/** A body being posed: mutable shape, pose [72] and translation. */
export interface Body {
  betas: Float64Array;
  pose: Float64Array;
  translation: Vec3;
}

/** Posed joints of a body: smpl [24*3], coco [17*3] (world metres), rotations [24*9]. */
export type Posed = ReturnType<typeof posedJoints>;

export function pose(b: Body): Posed {
  return posedJoints(b as BodyParams);
}

/** Joint `j` of posed SMPL joints as a Vec3. */
export const jointOf = (p: Posed, j: number): Vec3 => [p.smpl[j * 3], p.smpl[j * 3 + 1], p.smpl[j * 3 + 2]];

/**
 * A random adult shape: betas ~ N(0, 0.8) clipped at 2 sd (stature N(0, 1)). Shoulder and hip width share a frame
 * factor (correlation 0.6), as they do in people, so that their ratio stays in the human range.
 */
export function randomBetas(rng: Rng): Float64Array {
  const b = new Float64Array(NUM_BETAS);
  for (let k = 0; k < NUM_BETAS; k++) b[k] = rng.gauss(k === 0 ? 1.0 : 0.8, 2);
  b[4] = 0.6 * b[3] + 0.8 * b[4];
  return b;
}

/** A new body in the relaxed standing pose at the origin. */
export function newBody(rng: Rng): Body {
  return { betas: randomBetas(rng), pose: Float64Array.from(RELAXED_POSE), translation: [0, 0, 0] };
}

/** Set joint j's local axis-angle. */
export function setJoint(b: Body, j: number, x: number, y: number, z: number): void {
  b.pose[j * 3] = x;
  b.pose[j * 3 + 1] = y;
  b.pose[j * 3 + 2] = z;
}

/** Add to joint j's local axis-angle components. */
export function addJoint(b: Body, j: number, x: number, y: number, z: number): void {
  b.pose[j * 3] += x;
  b.pose[j * 3 + 1] += y;
  b.pose[j * 3 + 2] += z;
}

/** Clamp the pose into the joint limits (root free). */
export function clampToLimits(b: Body): void {
  for (let i = 3; i < b.pose.length; i++) b.pose[i] = Math.min(POSE_UPPER[i], Math.max(POSE_LOWER[i], b.pose[i]));
}

/**
 * Natural variation: add N(0, sd) to every non-root component (sd scaled by each joint's range), then clamp into
 * the limits. `skip` joints are left alone (e.g. the ones IK will solve).
 */
export function jitterPose(b: Body, rng: Rng, sd = 0.08, skip: readonly number[] = []): void {
  for (let j = 1; j < 24; j++) {
    if (skip.includes(j)) continue;
    for (let a = 0; a < 3; a++) {
      const i = j * 3 + a;
      const range = Math.min(2, POSE_UPPER[i] - POSE_LOWER[i]);
      b.pose[i] += rng.gauss(sd * range * 0.5, 2);
    }
  }
  clampToLimits(b);
}

/** Side helpers: sign of the body's x for a side, and the joint indices of that side's arm and leg. */
export function arm(side: 'left' | 'right') {
  return side === 'left'
    ? { collar: S.lCollar, shoulder: S.lShoulder, elbow: S.lElbow, wrist: S.lWrist, hand: S.lHand, sx: 1 }
    : { collar: S.rCollar, shoulder: S.rShoulder, elbow: S.rElbow, wrist: S.rWrist, hand: S.rHand, sx: -1 };
}
export function leg(side: 'left' | 'right') {
  return side === 'left'
    ? { hip: S.lHip, knee: S.lKnee, ankle: S.lAnkle, foot: S.lFoot, sx: 1 }
    : { hip: S.rHip, knee: S.rKnee, ankle: S.rAnkle, foot: S.rFoot, sx: -1 };
}
export const other = (side: 'left' | 'right'): 'left' | 'right' => (side === 'left' ? 'right' : 'left');

/**
 * Arm pose by intent, for a side: `down` (radians the arm hangs below horizontal, ~1.2 hanging), `forward`
 * (radians swung forward), `bend` (elbow flexion, radians). Signs follow kinematics.ts (left: down -z, forward -y,
 * elbow -y; the right side mirrors y and z).
 */
export function setArm(b: Body, side: 'left' | 'right', down: number, forward: number, bend: number, twist = 0): void {
  const a = arm(side);
  setJoint(b, a.shoulder, twist, -a.sx * forward, -a.sx * down);
  setJoint(b, a.elbow, 0, -a.sx * bend, 0);
}

/** Leg pose by intent: `flex` hip flexion (thigh forward, radians), `knee` flexion, `spread` abduction. */
export function setLeg(b: Body, side: 'left' | 'right', flex: number, knee: number, spread = 0): void {
  const l = leg(side);
  setJoint(b, l.hip, -flex, 0, l.sx * spread);
  setJoint(b, l.knee, knee, 0, 0);
}

/** Height of the floor under a standing body: just under its lowest ankle/foot. */
export function floorUnder(p: Posed): number {
  const ly = Math.min(p.smpl[S.lAnkle * 3 + 1] - 0.075, p.smpl[S.lFoot * 3 + 1] - 0.02);
  const ry = Math.min(p.smpl[S.rAnkle * 3 + 1] - 0.075, p.smpl[S.rFoot * 3 + 1] - 0.02);
  return Math.min(ly, ry);
}

/** Stand the body on the floor y = 0 (moves the translation only). */
export function standOnFloor(b: Body): Posed {
  const p = pose(b);
  const dy = -floorUnder(p);
  b.translation = [b.translation[0], b.translation[1] + dy, b.translation[2]];
  return pose(b);
}
