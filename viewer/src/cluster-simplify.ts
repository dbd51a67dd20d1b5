/**
 * Vertex-clustering simplification of an indexed triangle mesh: vertices that fall in the same cube of side `cell`
 * (metres) merge into one, with their mean normal, placed where it is closest to the planes of the triangles around
 * its members (the quadric error of Garland and Heckbert, solved per cluster as Lindstrom's out-of-core clustering
 * does, pulled gently toward the members' mean so that flat and ill-conditioned clusters stay put); triangles whose
 * corners merge vanish. Used
 * for the far level of a body (panel-3d.ts): at the panel's size a 19k-triangle body puts about one triangle on each
 * pixel, so a coarser copy draws the same picture for a fraction of the work. Pure function of the arrays.
 */

export interface SimpleMesh {
  /** [V*3] positions. */
  positions: Float32Array;
  /** [V*3] unit normals, or null. */
  normals: Float32Array | null;
  /** [F*3] vertex indices. */
  index: Uint32Array;
}

const CELL_SPAN = 2 ** 17;
const CELL_OFFSET = 2 ** 16;

/** Vertices of one cell whose normals differ by more than this stay apart. */
export const NORMAL_SPLIT_DEG = 45;
const NORMAL_SPLIT_COS = Math.cos((NORMAL_SPLIT_DEG * Math.PI) / 180);

