/**
 * Builds the project's procedural SMPL-style body model in SMPL's array layout (build time; the result is stored by
 * scripts/build-body-model.ts). Everything is derived from kinematics.ts:
 * 1. template mesh: surface nets of the rest-pose signed distance field (body-sdf.ts);
 * 2. skinning weights: inverse 4th power of the distance to each joint's bone segment, smoothed over the mesh, top 4
 *    bones per vertex, the head rigid above the jaw line;
 * 3. shape blend shapes: each vertex follows its bones' joint shape directions (linear along each bone), plus radial
 *    terms (stature, girth, chest depth, head size);
 * 4. joint regressor: per joint, affine vertex weights near the joint solved so that J_regressor . v_shaped equals
 *    kinematics.restJoints(betas) for every beta (exact up to rounding);
 * 5. COCO face regressor: affine weights over rigid head vertices that reproduce kinematics' face points.
 */
import {
  COCO_FROM_SMPL, FACE_OFFSETS, HEAD_JOINT, JOINT_SHAPEDIRS, MEAN_REST_JOINTS, NUM_BETAS, NUM_JOINTS, SMPL_PARENTS,
} from '../kinematics.ts';
import { BODY_BOUNDS, bodySdf } from './body-sdf.ts';
import { surfaceNets } from './surface-nets.ts';

/** The arrays of an SMPL-layout model (row-major, shapes in the comments). */
export interface SmplArrays {
  v_template: Float64Array; // [V,3]
  shapedirs: Float64Array; // [V,3,B]
  J_regressor: Float64Array; // [24,V]
  weights: Float64Array; // [V,24]
  kintree_table: Int32Array; // [2,24]
  f: Uint32Array; // [F,3]
  /** Extension: COCO-17 face points (nose, l_eye, r_eye, l_ear, r_ear) from vertices [5,V]. */
  coco_face_regressor: Float64Array;
  /** Extension: SMPL joint of each COCO-17 point, -1 for face points [17]. */
  coco_joint_map: Int32Array;
  numVertices: number;
  numBetas: number;
}

type V3 = [number, number, number];
const B = NUM_BETAS;
const J = (j: number): V3 => [MEAN_REST_JOINTS[j * 3], MEAN_REST_JOINTS[j * 3 + 1], MEAN_REST_JOINTS[j * 3 + 2]];
const dJ = (j: number, k: number): V3 => [0, 1, 2].map((a) => JOINT_SHAPEDIRS[(j * 3 + a) * B + k]) as V3;

/** Per joint: its bone segment (start = the joint) end point, and per-beta scale of the end beyond the joint. */
function boneSegments(): Array<{ a: V3; b: V3; tipOf: number | null }> {
  const segs: Array<{ a: V3; b: V3; tipOf: number | null }> = [];
  const child: Record<number, number> = { 1: 4, 2: 5, 3: 6, 4: 7, 5: 8, 6: 9, 9: 12, 12: 15, 13: 16, 14: 17, 16: 18, 17: 19, 18: 20, 19: 21, 20: 22, 21: 23, 7: 10, 8: 11 };
  for (let j = 0; j < NUM_JOINTS; j++) {
    const a = J(j);
    if (j === 0) segs.push({ a: [0, -0.08, -0.01], b: [0, 0.06, -0.01], tipOf: null });
    else if (j in child) segs.push({ a, b: J(child[j]), tipOf: child[j] });
    else if (j === 10 || j === 11) segs.push({ a, b: [a[0], a[1] - 0.005, a[2] + 0.07], tipOf: null });
    else if (j === 15) segs.push({ a, b: [a[0], a[1] + 0.17, a[2]], tipOf: null });
    else segs.push({ a, b: [a[0] + Math.sign(a[0]) * 0.1, a[1] - 0.005, a[2]], tipOf: null }); // hands
  }
  // the ankle's bone runs from the heel to the ball of the foot
  for (const j of [7, 8]) segs[j].a = [J(j)[0], J(j)[1] - 0.04, J(j)[2] - 0.04];
  return segs;
}

