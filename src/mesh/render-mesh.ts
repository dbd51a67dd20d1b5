/**
 * A small software rasteriser for previews: draws a triangle mesh given in the camera frame (OpenCV, metres) with a
 * pinhole camera, a z-buffer and two-light Lambert shading, optionally over a background image. Pure TypeScript.
 */
import type { Camera } from './types.ts';

export interface RenderOptions {
  /** RGB background [W*H*3]; default a light grey gradient. */
  background?: Uint8Array;
  /** Base colour per mesh (0-255 RGB), cycled. */
  colors?: Array<[number, number, number]>;
  /** Opacity of the mesh over the background (default 1). */
  alpha?: number;
}

/** A mesh to draw: positions [V*3] in the camera frame and faces [F*3] (counter-clockwise from outside). */
export interface RenderMesh {
  positions: ArrayLike<number>;
  faces: ArrayLike<number>;
}

/** Render `meshes` into an RGB image [W*H*3]. */
export function renderMeshes(meshes: RenderMesh[], cam: Camera, width: number, height: number, o: RenderOptions = {}): Uint8Array {
  const img = new Uint8Array(width * height * 3);
  if (o.background) img.set(o.background.subarray(0, img.length));
  else {
    for (let y = 0; y < height; y++) {
      const g = 236 - Math.round((y / height) * 40);
      for (let x = 0; x < width; x++) img.set([g, g, g + 4], (y * width + x) * 3);
    }
  }
  const zbuf = new Float32Array(width * height).fill(Infinity);
  const colors = o.colors ?? [[196, 170, 150], [150, 176, 206]];
  const alpha = o.alpha ?? 1;
  // lights (camera frame): key from upper left front, fill from the right
  const L1 = norm([-0.4, -0.6, -0.7]);
  const L2 = norm([0.6, -0.1, -0.5]);
  meshes.forEach((m, mi) => {
    const P = m.positions;
    const F = m.faces;
    const V = P.length / 3;
    const sx = new Float32Array(V), sy = new Float32Array(V), sz = new Float32Array(V);
    for (let v = 0; v < V; v++) {
      const z = Math.max(P[v * 3 + 2], 1e-3);
      sx[v] = (cam.focal * P[v * 3]) / z + cam.cx;
      sy[v] = (cam.focal * P[v * 3 + 1]) / z + cam.cy;
      sz[v] = z;
    }
    const base = colors[mi % colors.length];
    for (let f = 0; f < F.length; f += 3) {
      const a = F[f], b = F[f + 1], c = F[f + 2];
      // face normal in 3D
      const ux = P[b * 3] - P[a * 3], uy = P[b * 3 + 1] - P[a * 3 + 1], uz = P[b * 3 + 2] - P[a * 3 + 2];
      const vx = P[c * 3] - P[a * 3], vy = P[c * 3 + 1] - P[a * 3 + 1], vz = P[c * 3 + 2] - P[a * 3 + 2];
      const n = norm([uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx]);
      // back-face culling: the normal must point towards the camera
      const cxv = P[a * 3], cyv = P[a * 3 + 1], czv = P[a * 3 + 2];
      if (n[0] * cxv + n[1] * cyv + n[2] * czv > 0) continue;
      const shade = 0.28 + 0.62 * Math.max(0, n[0] * L1[0] + n[1] * L1[1] + n[2] * L1[2]) + 0.25 * Math.max(0, n[0] * L2[0] + n[1] * L2[1] + n[2] * L2[2]);
      const col = base.map((ch) => Math.min(255, ch * shade));
      const minX = Math.max(0, Math.floor(Math.min(sx[a], sx[b], sx[c])));
      const maxX = Math.min(width - 1, Math.ceil(Math.max(sx[a], sx[b], sx[c])));
      const minY = Math.max(0, Math.floor(Math.min(sy[a], sy[b], sy[c])));
      const maxY = Math.min(height - 1, Math.ceil(Math.max(sy[a], sy[b], sy[c])));
      const area = (sx[b] - sx[a]) * (sy[c] - sy[a]) - (sx[c] - sx[a]) * (sy[b] - sy[a]);
      if (Math.abs(area) < 1e-9) continue;
      for (let y = minY; y <= maxY; y++) {
        for (let x = minX; x <= maxX; x++) {
          const px = x + 0.5, py = y + 0.5;
          const w0 = ((sx[b] - px) * (sy[c] - py) - (sx[c] - px) * (sy[b] - py)) / area;
          const w1 = ((sx[c] - px) * (sy[a] - py) - (sx[a] - px) * (sy[c] - py)) / area;
          const w2 = 1 - w0 - w1;
          if (w0 < 0 || w1 < 0 || w2 < 0) continue;
          const z = w0 * sz[a] + w1 * sz[b] + w2 * sz[c];
          const k = y * width + x;
          if (z >= zbuf[k]) continue;
          zbuf[k] = z;
          for (let ch = 0; ch < 3; ch++) {
            const bg = o.background ? o.background[k * 3 + ch] : img[k * 3 + ch];
            img[k * 3 + ch] = Math.round(alpha * col[ch] + (1 - alpha) * bg);
          }
        }
      }
    }
  });
  return img;
}

function norm(v: number[]): [number, number, number] {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}
