/**
 * Joint-level kinematics of the project's SMPL-style body, in plain TypeScript (no tensors): rest joints as a linear
 * function of the shape coefficients, forward kinematics on SMPL's 24-joint tree, and the COCO-17 keypoints
 * (nose, eyes and ears rigidly attached to the head joint). Fast enough to call many thousand times a second.
 *
 * Body frame (like SMPL): metres, y up, z forward (the way the body faces), x to the body's left. In the rest pose
 * (a T-pose) the pelvis joint sits at the origin for every shape; the floor is at y = -REST_PELVIS_HEIGHT.
 *
 * Pose: 24 axis-angle vectors (radians), each the joint's rotation relative to its parent, expressed in the body
 * frame axes of the rest pose (SMPL's convention); joint 0 is the global orientation. Posed joints are
 * `G_k * [0,0,0,1]` with `G_k = G_parent(k) * [R_k | J_k - J_parent(k)]`, plus the translation. The tfjs model in
 * lbs.ts / body-model.ts uses the same numbers (tested).
 */

/** SMPL's 24 joint names in SMPL order. */
export const SMPL_JOINT_NAMES: readonly string[] = [
  'pelvis', 'left_hip', 'right_hip', 'spine1', 'left_knee', 'right_knee', 'spine2', 'left_ankle', 'right_ankle',
  'spine3', 'left_foot', 'right_foot', 'neck', 'left_collar', 'right_collar', 'head', 'left_shoulder',
  'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hand', 'right_hand',
];

/** Parent of each joint (SMPL kintree_table[0]); -1 for the root. Parents come before children. */
export const SMPL_PARENTS: readonly number[] = [
  -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21,
];

export const NUM_JOINTS = 24;
/** Number of linear shape coefficients (betas), each ~N(0, 1). */
export const NUM_BETAS = 10;

/** What each beta means (positive direction). */
export const BETA_NAMES: readonly string[] = [
  'stature', 'leg_length', 'arm_length', 'shoulder_width', 'hip_width',
  'torso_length', 'girth', 'chest_depth', 'neck_length', 'head_size',
];

/** Height of the rest pelvis joint above the floor at betas = 0 (metres); the mean stature is 1.70 m. */
export const REST_PELVIS_HEIGHT = 0.93;

/**
 * Mean rest joints (T-pose) measured from the floor, metres, [x, y, z] per SMPL joint, proportions after
 * Zatsiorsky/de Leva segment ratios of a 1.70 m adult. Converted below to the pelvis-at-origin frame.
 */
const MEAN_JOINTS_FLOOR: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0.93, -0.005], // pelvis
  [0.085, 0.875, 0.0], // left_hip
  [-0.085, 0.875, 0.0], // right_hip
  [0, 1.035, -0.02], // spine1
  [0.095, 0.475, 0.005], // left_knee
  [-0.095, 0.475, 0.005], // right_knee
  [0, 1.16, -0.01], // spine2
  [0.1, 0.075, -0.02], // left_ankle
  [-0.1, 0.075, -0.02], // right_ankle
  [0, 1.22, -0.005], // spine3
  [0.11, 0.02, 0.115], // left_foot (ball of the foot)
  [-0.11, 0.02, 0.115], // right_foot
  [0, 1.44, -0.025], // neck
  [0.075, 1.375, -0.01], // left_collar
  [-0.075, 1.375, -0.01], // right_collar
  [0, 1.525, 0.0], // head
  [0.18, 1.4, -0.03], // left_shoulder
  [-0.18, 1.4, -0.03], // right_shoulder
  [0.46, 1.4, -0.04], // left_elbow
  [-0.46, 1.4, -0.04], // right_elbow
  [0.705, 1.4, -0.035], // left_wrist
  [-0.705, 1.4, -0.035], // right_wrist
  [0.79, 1.395, -0.035], // left_hand
  [-0.79, 1.395, -0.035], // right_hand
];

/** COCO-17 face points (nose, l_eye, r_eye, l_ear, r_ear) as offsets from the head joint in its rest frame, metres. */
export const FACE_OFFSETS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0.07, 0.108], // nose tip
  [0.032, 0.105, 0.08], // left eye
  [-0.032, 0.105, 0.08], // right eye
  [0.074, 0.085, -0.005], // left ear (tragus)
  [-0.074, 0.085, -0.005], // right ear
];

