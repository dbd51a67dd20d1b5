/**
 * Naive surface nets: a closed triangle mesh of the zero set of a signed distance function sampled on a grid
 * (one vertex per sign-changing cell at the mean of its edge crossings, one quad per sign-changing grid edge),
 * followed by a few Newton steps that put the vertices on the surface. Build-time only.
 */

export interface TriMesh {
  /** [V*3] positions. */
  positions: Float64Array;
  /** [F*3] vertex indices, counter-clockwise seen from outside. */
  faces: Uint32Array;
}

/**
 * Extract the surface f = 0 inside [min, max] with grid step h. f is negative inside.
 */
export function surfaceNets(f: (x: number, y: number, z: number) => number, min: number[], max: number[], h: number): TriMesh {
  const nx = Math.ceil((max[0] - min[0]) / h) + 1;
  const ny = Math.ceil((max[1] - min[1]) / h) + 1;
  const nz = Math.ceil((max[2] - min[2]) / h) + 1;
  const idx = (i: number, j: number, k: number) => (k * ny + j) * nx + i;
  const val = new Float64Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    val[idx(i, j, k)] = f(min[0] + i * h, min[1] + j * h, min[2] + k * h);
  }
  // one vertex per cell (i..i+1, j..j+1, k..k+1) whose corners change sign
  const cellVertex = new Int32Array((nx - 1) * (ny - 1) * (nz - 1)).fill(-1);
  const cidx = (i: number, j: number, k: number) => (k * (ny - 1) + j) * (nx - 1) + i;
  const pos: number[] = [];
  const corners = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1]];
  const edges = [[0, 1], [2, 3], [4, 5], [6, 7], [0, 2], [1, 3], [4, 6], [5, 7], [0, 4], [1, 5], [2, 6], [3, 7]];
  const cv = new Float64Array(8);
  for (let k = 0; k < nz - 1; k++) for (let j = 0; j < ny - 1; j++) for (let i = 0; i < nx - 1; i++) {
    let inside = 0;
    for (let c = 0; c < 8; c++) {
      cv[c] = val[idx(i + corners[c][0], j + corners[c][1], k + corners[c][2])];
      if (cv[c] < 0) inside++;
    }
    if (inside === 0 || inside === 8) continue;
    let sx = 0, sy = 0, sz = 0, n = 0;
    for (const [a, b] of edges) {
      if (cv[a] < 0 === cv[b] < 0) continue;
      const t = cv[a] / (cv[a] - cv[b]);
      sx += corners[a][0] + (corners[b][0] - corners[a][0]) * t;
      sy += corners[a][1] + (corners[b][1] - corners[a][1]) * t;
      sz += corners[a][2] + (corners[b][2] - corners[a][2]) * t;
      n++;
    }
    cellVertex[cidx(i, j, k)] = pos.length / 3;
    pos.push(min[0] + (i + sx / n) * h, min[1] + (j + sy / n) * h, min[2] + (k + sz / n) * h);
  }
  // one quad per sign-changing edge, between the 4 cells around it
  const faces: number[] = [];
  const quad = (a: number, b: number, c: number, d: number, flip: boolean) => {
    if (a < 0 || b < 0 || c < 0 || d < 0) return;
    if (flip) [b, d] = [d, b];
    faces.push(a, b, c, a, c, d);
  };
  for (let k = 1; k < nz - 1; k++) for (let j = 1; j < ny - 1; j++) for (let i = 1; i < nx - 1; i++) {
    const v0 = val[idx(i, j, k)] < 0;
    // x edge (i,j,k)-(i+1,j,k): cells (i, j-1..j, k-1..k)
    if (i < nx - 1 && v0 !== val[idx(i + 1, j, k)] < 0) {
      quad(cellVertex[cidx(i, j - 1, k - 1)], cellVertex[cidx(i, j, k - 1)], cellVertex[cidx(i, j, k)], cellVertex[cidx(i, j - 1, k)], !v0);
    }
    if (j < ny - 1 && v0 !== val[idx(i, j + 1, k)] < 0) {
      quad(cellVertex[cidx(i - 1, j, k - 1)], cellVertex[cidx(i - 1, j, k)], cellVertex[cidx(i, j, k)], cellVertex[cidx(i, j, k - 1)], !v0);
    }
    if (k < nz - 1 && v0 !== val[idx(i, j, k + 1)] < 0) {
      quad(cellVertex[cidx(i - 1, j - 1, k)], cellVertex[cidx(i, j - 1, k)], cellVertex[cidx(i, j, k)], cellVertex[cidx(i - 1, j, k)], !v0);
    }
  }
  const positions = Float64Array.from(pos);
  // Newton steps onto the surface along the numerical gradient
  const e = h * 0.25;
  for (let it = 0; it < 3; it++) {
    for (let v = 0; v < positions.length; v += 3) {
      const x = positions[v], y = positions[v + 1], z = positions[v + 2];
      const d = f(x, y, z);
      const gx = (f(x + e, y, z) - f(x - e, y, z)) / (2 * e);
      const gy = (f(x, y + e, z) - f(x, y - e, z)) / (2 * e);
      const gz = (f(x, y, z + e) - f(x, y, z - e)) / (2 * e);
      const g2 = gx * gx + gy * gy + gz * gz;
      if (g2 < 1e-12) continue;
      const step = Math.max(-h, Math.min(h, d / g2));
      positions[v] = x - gx * step;
      positions[v + 1] = y - gy * step;
      positions[v + 2] = z - gz * step;
    }
  }
  return { positions, faces: Uint32Array.from(faces) };
}
