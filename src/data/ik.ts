/**
 * Inverse kinematics for the synthetic scenes: damped least squares (Levenberg-Marquardt) on a chosen subset of the
 * pose components (and optionally the translation), with numerical Jacobians of kinematics.posedJoints, a pull
 * towards the template pose, and the joint limits enforced after every step.
 */
import { POSE_LOWER, POSE_UPPER } from '../mesh/kinematics.ts';
import { pose, type Body } from './body.ts';
import type { Vec3 } from './vec.ts';

/** Bring SMPL joint `joint` to `target` (world metres). */
export interface IkGoal {
  joint: number;
  target: Vec3;
  /** Residual weight (default 1). */
  weight?: number;
}

export interface IkOptions {
  /** SMPL joints whose three local rotation components are free. */
  joints: readonly number[];
  /** Free translation axes (e.g. [true, true, true]). */
  translate?: readonly [boolean, boolean, boolean];
  /** Weight of the pull towards the starting pose (radians^-1). Default 0.05. */
  prior?: number;
  /** Maximum iterations. Default 40. */
  iterations?: number;
  /** Stop when every goal is within this distance (metres). Default 0.004. */
  tolerance?: number;
}

export interface IkResult {
  /** Largest remaining goal distance, metres. */
  maxError: number;
  iterations: number;
}

/** Solve in place: `body.pose` and `body.translation` are updated. */
export function solveIk(body: Body, goals: readonly IkGoal[], o: IkOptions): IkResult {
  const idx: number[] = [];
  for (const j of o.joints) idx.push(j * 3, j * 3 + 1, j * 3 + 2);
  const tAxes = (o.translate ?? [false, false, false]).flatMap((f, a) => (f ? [a] : []));
  const n = idx.length + tAxes.length;
  const prior = o.prior ?? 0.05;
  const iters = o.iterations ?? 40;
  const tol = o.tolerance ?? 0.004;
  const x0 = new Float64Array(n);
  const read = (x: Float64Array) => {
    idx.forEach((k, i) => { x[i] = body.pose[k]; });
    tAxes.forEach((a, i) => { x[idx.length + i] = body.translation[a]; });
  };
  const write = (x: Float64Array) => {
    idx.forEach((k, i) => { body.pose[k] = Math.min(POSE_UPPER[k], Math.max(POSE_LOWER[k], x[i])); });
    const t: Vec3 = [...body.translation];
    tAxes.forEach((a, i) => { t[a] = x[idx.length + i]; });
    body.translation = t;
    idx.forEach((k, i) => { x[i] = body.pose[k]; });
  };
  read(x0);
  const m = goals.length * 3 + idx.length;
  const residual = (x: Float64Array, out: Float64Array): number => {
    write(x);
    const p = pose(body);
    let k = 0;
    for (const g of goals) {
      const w = g.weight ?? 1;
      for (let a = 0; a < 3; a++) out[k++] = w * (p.smpl[g.joint * 3 + a] - g.target[a]);
    }
    for (let i = 0; i < idx.length; i++) out[k++] = prior * (x[i] - x0[i]);
    let c = 0;
    for (let i = 0; i < m; i++) c += out[i] * out[i];
    return c;
  };
  const x = Float64Array.from(x0);
  const r = new Float64Array(m);
  const r2 = new Float64Array(m);
  const J = new Float64Array(m * n);
  const A = new Float64Array(n * n);
  const g = new Float64Array(n);
  const xt = new Float64Array(n);
  let cost = residual(x, r);
  let mu = 1e-3;
  let it = 0;
  for (; it < iters; it++) {
    if (maxGoalError(body, goals) < tol) break;
    // numerical Jacobian (forward differences)
    const h = 1e-5;
    for (let c = 0; c < n; c++) {
      xt.set(x);
      xt[c] += h;
      residual(xt, r2);
      for (let i = 0; i < m; i++) J[i * n + c] = (r2[i] - r[i]) / h;
    }
    // normal equations: (J^T J + mu diag) dx = -J^T r
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += J[i * n + a] * r[i];
      g[a] = -s;
      for (let b = a; b < n; b++) {
        let t = 0;
        for (let i = 0; i < m; i++) t += J[i * n + a] * J[i * n + b];
        A[a * n + b] = t;
        A[b * n + a] = t;
      }
    }
    let improved = false;
    for (let tries = 0; tries < 6 && !improved; tries++) {
      const M = Float64Array.from(A);
      for (let a = 0; a < n; a++) M[a * n + a] += mu * (1 + A[a * n + a]);
      const dx = solveLinear(M, Float64Array.from(g), n);
      for (let a = 0; a < n; a++) xt[a] = x[a] + Math.max(-0.5, Math.min(0.5, dx[a]));
      const c2 = residual(xt, r2);
      if (c2 < cost) {
        // keep the clamped values written by residual()
        x.set(xt);
        r.set(r2);
        cost = c2;
        mu = Math.max(1e-6, mu / 3);
        improved = true;
      } else {
        mu *= 4;
      }
    }
    if (!improved) break;
  }
  write(x);
  return { maxError: maxGoalError(body, goals), iterations: it };
}

/** Largest distance between a goal joint and its target. */
export function maxGoalError(body: Body, goals: readonly IkGoal[]): number {
  const p = pose(body);
  let e = 0;
  for (const g of goals) {
    const d = Math.hypot(p.smpl[g.joint * 3] - g.target[0], p.smpl[g.joint * 3 + 1] - g.target[1], p.smpl[g.joint * 3 + 2] - g.target[2]);
    if (d > e) e = d;
  }
  return e;
}

/** Gaussian elimination with partial pivoting on an n x n system (A and b are overwritten). */
function solveLinear(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(A[i * n + c]) > Math.abs(A[p * n + c])) p = i;
    if (p !== c) {
      for (let k = 0; k < n; k++) { const t = A[c * n + k]; A[c * n + k] = A[p * n + k]; A[p * n + k] = t; }
      const t = b[c]; b[c] = b[p]; b[p] = t;
    }
    const d = A[c * n + c] || 1e-12;
    for (let i = c + 1; i < n; i++) {
      const f = A[i * n + c] / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) A[i * n + k] -= f * A[c * n + k];
      b[i] -= f * b[c];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= A[i * n + k] * x[k];
    x[i] = s / (A[i * n + i] || 1e-12);
  }
  return x;
}
