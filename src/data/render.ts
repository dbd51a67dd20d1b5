/** Draw a world-space Shape into a Raster through a Camera: back-face culling, flat/lambert shading, depth test. */
import { toCamera, type Camera } from './camera.ts';
import { LAYER, type Raster } from './raster.ts';
import type { Shape } from './shape.ts';

/** Scene lighting in camera space. */
export interface Light {
  /** Unit direction from surfaces towards the light, camera frame (x right, y down, z forward). */
  dir: [number, number, number];
  /** Ambient fraction in [0, 1]. */
  ambient: number;
}

export function renderShape(r: Raster, cam: Camera, shape: Shape, light: Light, layer: number = LAYER.object): void {
  const f = cam.focal, cx = cam.cx, cy = cam.cy;
  const [lx, ly, lz] = light.dir;
  const amb = light.ambient, dif = 1 - amb;
  for (const t of shape.tris) {
    const a = toCamera(cam, t.a), b = toCamera(cam, t.b), c = toCamera(cam, t.c);
    if (a[2] <= 0.05 || b[2] <= 0.05 || c[2] <= 0.05) continue;
    // normal in camera space
    const ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2];
    const vx = c[0] - a[0], vy = c[1] - a[1], vz = c[2] - a[2];
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const nl = Math.hypot(nx, ny, nz);
    if (nl < 1e-12) continue;
    nx /= nl; ny /= nl; nz /= nl;
    const facing = nx * a[0] + ny * a[1] + nz * a[2]; // > 0: seen from behind
    if (facing > 0) {
      if (!t.twoSided) continue;
      nx = -nx; ny = -ny; nz = -nz;
    }
    const ndl = nx * lx + ny * ly + nz * lz;
    const shade = amb + dif * (ndl > 0 ? ndl : 0);
    const [s0, t0, s1, t1, s2, t2] = t.st;
    r.fillTriangle(
      cx + (f * a[0]) / a[2], cy + (f * a[1]) / a[2], a[2],
      cx + (f * b[0]) / b[2], cy + (f * b[1]) / b[2], b[2],
      cx + (f * c[0]) / c[2], cy + (f * c[1]) / c[2], c[2],
      t.paint, shade, layer, s0, t0, s1, t1, s2, t2,
    );
  }
  for (const k of shape.caps) {
    const a = toCamera(cam, k.a), b = toCamera(cam, k.b);
    if (a[2] <= 0.05 || b[2] <= 0.05) continue;
    const zm = (a[2] + b[2]) / 2;
    r.fillCapsule(
      cx + (f * a[0]) / a[2], cy + (f * a[1]) / a[2], a[2],
      cx + (f * b[0]) / b[2], cy + (f * b[1]) / b[2], b[2],
      (f * k.ra) / a[2], (f * k.rb) / b[2], zm / f, k.paint, light.dir, amb, layer,
    );
  }
}