/** SMPL joint for each COCO-17 keypoint; -1 for the face points (FACE_OFFSETS from the head joint). */
export const COCO_FROM_SMPL: readonly number[] = [-1, -1, -1, -1, -1, 16, 17, 18, 19, 20, 21, 1, 2, 4, 5, 7, 8];

/** Head joint index (the face points ride on it). */
export const HEAD_JOINT = 15;

/** Per-beta relative head scale (the face offsets scale by 1 + sum_k HEAD_SCALE[k] * beta_k). */
export const HEAD_SCALE: readonly number[] = [0.04, 0, 0, 0, 0, 0, 0, 0, 0, 0.06];
/** Per-beta relative stature scale about the pelvis (all joints). */
const STATURE_SCALE = 0.04;

/** Rest joints at betas = 0, pelvis at the origin: [24*3]. */
export const MEAN_REST_JOINTS: Float64Array = (() => {
  const out = new Float64Array(NUM_JOINTS * 3);
  const p = MEAN_JOINTS_FLOOR[0];
  MEAN_JOINTS_FLOOR.forEach((j, i) => {
    out[i * 3] = j[0] - p[0];
    out[i * 3 + 1] = j[1] - p[1];
    out[i * 3 + 2] = j[2] - p[2];
  });
  return out;
})();

const LEFT_LEG = [1, 4, 7, 10];
const RIGHT_LEG = [2, 5, 8, 11];
const LEFT_ARM = [16, 18, 20, 22];
const RIGHT_ARM = [17, 19, 21, 23];
const UPPER_BODY = [6, 9, 12, 13, 14, 15, ...LEFT_ARM, ...RIGHT_ARM];

/**
 * Joint shape directions: JOINT_SHAPEDIRS[(j*3 + axis) * NUM_BETAS + k] is the metres joint j moves along `axis`
 * per unit of beta k (SMPL's `J_regressor @ shapedirs`). Joints are linear in the betas.
 */
export const JOINT_SHAPEDIRS: Float64Array = (() => {
  const J = MEAN_REST_JOINTS;
  const d = new Float64Array(NUM_JOINTS * 3 * NUM_BETAS);
  const add = (j: number, axis: number, k: number, v: number) => { d[(j * 3 + axis) * NUM_BETAS + k] += v; };
  const side = (j: number) => Math.sign(J[j * 3]);
  // 0 stature: uniform scale about the pelvis.
  for (let j = 0; j < NUM_JOINTS; j++) for (let a = 0; a < 3; a++) add(j, a, 0, STATURE_SCALE * J[j * 3 + a]);
  // 1 leg length: knee, ankle and foot move away from the hip by 5 %.
  for (const chain of [LEFT_LEG, RIGHT_LEG]) {
    const h = chain[0];
    for (const j of chain.slice(1)) for (let a = 0; a < 3; a++) add(j, a, 1, 0.05 * (J[j * 3 + a] - J[h * 3 + a]));
  }
  // 2 arm length: elbow, wrist and hand move away from the shoulder by 5 %.
  for (const chain of [LEFT_ARM, RIGHT_ARM]) {
    const s = chain[0];
    for (const j of chain.slice(1)) for (let a = 0; a < 3; a++) add(j, a, 2, 0.05 * (J[j * 3 + a] - J[s * 3 + a]));
  }
  // 3 shoulder width: collars 1 cm, shoulders and arms 2 cm outwards.
  for (const j of [13, 14]) add(j, 0, 3, 0.01 * side(j));
  for (const j of [...LEFT_ARM, ...RIGHT_ARM]) add(j, 0, 3, 0.02 * side(j));
  // 4 hip width: hips and legs 1.2 cm outwards.
  for (const j of [...LEFT_LEG, ...RIGHT_LEG]) add(j, 0, 4, 0.012 * side(j));
  // 5 torso length: the upper body rises by 5 % of its height above spine1 (up to the neck).
  const neckY = J[12 * 3 + 1];
  const spine1Y = J[3 * 3 + 1];
  for (const j of UPPER_BODY) add(j, 1, 5, 0.05 * (Math.min(J[j * 3 + 1], neckY) - spine1Y));
  // 6 girth: a fuller body has slightly wider hip and shoulder joints.
  for (const j of [...LEFT_LEG, ...RIGHT_LEG]) add(j, 0, 6, 0.006 * side(j));
  for (const j of [13, 14]) add(j, 0, 6, 0.005 * side(j));
  for (const j of [...LEFT_ARM, ...RIGHT_ARM]) add(j, 0, 6, 0.01 * side(j));
  // 7 chest depth: surface only (no joint moves).
  // 8 neck length: the head rises 1.5 cm.
  add(15, 1, 8, 0.015);
  // 9 head size: the head joint rises 0.5 cm (the face offsets scale through HEAD_SCALE).
  add(15, 1, 9, 0.005);
  return d;
})();

