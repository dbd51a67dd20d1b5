/**
 * Pinhole camera of the synthetic scenes. World frame: metres, y up (the body frame of src/mesh/kinematics.ts);
 * camera frame: OpenCV (x right, y down, z forward), as in SPEC.
 */
import { cross, normalize, sub, type Mat3, type Vec3 } from './vec.ts';

export interface Camera {
  /** World -> camera rotation, row-major (rows: right, down, forward in world coordinates). */
  R: Mat3;
  /** Camera centre in world coordinates, metres. */
  C: Vec3;
  /** Focal length in pixels. */
  focal: number;
  cx: number;
  cy: number;
  width: number;
  height: number;
}

/** A camera at `eye` looking at `target`, world up +y, with an optional roll (radians) about the view axis. */
export function lookAt(eye: Vec3, target: Vec3, focal: number, width: number, height: number, roll = 0): Camera {
  const f = normalize(sub(target, eye));
  let right = normalize(cross(f, [0, 1, 0]));
  let down = cross(f, right);
  if (roll) {
    const c = Math.cos(roll), s = Math.sin(roll);
    const r2: Vec3 = [c * right[0] + s * down[0], c * right[1] + s * down[1], c * right[2] + s * down[2]];
    const d2: Vec3 = [-s * right[0] + c * down[0], -s * right[1] + c * down[1], -s * right[2] + c * down[2]];
    right = r2;
    down = d2;
  }
  return { R: [...right, ...down, ...f] as Mat3, C: eye, focal, cx: width / 2, cy: height / 2, width, height };
}

/** World point -> camera frame. */
export function toCamera(cam: Camera, p: ArrayLike<number>): Vec3 {
  const x = p[0] - cam.C[0], y = p[1] - cam.C[1], z = p[2] - cam.C[2];
  const R = cam.R;
  return [R[0] * x + R[1] * y + R[2] * z, R[3] * x + R[4] * y + R[5] * z, R[6] * x + R[7] * y + R[8] * z];
}

/** World point -> [u, v, depth]: pixels and camera-frame z in metres (depth <= 0 means behind the camera). */
export function project(cam: Camera, p: ArrayLike<number>): Vec3 {
  const [x, y, z] = toCamera(cam, p);
  const zz = z > 1e-6 ? z : 1e-6;
  return [cam.cx + (cam.focal * x) / zz, cam.cy + (cam.focal * y) / zz, z];
}
