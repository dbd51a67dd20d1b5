/**
 * The photo's pinhole camera in three.js terms. Bodies come in glTF's frame, which is the OpenCV camera frame
 * (x right, y down, z forward, metres) turned 180 degrees about x: (x, -y, -z). A three.js camera at the origin
 * with its default orientation (looking down -z) and the projection below then sees exactly what the photo shows.
 */

/** Pinhole intrinsics (pixels) and the image size. */
export interface PhotoCamera { focal: number; cx: number; cy: number; width: number; height: number }

/**
 * Row-major 4x4 projection (the argument order of three's `Matrix4.set`) for `cam`, mapping glTF-frame points to
 * clip space so that pixel u lands at NDC x = 2u/W - 1 and pixel v at NDC y = 1 - 2v/H.
 */
export function photoProjection(cam: PhotoCamera, near: number, far: number): number[] {
  const { focal: f, cx, cy, width: w, height: h } = cam;
  return [
    (2 * f) / w, 0, 1 - (2 * cx) / w, 0,
    0, (2 * f) / h, (2 * cy) / h - 1, 0,
    0, 0, -(far + near) / (far - near), (-2 * far * near) / (far - near),
    0, 0, -1, 0,
  ];
}

/** OpenCV camera point -> glTF/three frame. */
export function openCvToGl(p: readonly number[]): [number, number, number] {
  return [p[0], -p[1], -p[2]];
}

/** Pixel position of a glTF-frame point seen by the photo camera (camera at the origin). */
export function projectGl(cam: PhotoCamera, p: readonly number[]): [number, number] {
  const z = -p[2];
  return [(cam.focal * p[0]) / z + cam.cx, (cam.focal * -p[1]) / z + cam.cy];
}

/** The plane at `depth` metres that fills the photo's view: size and centre in the glTF frame. */
export function backplate(cam: PhotoCamera, depth: number): { width: number; height: number; center: [number, number, number] } {
  const s = depth / cam.focal;
  return {
    width: cam.width * s,
    height: cam.height * s,
    center: [(cam.width / 2 - cam.cx) * s, -(cam.height / 2 - cam.cy) * s, -depth],
  };
}

/** Vertical field of view in degrees for the photo camera (three's `fov`). */
export function verticalFov(cam: PhotoCamera): number {
  return (2 * Math.atan(cam.height / (2 * cam.focal)) * 180) / Math.PI;
}