/** Per-beta scale of a virtual bone end beyond its joint (see file comment). */
function tipScale(j: number, k: number): number {
  if (k === 0) return 0.04; // stature
  if (k === 9 && j === HEAD_JOINT) return 0.06; // head size
  if (k === 2 && (j === 22 || j === 23)) return 0.05; // arm length reaches the fingertips
  if (k === 1 && (j === 10 || j === 11)) return 0.05; // leg length reaches the toes
  return 0;
}

/** Radial scale (away from the bone axis) of joint j's flesh per unit beta k. */
function radialScale(j: number, k: number): number {
  if (k === 0) return 0.04;
  if (k === 9 && j === HEAD_JOINT) return 0.06;
  if (k === 6) {
    if ([0, 1, 2, 3, 6, 9].includes(j)) return 0.12;
    if ([4, 5, 13, 14, 16, 17].includes(j)) return 0.08;
    if ([12, 18, 19].includes(j)) return 0.05;
  }
  return 0;
}

/** Distance from (x, y, z) to the segment a-b. */
function segDist(x: number, y: number, z: number, a: V3, b: V3): number {
  const bx = b[0] - a[0], by = b[1] - a[1], bz = b[2] - a[2];
  const t = Math.min(1, Math.max(0, ((x - a[0]) * bx + (y - a[1]) * by + (z - a[2]) * bz) / (bx * bx + by * by + bz * bz)));
  return Math.hypot(x - a[0] - bx * t, y - a[1] - by * t, z - a[2] - bz * t);
}

/** Solve the small dense system A x = b (Gaussian elimination with partial pivoting). */
function solveDense(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[p * n + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) [M[c * n + k], M[p * n + k]] = [M[p * n + k], M[c * n + k]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    const d = M[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) M[r * n + k] -= f * M[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= M[r * n + k] * x[k];
    x[r] = s / M[r * n + r];
  }
  return x;
}

/**
 * Affine weights w over `cand` vertices closest to uniform such that C w = d, where C's rows are the constraint
 * features of each candidate (`feat(v)` [m]) and a row of ones. Min ||w - 1/n||^2 s.t. C w = d.
 */
function constrainedWeights(cand: number[], feat: (v: number) => number[], target: number[]): Float64Array {
  const n = cand.length;
  const rows = target.length + 1;
  const C = new Float64Array(rows * n);
  cand.forEach((v, c) => {
    const f = feat(v);
    for (let r = 0; r < target.length; r++) C[r * n + c] = f[r];
    C[target.length * n + c] = 1;
  });
  const d = [...target, 1];
  const w0 = 1 / n;
  // residual d - C w0
  const res = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += C[r * n + c] * w0;
    res[r] = d[r] - s;
  }
  // (C C^T + eps I) y = res
  const G = new Float64Array(rows * rows);
  let trace = 0;
  for (let a = 0; a < rows; a++) for (let b = 0; b < rows; b++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += C[a * n + c] * C[b * n + c];
    G[a * rows + b] = s;
    if (a === b) trace += s;
  }
  for (let a = 0; a < rows; a++) G[a * rows + a] += 1e-13 * trace + 1e-18;
  const y = solveDense(G, res, rows);
  const w = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let s = w0;
    for (let r = 0; r < rows; r++) s += C[r * n + c] * y[r];
    w[c] = s;
  }
  return w;
}

