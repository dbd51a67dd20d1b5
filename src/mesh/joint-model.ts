/**
 * The joints-only fast path of a body model: everything the fitter needs, without the mesh.
 *
 * Rest joints and face points are linear in the betas (`J(b) = J0 + SJ b`, `F(b) = F0 + SF b`, like SMPL's
 * `J_regressor @ (v_template + shapedirs b)`); face points ride rigidly on the head joint. Posing is SMPL forward
 * kinematics. Units and frames as in kinematics.ts (metres, body frame y up, z forward).
 */
import {
  COCO_FROM_SMPL, FACE_OFFSETS, HEAD_JOINT, HEAD_SCALE, JOINT_SHAPEDIRS, MEAN_REST_JOINTS, NUM_BETAS, NUM_JOINTS,
  SMPL_PARENTS, chainTransforms, rodrigues,
} from './kinematics.ts';

export interface JointModel {
  /** Number of betas B. */
  numBetas: number;
  /** Parents [24]. */
  parents: Int32Array;
  /** Rest joints at betas 0 [24*3]. */
  J0: Float64Array;
  /** Joint shape directions [(24*3) * B], row (j*3+a), column k. */
  SJ: Float64Array;
  /** Rest face points (nose, l_eye, r_eye, l_ear, r_ear) at betas 0 [5*3], absolute rest positions. */
  F0: Float64Array;
  /** Face shape directions [(5*3) * B]. */
  SF: Float64Array;
  /** SMPL joint of each COCO-17 point, -1 for face points. */
  cocoFromSmpl: Int32Array;
  /** Joint the face points ride on. */
  headJoint: number;
}

/** The default model's joints, straight from kinematics.ts. */
export function defaultJointModel(): JointModel {
  const B = NUM_BETAS;
  const F0 = new Float64Array(15);
  const SF = new Float64Array(15 * B);
  for (let i = 0; i < 5; i++) {
    for (let a = 0; a < 3; a++) {
      F0[i * 3 + a] = MEAN_REST_JOINTS[HEAD_JOINT * 3 + a] + FACE_OFFSETS[i][a];
      for (let k = 0; k < B; k++) {
        SF[(i * 3 + a) * B + k] = JOINT_SHAPEDIRS[(HEAD_JOINT * 3 + a) * B + k] + FACE_OFFSETS[i][a] * HEAD_SCALE[k];
      }
    }
  }
  return {
    numBetas: B,
    parents: Int32Array.from(SMPL_PARENTS),
    J0: Float64Array.from(MEAN_REST_JOINTS),
    SJ: Float64Array.from(JOINT_SHAPEDIRS),
    F0,
    SF,
    cocoFromSmpl: Int32Array.from(COCO_FROM_SMPL),
    headJoint: HEAD_JOINT,
  };
}

/** Scratch space of `poseJoints`, reused between calls (no allocation in the fitter's inner loop). */
export class JointScratch {
  readonly rest = new Float64Array(NUM_JOINTS * 3);
  readonly face = new Float64Array(15);
  readonly local = new Float64Array(9);
  readonly R = new Float64Array(NUM_JOINTS * 9);
  readonly P = new Float64Array(NUM_JOINTS * 3);
}

/**
 * Pose the joints of `m`: writes COCO-17 points [17*3] (metres, plus `t`) into `coco`, and leaves the global
 * rotations [24*9] and joint positions [24*3] in `s.R` / `s.P`.
 * @param pose [72] axis-angle, @param betas [B], @param t [3] translation.
 */
export function poseJoints(
  m: JointModel, pose: ArrayLike<number>, betas: ArrayLike<number>, t: ArrayLike<number>, coco: Float64Array,
  s: JointScratch,
): Float64Array {
  const B = m.numBetas;
  const { rest, face, R, P } = s;
  for (let i = 0; i < NUM_JOINTS * 3; i++) {
    let v = m.J0[i];
    const row = i * B;
    for (let k = 0; k < B; k++) v += m.SJ[row + k] * betas[k];
    rest[i] = v;
  }
  for (let i = 0; i < 15; i++) {
    let v = m.F0[i];
    const row = i * B;
    for (let k = 0; k < B; k++) v += m.SF[row + k] * betas[k];
    face[i] = v;
  }
  chainTransforms(rest, pose, t, m.parents, R, P);
  const h = m.headJoint;
  const ho = h * 9;
  for (let i = 0; i < 17; i++) {
    const j = m.cocoFromSmpl[i];
    if (j >= 0) {
      coco[i * 3] = P[j * 3];
      coco[i * 3 + 1] = P[j * 3 + 1];
      coco[i * 3 + 2] = P[j * 3 + 2];
    } else {
      const ox = face[i * 3] - rest[h * 3], oy = face[i * 3 + 1] - rest[h * 3 + 1], oz = face[i * 3 + 2] - rest[h * 3 + 2];
      for (let r = 0; r < 3; r++) {
        coco[i * 3 + r] = P[h * 3 + r] + R[ho + r * 3] * ox + R[ho + r * 3 + 1] * oy + R[ho + r * 3 + 2] * oz;
      }
    }
  }
  return coco;
}

/** Scratch of `poseJointsJacobian`. */
export class JacobianScratch extends JointScratch {
  /** d P_j / d beta [24*3*B]. */
  dP: Float64Array;
  /** Rotation-derivative axes omega [24*9]: row a = omega_a of joint k (d R_k / d v_a = [omega_a]x R_k). */
  readonly omega = new Float64Array(NUM_JOINTS * 9);
  /** Ancestors-or-self of each joint, root first. */
  readonly chains: number[][];
  constructor(m: JointModel) {
    super();
    this.dP = new Float64Array(NUM_JOINTS * 3 * m.numBetas);
    this.chains = [];
    for (let j = 0; j < NUM_JOINTS; j++) {
      const c: number[] = [];
      for (let k = j; k >= 0; k = m.parents[k]) c.unshift(k);
      this.chains.push(c);
    }
  }
}