/** Rest-pose joints [24*3] for `betas` in the body frame (metres, pelvis at the origin, y up, z forward). */
export function restJoints(betas: ArrayLike<number>, out: Float64Array = new Float64Array(NUM_JOINTS * 3)): Float64Array {
  const nb = Math.min(betas.length, NUM_BETAS);
  for (let i = 0; i < NUM_JOINTS * 3; i++) {
    let v = MEAN_REST_JOINTS[i];
    const row = i * NUM_BETAS;
    for (let k = 0; k < nb; k++) v += JOINT_SHAPEDIRS[row + k] * betas[k];
    out[i] = v;
  }
  return out;
}

/** Face offsets [5*3] from the head joint for `betas` (rest frame, metres). */
export function faceOffsets(betas: ArrayLike<number>, out: Float64Array = new Float64Array(15)): Float64Array {
  let s = 1;
  const nb = Math.min(betas.length, NUM_BETAS);
  for (let k = 0; k < nb; k++) s += HEAD_SCALE[k] * betas[k];
  for (let i = 0; i < 5; i++) for (let a = 0; a < 3; a++) out[i * 3 + a] = FACE_OFFSETS[i][a] * s;
  return out;
}

/** Shape, pose and placement of one body. */
export interface BodyParams {
  /** NUM_BETAS shape coefficients, ~N(0,1) (fewer are padded with 0). */
  betas: ArrayLike<number>;
  /** 24*3 axis-angle (radians), local rotations; joint 0 = global orientation. */
  pose: ArrayLike<number>;
  /** Metres, added after posing (the pelvis joint ends up here). */
  translation: [number, number, number];
}

/**
 * Rodrigues: axis-angle (ax, ay, az) radians to a row-major 3x3 rotation written at out[o..o+8].
 * R = I + sin(t) K + (1 - cos(t)) K^2, with a Taylor form near t = 0.
 */
export function rodrigues(ax: number, ay: number, az: number, out: Float64Array, o = 0): Float64Array {
  const t2 = ax * ax + ay * ay + az * az;
  let s: number; // sin(t)/t
  let c: number; // (1-cos(t))/t^2
  if (t2 < 1e-12) {
    s = 1 - t2 / 6;
    c = 0.5 - t2 / 24;
  } else {
    const t = Math.sqrt(t2);
    s = Math.sin(t) / t;
    c = (1 - Math.cos(t)) / t2;
  }
  out[o] = 1 - c * (ay * ay + az * az);
  out[o + 1] = -s * az + c * ax * ay;
  out[o + 2] = s * ay + c * ax * az;
  out[o + 3] = s * az + c * ax * ay;
  out[o + 4] = 1 - c * (ax * ax + az * az);
  out[o + 5] = -s * ax + c * ay * az;
  out[o + 6] = -s * ay + c * ax * az;
  out[o + 7] = s * ax + c * ay * az;
  out[o + 8] = 1 - c * (ax * ax + ay * ay);
  return out;
}

const _local = new Float64Array(9);
const _rest = new Float64Array(NUM_JOINTS * 3);
const _face = new Float64Array(15);

/**
 * Forward kinematics along a kinematic tree (parents before children): the global row-major rotation of each joint
 * `R` [J*9] and its position `P` [J*3] from the rest joints [J*3], local axis-angle `pose` [J*3] and translation `t`.
 * G_k = G_parent * (R_local, J_k - J_parent); the root adds `t`.
 */