/** Build the model. @param h grid step in metres (0.0135 gives about 10k vertices). */
export function buildBodyModel(h = 0.0135): SmplArrays {
  // 1. template mesh
  const sdf = bodySdf();
  const mesh = surfaceNets(sdf, BODY_BOUNDS[0], BODY_BOUNDS[1], h);
  const V = mesh.positions.length / 3;
  const P = mesh.positions;
  const segs = boneSegments();

  // 2. skinning weights
  const raw = new Float64Array(V * NUM_JOINTS);
  const tOf = new Float64Array(V * NUM_JOINTS);
  for (let v = 0; v < V; v++) {
    const x = P[v * 3], y = P[v * 3 + 1], z = P[v * 3 + 2];
    let sum = 0;
    for (let j = 0; j < NUM_JOINTS; j++) {
      const { a, b } = segs[j];
      const bx = b[0] - a[0], by = b[1] - a[1], bz = b[2] - a[2];
      const tRaw = ((x - a[0]) * bx + (y - a[1]) * by + (z - a[2]) * bz) / (bx * bx + by * by + bz * bz);
      const t = Math.min(1, Math.max(0, tRaw));
      tOf[v * NUM_JOINTS + j] = tRaw;
      let d = Math.hypot(x - a[0] - bx * t, y - a[1] - by * t, z - a[2] - bz * t);
      // flesh on the parent's side of a joint belongs to the parent: lengthen distances behind the bone's start
      if (tRaw < 0 && j > 0) d *= 1 + Math.min(1.5, -tRaw * 6);
      // the pelvis also spans the hips: distance to the segment between the hip joints
      if (j === 0) d = Math.min(d, segDist(x, y, z, J(1), J(2)));
      const w = 1 / (d + 0.01) ** 4;
      raw[v * NUM_JOINTS + j] = w;
      sum += w;
    }
    for (let j = 0; j < NUM_JOINTS; j++) raw[v * NUM_JOINTS + j] /= sum;
  }
  // smooth over mesh neighbours
  const nbrs: number[][] = Array.from({ length: V }, () => []);
  for (let f = 0; f < mesh.faces.length; f += 3) {
    const [a, b, c] = [mesh.faces[f], mesh.faces[f + 1], mesh.faces[f + 2]];
    nbrs[a].push(b, c);
    nbrs[b].push(a, c);
    nbrs[c].push(a, b);
  }
  let cur = raw;
  for (let it = 0; it < 4; it++) {
    const next = new Float64Array(V * NUM_JOINTS);
    for (let v = 0; v < V; v++) {
      const nb = nbrs[v];
      for (let j = 0; j < NUM_JOINTS; j++) {
        let s = cur[v * NUM_JOINTS + j];
        for (const u of nb) s += cur[u * NUM_JOINTS + j];
        next[v * NUM_JOINTS + j] = s / (nb.length + 1);
      }
    }
    cur = next;
  }
  // rigid head above the jaw line, then top 4 and normalise
  const head = J(HEAD_JOINT);
  const weights = new Float64Array(V * NUM_JOINTS);
  for (let v = 0; v < V; v++) {
    const x = P[v * 3], y = P[v * 3 + 1];
    const row = cur.subarray(v * NUM_JOINTS, (v + 1) * NUM_JOINTS);
    const hFrac = Math.abs(x) < 0.14 ? Math.min(1, Math.max(0, (y - (head[1] - 0.03)) / 0.04)) : 0;
    const w = Array.from(row, (val, j) => (1 - hFrac) * val + (j === HEAD_JOINT ? hFrac : 0));
    const top = w.map((val, j) => [val, j]).sort((p, q) => q[0] - p[0]).slice(0, 4).filter((p) => p[0] > 1e-4);
    const s = top.reduce((acc, p) => acc + p[0], 0);
    for (const [val, j] of top) weights[v * NUM_JOINTS + j] = val / s;
  }

  // 3. shape blend shapes
  const shapedirs = new Float64Array(V * 3 * B);
  for (let v = 0; v < V; v++) {
    const p = [P[v * 3], P[v * 3 + 1], P[v * 3 + 2]];
    for (let j = 0; j < NUM_JOINTS; j++) {
      const w = weights[v * NUM_JOINTS + j];
      if (w === 0) continue;
      const { a, b, tipOf } = segs[j];
      const t = tOf[v * NUM_JOINTS + j];
      const axis = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
      for (let k = 0; k < B; k++) {
        const dA = j === 0 ? ([0, 0, 0] as V3) : dJ(j, k);
        let dB: V3;
        if (tipOf !== null) dB = dJ(tipOf, k);
        else {
          const s = tipScale(j, k);
          dB = [dA[0] + s * (b[0] - J(j)[0]), dA[1] + s * (b[1] - J(j)[1]), dA[2] + s * (b[2] - J(j)[2])];
        }
        if (j === 0 && k === 0) dB = [0.04 * b[0], 0.04 * b[1], 0.04 * b[2]];
        const dAr: V3 = j === 0 && k === 0 ? [0.04 * a[0], 0.04 * a[1], 0.04 * a[2]] : dA;
        const rho = radialScale(j, k);
        for (let c = 0; c < 3; c++) {
          let d = dAr[c] + t * (dB[c] - dAr[c]) + rho * (p[c] - axis[c]);
          if (k === 7 && c === 2 && [3, 6, 9].includes(j)) d += 0.15 * Math.max(0, p[2] - axis[2]); // chest depth
          shapedirs[(v * 3 + c) * B + k] += w * d;
        }
      }
    }
  }

  // nearest vertices helper
  const nearest = (q: number[], count: number, ok: (v: number) => boolean = () => true): number[] => {
    const all: Array<[number, number]> = [];
    for (let v = 0; v < V; v++) {
      if (!ok(v)) continue;
      all.push([Math.hypot(P[v * 3] - q[0], P[v * 3 + 1] - q[1], P[v * 3 + 2] - q[2]), v]);
    }
    all.sort((x, y) => x[0] - y[0]);
    return all.slice(0, count).map((e) => e[1]);
  };

  // 4. joint regressor: exact for the rest joints and every joint shape direction
  const J_regressor = new Float64Array(NUM_JOINTS * V);
  for (let j = 0; j < NUM_JOINTS; j++) {
    const cand = nearest(J(j), 200);
    const target: number[] = [...J(j)];
    const used: number[] = [];
    for (let k = 0; k < B; k++) {
      const col = dJ(j, k);
      const any = cand.some((v) => [0, 1, 2].some((c) => Math.abs(shapedirs[(v * 3 + c) * B + k]) > 1e-9));
      if (!any && col.every((x) => Math.abs(x) < 1e-12)) continue;
      used.push(k);
      target.push(...col);
    }
    const w = constrainedWeights(cand, (v) => {
      const f = [P[v * 3], P[v * 3 + 1], P[v * 3 + 2]];
      for (const k of used) for (let c = 0; c < 3; c++) f.push(shapedirs[(v * 3 + c) * B + k]);
      return f;
    }, target);
    cand.forEach((v, c) => { J_regressor[j * V + v] = w[c]; });
  }

  // 5. COCO face regressor over rigid head vertices
  const coco_face_regressor = new Float64Array(5 * V);
  const rigidHead = (v: number) => weights[v * NUM_JOINTS + HEAD_JOINT] > 0.9999;
  for (let i = 0; i < 5; i++) {
    const q = [head[0] + FACE_OFFSETS[i][0], head[1] + FACE_OFFSETS[i][1], head[2] + FACE_OFFSETS[i][2]];
    const cand = nearest(q, 12, rigidHead);
    const w = constrainedWeights(cand, (v) => [P[v * 3], P[v * 3 + 1], P[v * 3 + 2]], q);
    cand.forEach((v, c) => { coco_face_regressor[i * V + v] = w[c]; });
  }

  const kintree_table = new Int32Array(2 * NUM_JOINTS);
  for (let j = 0; j < NUM_JOINTS; j++) {
    kintree_table[j] = SMPL_PARENTS[j];
    kintree_table[NUM_JOINTS + j] = j;
  }
  return {
    v_template: Float64Array.from(P),
    shapedirs,
    J_regressor,
    weights,
    kintree_table,
    f: mesh.faces,
    coco_face_regressor,
    coco_joint_map: Int32Array.from(COCO_FROM_SMPL),
    numVertices: V,
    numBetas: B,
  };
}