/**
 * Pose the joints and differentiate: writes COCO-17 points [17*3] into `coco` and their Jacobian with respect to
 * x = [pose 72 | betas B | t 3] into `jac` [51 * (75+B)], row-major. Uses d R / d v_a = [omega_a]x R with
 * omega_a = (v_a v + v x (I - R) e_a) / |v|^2 (Gallego and Yezzi), so d p / d v_{k,a} = (R_parent(k) omega_a) x (p - P_k).
 */
export function poseJointsJacobian(
  m: JointModel, x: Float64Array, coco: Float64Array, jac: Float64Array, s: JacobianScratch,
): void {
  const B = m.numBetas;
  const N = 75 + B;
  const betas = x.subarray(72, 72 + B);
  poseJoints(m, x, betas, x.subarray(72 + B, 75 + B), coco, s);
  const { rest, face, local, R, P, dP, omega } = s;
  // omega axes per joint (in the joint's parent frame)
  for (let k = 0; k < NUM_JOINTS; k++) {
    const vx = x[k * 3], vy = x[k * 3 + 1], vz = x[k * 3 + 2];
    const n2 = vx * vx + vy * vy + vz * vz;
    const o = k * 9;
    if (n2 < 1e-10) {
      omega.fill(0, o, o + 9);
      omega[o] = 1;
      omega[o + 4] = 1;
      omega[o + 8] = 1;
      continue;
    }
    rodrigues(vx, vy, vz, local, 0);
    for (let a = 0; a < 3; a++) {
      // w = (I - R) e_a = e_a - column a of R
      const wx = (a === 0 ? 1 : 0) - local[a];
      const wy = (a === 1 ? 1 : 0) - local[3 + a];
      const wz = (a === 2 ? 1 : 0) - local[6 + a];
      const va = a === 0 ? vx : a === 1 ? vy : vz;
      omega[o + a * 3] = (va * vx + (vy * wz - vz * wy)) / n2;
      omega[o + a * 3 + 1] = (va * vy + (vz * wx - vx * wz)) / n2;
      omega[o + a * 3 + 2] = (va * vz + (vx * wy - vy * wx)) / n2;
    }
  }
  // d P_j / d beta through the chain
  const par = m.parents;
  for (let j = 0; j < NUM_JOINTS; j++) {
    const p = par[j];
    for (let a = 0; a < 3; a++) {
      for (let k = 0; k < B; k++) {
        if (p < 0) {
          dP[(j * 3 + a) * B + k] = m.SJ[(j * 3 + a) * B + k];
          continue;
        }
        let v = dP[(p * 3 + a) * B + k];
        const po = p * 9 + a * 3;
        for (let c = 0; c < 3; c++) v += R[po + c] * (m.SJ[(j * 3 + c) * B + k] - m.SJ[(p * 3 + c) * B + k]);
        dP[(j * 3 + a) * B + k] = v;
      }
    }
  }
  jac.fill(0);
  const h = m.headJoint;
  for (let i = 0; i < 17; i++) {
    const jn = m.cocoFromSmpl[i];
    const att = jn >= 0 ? jn : h;
    const px = coco[i * 3], py = coco[i * 3 + 1], pz = coco[i * 3 + 2];
    const rx = i * 3 * N, ry = rx + N, rz = ry + N;
    for (const k of s.chains[att]) {
      const dx = px - P[k * 3], dy = py - P[k * 3 + 1], dz = pz - P[k * 3 + 2];
      const p = par[k];
      for (let a = 0; a < 3; a++) {
        const ox = omega[k * 9 + a * 3], oy = omega[k * 9 + a * 3 + 1], oz = omega[k * 9 + a * 3 + 2];
        let gx = ox, gy = oy, gz = oz;
        if (p >= 0) {
          const po = p * 9;
          gx = R[po] * ox + R[po + 1] * oy + R[po + 2] * oz;
          gy = R[po + 3] * ox + R[po + 4] * oy + R[po + 5] * oz;
          gz = R[po + 6] * ox + R[po + 7] * oy + R[po + 8] * oz;
        }
        const col = k * 3 + a;
        jac[rx + col] = gy * dz - gz * dy;
        jac[ry + col] = gz * dx - gx * dz;
        jac[rz + col] = gx * dy - gy * dx;
      }
    }
    for (let k = 0; k < B; k++) {
      let bx = dP[(att * 3) * B + k], by = dP[(att * 3 + 1) * B + k], bz = dP[(att * 3 + 2) * B + k];
      if (jn < 0) {
        const fx = m.SF[(i * 3) * B + k] - m.SJ[(h * 3) * B + k];
        const fy = m.SF[(i * 3 + 1) * B + k] - m.SJ[(h * 3 + 1) * B + k];
        const fz = m.SF[(i * 3 + 2) * B + k] - m.SJ[(h * 3 + 2) * B + k];
        const ho = h * 9;
        bx += R[ho] * fx + R[ho + 1] * fy + R[ho + 2] * fz;
        by += R[ho + 3] * fx + R[ho + 4] * fy + R[ho + 5] * fz;
        bz += R[ho + 6] * fx + R[ho + 7] * fy + R[ho + 8] * fz;
      }
      jac[rx + 72 + k] = bx;
      jac[ry + 72 + k] = by;
      jac[rz + 72 + k] = bz;
    }
    jac[rx + 72 + B] = 1;
    jac[ry + 73 + B] = 1;
    jac[rz + 74 + B] = 1;
  }
  void rest;
  void face;
}
