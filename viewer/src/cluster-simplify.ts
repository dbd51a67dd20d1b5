/**
 * Vertex-clustering simplification of an indexed triangle mesh: vertices that fall in the same cube of side `cell`
 * (metres) merge into one at their mean position with their mean normal; triangles whose corners merge vanish. Used
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

/** Merge vertices per cube of side `cell`; keeps triangle winding; drops degenerate and repeated triangles. */
export function clusterSimplify(mesh: SimpleMesh, cell: number): SimpleMesh {
  if (!(cell > 0)) throw new Error(`clusterSimplify: cell must be > 0, got ${cell}`);
  const { positions: p, normals: n, index } = mesh;
  const count = p.length / 3;
  const clusterOf = new Int32Array(count);
  const keys = new Map<string, number>();
  const sums: number[] = [];
  const nsums: number[] = [];
  const members: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${Math.floor(p[i * 3] / cell)},${Math.floor(p[i * 3 + 1] / cell)},${Math.floor(p[i * 3 + 2] / cell)}`;
    let c = keys.get(key);
    if (c === undefined) {
      c = members.length;
      keys.set(key, c);
      members.push(0);
      sums.push(0, 0, 0);
      nsums.push(0, 0, 0);
    }
    clusterOf[i] = c;
    members[c]++;
    for (let a = 0; a < 3; a++) {
      sums[c * 3 + a] += p[i * 3 + a];
      if (n) nsums[c * 3 + a] += n[i * 3 + a];
    }
  }
  const k = members.length;
  const positions = new Float32Array(k * 3);
  const normals = n ? new Float32Array(k * 3) : null;
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < 3; a++) positions[c * 3 + a] = sums[c * 3 + a] / members[c];
    if (normals) {
      const len = Math.hypot(nsums[c * 3], nsums[c * 3 + 1], nsums[c * 3 + 2]) || 1;
      for (let a = 0; a < 3; a++) normals[c * 3 + a] = nsums[c * 3 + a] / len;
    }
  }
  const tris: number[] = [];
  const seen = new Set<string>();
  for (let t = 0; t < index.length; t += 3) {
    const a = clusterOf[index[t]], b = clusterOf[index[t + 1]], c = clusterOf[index[t + 2]];
    if (a === b || b === c || a === c) continue;
    // Same triangle with the same winding, whichever corner comes first.
    const m = Math.min(a, b, c);
    const key = m === a ? `${a},${b},${c}` : m === b ? `${b},${c},${a}` : `${c},${a},${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    tris.push(a, b, c);
  }
  return { positions, normals, index: Uint32Array.from(tris) };
}