export function chainTransforms(
  rest: ArrayLike<number>, pose: ArrayLike<number>, t: ArrayLike<number>, parents: ArrayLike<number>,
  R: Float64Array, P: Float64Array,
): void {
  for (let k = 0; k < parents.length; k++) {
    const par = parents[k];
    if (par < 0) {
      rodrigues(pose[k * 3] ?? 0, pose[k * 3 + 1] ?? 0, pose[k * 3 + 2] ?? 0, R, k * 9);
      P[k * 3] = rest[k * 3] + t[0];
      P[k * 3 + 1] = rest[k * 3 + 1] + t[1];
      P[k * 3 + 2] = rest[k * 3 + 2] + t[2];
      continue;
    }
    rodrigues(pose[k * 3] ?? 0, pose[k * 3 + 1] ?? 0, pose[k * 3 + 2] ?? 0, _local, 0);
    const po = par * 9;
    const ko = k * 9;
    // G_k rotation = R_parent * R_local
    for (let r = 0; r < 3; r++) {
      const a0 = R[po + r * 3], a1 = R[po + r * 3 + 1], a2 = R[po + r * 3 + 2];
      R[ko + r * 3] = a0 * _local[0] + a1 * _local[3] + a2 * _local[6];
      R[ko + r * 3 + 1] = a0 * _local[1] + a1 * _local[4] + a2 * _local[7];
      R[ko + r * 3 + 2] = a0 * _local[2] + a1 * _local[5] + a2 * _local[8];
    }
    // G_k translation = P_parent + R_parent * (J_k - J_parent)
    const dx = rest[k * 3] - rest[par * 3];
    const dy = rest[k * 3 + 1] - rest[par * 3 + 1];
    const dz = rest[k * 3 + 2] - rest[par * 3 + 2];
    for (let r = 0; r < 3; r++) {
      P[k * 3 + r] = P[par * 3 + r] + R[po + r * 3] * dx + R[po + r * 3 + 1] * dy + R[po + r * 3 + 2] * dz;
    }
  }
}

/**
 * Posed joints for `p`: `smpl` [24*3] and `coco` [17*3] (metres, body frame plus translation), and `rotations`
 * [24*9] the global row-major rotation of each joint.
 */
export function posedJoints(p: BodyParams): { smpl: Float64Array; coco: Float64Array; rotations: Float64Array } {
  const rest = restJoints(p.betas, _rest);
  const pose = p.pose;
  const R = new Float64Array(NUM_JOINTS * 9);
  const P = new Float64Array(NUM_JOINTS * 3);
  const t = p.translation;
  chainTransforms(rest, pose, t, SMPL_PARENTS, R, P);
  const coco = new Float64Array(17 * 3);
  const face = faceOffsets(p.betas, _face);
  const ho = HEAD_JOINT * 9;
  for (let i = 0; i < 17; i++) {
    const j = COCO_FROM_SMPL[i];
    if (j >= 0) {
      coco[i * 3] = P[j * 3];
      coco[i * 3 + 1] = P[j * 3 + 1];
      coco[i * 3 + 2] = P[j * 3 + 2];
    } else {
      const ox = face[i * 3], oy = face[i * 3 + 1], oz = face[i * 3 + 2];
      for (let r = 0; r < 3; r++) {
        coco[i * 3 + r] = P[HEAD_JOINT * 3 + r] + R[ho + r * 3] * ox + R[ho + r * 3 + 1] * oy + R[ho + r * 3 + 2] * oz;
      }
    }
  }
  return { smpl: P, coco, rotations: R };
}

/**
 * Box limits of one joint's local axis-angle vector (radians): each component of `pose[j*3 .. j*3+2]` should lie in
 * [lower[a], upper[a]]. For rotations up to about 90 degrees the components are close to XYZ Euler angles about the
 * body-frame axes (x = body's left, y = up, z = forward). Signs, for the left side (the right side mirrors y and z):
 * knee flexion is +x, hip flexion (thigh forward) is -x, hip abduction +z, spine forward bend +x, left elbow flexion
 * -y (right elbow +y), left arm down -z (right arm down +z), left arm forward -y (right +y).
 */
export interface JointLimit {
  lower: readonly [number, number, number];
  upper: readonly [number, number, number];
}