/** Merge vertices per cube of side `cell`; keeps triangle winding; drops degenerate and repeated triangles. */
export function clusterSimplify(mesh: SimpleMesh, cell: number): SimpleMesh {
  if (!(cell > 0)) throw new Error(`clusterSimplify: cell must be > 0, got ${cell}`);
  let extent = 0;
  for (const v of mesh.positions) extent = Math.max(extent, Math.abs(v));
  if (extent / cell >= CELL_OFFSET) throw new Error(`clusterSimplify: the mesh spans ${extent} m, too far for ${cell} m cells`);
  const { positions: p, normals: n, index } = mesh;
  const count = p.length / 3;
  const clusterOf = new Int32Array(count);
  // Clusters of each cell; with normals, a cell holds one cluster per normal direction (a hard edge, where one
  // position carries normals more than NORMAL_SPLIT_DEG apart, keeps its crease instead of being smoothed over).
  const cells = new Map<number, number[]>();
  /** Cell number of each cluster (clusters of one cell share a position, so hard edges do not open cracks). */
  const cellOfCluster: number[] = [];
  const sums: number[] = [];
  const nsums: number[] = [];
  const firstNormal: number[] = [];
  const members: number[] = [];
  for (let i = 0; i < count; i++) {
    // A number per cell: cell coordinates offset to be non-negative, 2^17 per axis (51 bits: exact in a double).
    const key = ((Math.floor(p[i * 3] / cell) + CELL_OFFSET) * CELL_SPAN + (Math.floor(p[i * 3 + 1] / cell) + CELL_OFFSET)) * CELL_SPAN
      + (Math.floor(p[i * 3 + 2] / cell) + CELL_OFFSET);
    let list = cells.get(key);
    if (!list) cells.set(key, (list = []));
    const cellNo = list.length ? cellOfCluster[list[0]] : cells.size - 1;
    let c = n ? list.find((q) => firstNormal[q * 3] * n[i * 3] + firstNormal[q * 3 + 1] * n[i * 3 + 1] + firstNormal[q * 3 + 2] * n[i * 3 + 2] >= NORMAL_SPLIT_COS) : list[0];
    if (c === undefined) {
      c = members.length;
      list.push(c);
      cellOfCluster.push(cellNo);
      members.push(0);
      sums.push(0, 0, 0);
      nsums.push(0, 0, 0);
      firstNormal.push(n ? n[i * 3] : 0, n ? n[i * 3 + 1] : 0, n ? n[i * 3 + 2] : 0);
    }
    clusterOf[i] = c;
    members[c]++;
    for (let a = 0; a < 3; a++) {
      sums[c * 3 + a] += p[i * 3 + a];
      if (n) nsums[c * 3 + a] += n[i * 3 + a];
    }
  }
  const k = members.length;
  const nc = cells.size;
  // Per cell: the quadric of its members' triangle planes, area-weighted: A (3x3, symmetric, 6 numbers), b (3);
  // and the members' position sum.
  const qa = new Float64Array(nc * 6);
  const qb = new Float64Array(nc * 3);
  const csum = new Float64Array(nc * 4);
  for (let c = 0; c < k; c++) {
    const q = cellOfCluster[c];
    for (let a = 0; a < 3; a++) csum[q * 4 + a] += sums[c * 3 + a];
    csum[q * 4 + 3] += members[c];
  }
  for (let t = 0; t < index.length; t += 3) {
    const i0 = index[t] * 3, i1 = index[t + 1] * 3, i2 = index[t + 2] * 3;
    const ux = p[i1] - p[i0], uy = p[i1 + 1] - p[i0 + 1], uz = p[i1 + 2] - p[i0 + 2];
    const vx = p[i2] - p[i0], vy = p[i2 + 1] - p[i0 + 1], vz = p[i2 + 2] - p[i0 + 2];
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const len = Math.hypot(nx, ny, nz);
    if (len === 0) continue;
    const area = len / 2;
    nx /= len; ny /= len; nz /= len;
    const d = -(nx * p[i0] + ny * p[i0 + 1] + nz * p[i0 + 2]);
    for (const vi of [index[t], index[t + 1], index[t + 2]]) {
      const c = cellOfCluster[clusterOf[vi]];
      qa[c * 6] += area * nx * nx; qa[c * 6 + 1] += area * nx * ny; qa[c * 6 + 2] += area * nx * nz;
      qa[c * 6 + 3] += area * ny * ny; qa[c * 6 + 4] += area * ny * nz; qa[c * 6 + 5] += area * nz * nz;
      qb[c * 3] += area * d * nx; qb[c * 3 + 1] += area * d * ny; qb[c * 3 + 2] += area * d * nz;
    }
  }
  const cellPos = new Float64Array(nc * 3);
  for (let c = 0; c < nc; c++) {
    const mx = csum[c * 4] / csum[c * 4 + 3], my = csum[c * 4 + 1] / csum[c * 4 + 3], mz = csum[c * 4 + 2] / csum[c * 4 + 3];
    // Minimise x'Ax + 2b'x + eps |x - mean|^2: (A + eps I) x = eps mean - b, eps a small share of trace(A).
    const a00 = qa[c * 6], a01 = qa[c * 6 + 1], a02 = qa[c * 6 + 2], a11 = qa[c * 6 + 3], a12 = qa[c * 6 + 4], a22 = qa[c * 6 + 5];
    const eps = Math.max(1e-12, 0.02 * (a00 + a11 + a22));
    const m00 = a00 + eps, m11 = a11 + eps, m22 = a22 + eps;
    const r0 = eps * mx - qb[c * 3], r1 = eps * my - qb[c * 3 + 1], r2 = eps * mz - qb[c * 3 + 2];
    const c00 = m11 * m22 - a12 * a12, c01 = a02 * a12 - a01 * m22, c02 = a01 * a12 - a02 * m11;
    const det = m00 * c00 + a01 * c01 + a02 * c02;
    let x = mx, y = my, z = mz;
    if (Math.abs(det) > 1e-30) {
      const c11 = m00 * m22 - a02 * a02, c12 = a01 * a02 - m00 * a12, c22 = m00 * m11 - a01 * a01;
      x = (c00 * r0 + c01 * r1 + c02 * r2) / det;
      y = (c01 * r0 + c11 * r1 + c12 * r2) / det;
      z = (c02 * r0 + c12 * r1 + c22 * r2) / det;
      // Never leave the neighbourhood of the cluster (a safety net for near-singular quadrics).
      if (Math.hypot(x - mx, y - my, z - mz) > cell) { x = mx; y = my; z = mz; }
    }
    cellPos[c * 3] = x; cellPos[c * 3 + 1] = y; cellPos[c * 3 + 2] = z;
  }
  const positions = new Float32Array(k * 3);
  const normals = n ? new Float32Array(k * 3) : null;
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < 3; a++) positions[c * 3 + a] = cellPos[cellOfCluster[c] * 3 + a];
    if (normals) {
      const len = Math.hypot(nsums[c * 3], nsums[c * 3 + 1], nsums[c * 3 + 2]) || 1;
      for (let a = 0; a < 3; a++) normals[c * 3 + a] = nsums[c * 3 + a] / len;
    }
  }
  const tris: number[] = [];
  const seen = new Set<number>();
  for (let t = 0; t < index.length; t += 3) {
    const a = clusterOf[index[t]], b = clusterOf[index[t + 1]], c = clusterOf[index[t + 2]];
    // Corners in one cell share a position: the triangle has no area.
    const ca = cellOfCluster[a], cb = cellOfCluster[b], cc = cellOfCluster[c];
    if (ca === cb || cb === cc || ca === cc) continue;
    // Same triangle with the same winding, whichever corner comes first.
    const m = Math.min(a, b, c);
    const key = m === a ? (a * k + b) * k + c : m === b ? (b * k + c) * k + a : (c * k + a) * k + b;
    if (seen.has(key)) continue;
    seen.add(key);
    tris.push(a, b, c);
  }
  return { positions, normals, index: Uint32Array.from(tris) };
}
