/** Small rotation helpers (row-major 3x3 matrices, axis-angle in radians, quaternions [x, y, z, w]). */
import { rodrigues } from './kinematics.ts';

/** Row-major product C = A B of 3x3 matrices. */
export function mul3(A: ArrayLike<number>, B: ArrayLike<number>, out = new Float64Array(9)): Float64Array {
  const o = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) o[r * 3 + c] = A[r * 3] * B[c] + A[r * 3 + 1] * B[3 + c] + A[r * 3 + 2] * B[6 + c];
  out.set(o);
  return out;
}

/** Axis-angle [3] -> row-major matrix [9]. */
export const axisAngleToMatrix = (a: ArrayLike<number>, out = new Float64Array(9)): Float64Array => rodrigues(a[0], a[1], a[2], out, 0);

/** Row-major rotation matrix -> quaternion [x, y, z, w] (w >= 0). */
export function matrixToQuaternion(m: ArrayLike<number>): [number, number, number, number] {
  const tr = m[0] + m[4] + m[8];
  let x: number, y: number, z: number, w: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = s / 4; x = (m[7] - m[5]) / s; y = (m[2] - m[6]) / s; z = (m[3] - m[1]) / s;
  } else if (m[0] > m[4] && m[0] > m[8]) {
    const s = Math.sqrt(1 + m[0] - m[4] - m[8]) * 2;
    w = (m[7] - m[5]) / s; x = s / 4; y = (m[1] + m[3]) / s; z = (m[2] + m[6]) / s;
  } else if (m[4] > m[8]) {
    const s = Math.sqrt(1 + m[4] - m[0] - m[8]) * 2;
    w = (m[2] - m[6]) / s; x = (m[1] + m[3]) / s; y = s / 4; z = (m[5] + m[7]) / s;
  } else {
    const s = Math.sqrt(1 + m[8] - m[0] - m[4]) * 2;
    w = (m[3] - m[1]) / s; x = (m[2] + m[6]) / s; y = (m[5] + m[7]) / s; z = s / 4;
  }
  const n = Math.hypot(x, y, z, w) * (w < 0 ? -1 : 1);
  return [x / n, y / n, z / n, w / n];
}

/** Row-major rotation matrix -> axis-angle [3] (angle in [0, pi]). */
export function matrixToAxisAngle(m: ArrayLike<number>): [number, number, number] {
  const [x, y, z, w] = matrixToQuaternion(m);
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) return [2 * x, 2 * y, 2 * z];
  const angle = 2 * Math.atan2(s, w);
  return [(x / s) * angle, (y / s) * angle, (z / s) * angle];
}

/** Axis-angle [3] -> quaternion [x, y, z, w]. */
export function axisAngleToQuaternion(a: ArrayLike<number>): [number, number, number, number] {
  const t = Math.hypot(a[0], a[1], a[2]);
  if (t < 1e-12) return [a[0] / 2, a[1] / 2, a[2] / 2, 1];
  const s = Math.sin(t / 2) / t;
  return [a[0] * s, a[1] * s, a[2] * s, Math.cos(t / 2)];
}