const INF = Infinity;
const neg = (v: number) => (v === 0 ? 0 : -v);
const mirror = (l: JointLimit): JointLimit => ({
  lower: [l.lower[0], neg(l.upper[1]), neg(l.upper[2])],
  upper: [l.upper[0], neg(l.lower[1]), neg(l.lower[2])],
});
const lim = (lower: [number, number, number], upper: [number, number, number]): JointLimit => ({ lower, upper });

const L_HIP = lim([-2.2, -0.6, -0.4], [0.45, 0.6, 1.0]);
const KNEE = lim([0, -0.1, -0.1], [2.4, 0.1, 0.1]);
const ANKLE = lim([-0.45, -0.35, -0.3], [0.8, 0.35, 0.3]);
const FOOT = lim([-0.6, -0.05, -0.05], [0.3, 0.05, 0.05]);
const L_COLLAR = lim([-0.25, -0.35, -0.2], [0.25, 0.25, 0.5]);
const L_SHOULDER = lim([-1.3, -1.7, -1.75], [1.3, 0.8, 1.4]);
const L_ELBOW = lim([-0.7, -2.5, -0.15], [0.7, 0, 0.15]);
const L_WRIST = lim([-1.0, -0.5, -1.2], [1.0, 0.5, 1.0]);
const L_HAND = lim([-0.3, -0.3, -0.3], [0.3, 0.3, 0.3]);

/** Per-joint limits on the local axis-angle components (see JointLimit); the root is free. */
export const JOINT_LIMITS: readonly JointLimit[] = [
  lim([-INF, -INF, -INF], [INF, INF, INF]), // pelvis (global orientation)
  L_HIP, mirror(L_HIP),
  lim([-0.3, -0.4, -0.35], [0.7, 0.4, 0.35]), // spine1
  KNEE, mirror(KNEE),
  lim([-0.25, -0.3, -0.3], [0.5, 0.3, 0.3]), // spine2
  ANKLE, mirror(ANKLE),
  lim([-0.25, -0.3, -0.3], [0.5, 0.3, 0.3]), // spine3
  FOOT, mirror(FOOT),
  lim([-0.5, -0.6, -0.4], [0.6, 0.6, 0.4]), // neck
  L_COLLAR, mirror(L_COLLAR),
  lim([-0.4, -0.6, -0.35], [0.5, 0.6, 0.35]), // head
  L_SHOULDER, mirror(L_SHOULDER),
  L_ELBOW, mirror(L_ELBOW),
  L_WRIST, mirror(L_WRIST),
  L_HAND, mirror(L_HAND),
];

/** JOINT_LIMITS flattened: [72] lower and upper bounds per pose component (root: -/+Infinity). */
export const POSE_LOWER: Float64Array = Float64Array.from(JOINT_LIMITS.flatMap((l) => [...l.lower]));
export const POSE_UPPER: Float64Array = Float64Array.from(JOINT_LIMITS.flatMap((l) => [...l.upper]));

/**
 * A relaxed standing pose [72] (arms about 65 degrees down, slight elbow and knee flexion): the fitter's start and
 * the centre of its pose prior. Root identity.
 */
export const RELAXED_POSE: Float64Array = (() => {
  const p = new Float64Array(NUM_JOINTS * 3);
  const set = (j: number, x: number, y: number, z: number) => { p[j * 3] = x; p[j * 3 + 1] = y; p[j * 3 + 2] = z; };
  set(16, 0, 0, -1.15); // left arm down
  set(17, 0, 0, 1.15); // right arm down
  set(18, 0, -0.25, 0); // left elbow slightly bent
  set(19, 0, 0.25, 0);
  set(1, -0.05, 0, 0.05); // hips
  set(2, -0.05, 0, -0.05);
  set(4, 0.1, 0, 0); // knees
  set(5, 0.1, 0, 0);
  return p;
})();

/** Clamp each pose component into JOINT_LIMITS (in place); returns `pose`. */
export function clampPose(pose: Float64Array | number[]): Float64Array | number[] {
  for (let i = 0; i < pose.length && i < POSE_LOWER.length; i++) {
    if (pose[i] < POSE_LOWER[i]) pose[i] = POSE_LOWER[i];
    else if (pose[i] > POSE_UPPER[i]) pose[i] = POSE_UPPER[i];
  }
  return pose;
}
