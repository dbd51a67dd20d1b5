/**
 * Levenberg-Marquardt on the objective of objective.ts, in plain TypeScript (CPU). The data rows of the Jacobian
 * are analytic (objective.ts `dataResidualsJacobian`; forward differences on request, for checks); the prior rows
 * are diagonal and analytic.
 */
import { BETA_LIMIT, FIT_WEIGHTS, type StageWeights } from './constants.ts';
import { POSE_LOWER, POSE_UPPER } from './kinematics.ts';
import { type ObjectiveContext, dataResiduals, dataResidualsJacobian, dataWeights, priorCost } from './objective.ts';

const FD_STEP = 1e-6;
/** Fractions of an LM step tried before the damping goes up. */
const STEP_SCALES = [1, 0.5, 0.25];

/** Cholesky solve of the SPD system A x = b (A [n*n] row-major, overwritten). Returns false if not SPD. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number, x: Float64Array): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    A[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / d;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i * n + k] * x[k];
    x[i] = s / A[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= A[k * n + i] * x[k];
    x[i] = s / A[i * n + i];
  }
  return true;
}

/** Work counters (linear solves and their multiply-adds), for profiling without a quiet machine. */
export const lmWork = { solves: 0, jacobians: 0, madds: 0, rejects: 0, gaveUp: 0 };

/** Result of one LM run. */
export interface LmResult {
  iterations: number;
  cost: number;
}

/**
 * Minimise the stage's cost over the parameters listed in `active` (indices into x), in place.
 * Stops after `stage.iterations` steps, or when the relative cost change is below 1e-9.
 */
export function lmSolve(ctx: ObjectiveContext, x: Float64Array, active: Int32Array, stage: StageWeights, useFd = false): LmResult {
  const n = active.length;
  const B = ctx.model.numBetas;
  const w = dataWeights(ctx, stage);
  const r0 = new Float64Array(34);
  const r1 = new Float64Array(34);
  const J = new Float64Array(34 * n);
  const A = new Float64Array(n * n);
  const Awork = new Float64Array(n * n);
  const g = new Float64Array(n);
  const delta = new Float64Array(n);
  const nzCol = new Int32Array(n);
  const nzVal = new Float64Array(n);
  const xTry = new Float64Array(x.length);
  const tz = 72 + B + 2;

  const sumSq = (r: Float64Array) => {
    let e = 0;
    for (let i = 0; i < 34; i++) e += r[i] * r[i];
    return e;
  };
  dataResiduals(ctx, x, w, r0);
  let cost = sumSq(r0) + priorCost(ctx, x, stage);
  let lambda = 1e-3;
  let nu = 2;
  let it = 0;
  for (; it < stage.iterations; it++) {
    // Jacobian of the data residuals (analytic); also refreshes r0 at x.
    if (useFd) {
      for (let c = 0; c < n; c++) {
        const p = active[c];
        const keep = x[p];
        const h = FD_STEP * Math.max(1, Math.abs(keep));
        x[p] = keep + h;
        dataResiduals(ctx, x, w, r1);
        x[p] = keep;
        for (let i = 0; i < 34; i++) J[i * n + c] = (r1[i] - r0[i]) / h;
      }
    } else {
      dataResidualsJacobian(ctx, x, w, active, r0, J);
    }
    lmWork.jacobians++;
    lmWork.madds += 17 * n * n;
    // Normal equations: A = J^T J, g = J^T r (row by row over each row's non-zero columns), plus the prior rows.
    A.fill(0);
    g.fill(0);
    for (let i = 0; i < 34; i++) {
      const ri = r0[i];
      if (ri === 0 && J[i * n] === 0 && J[i * n + n - 1] === 0) {
        let any = false;
        for (let c = 0; c < n && !any; c++) any = J[i * n + c] !== 0;
        if (!any) continue;
      }
      let m = 0;
      for (let c = 0; c < n; c++) {
        const v = J[i * n + c];
        if (v !== 0) {
          nzCol[m] = c;
          nzVal[m++] = v;
        }
      }
      for (let a = 0; a < m; a++) {
        const ca = nzCol[a], va = nzVal[a];
        g[ca] += va * ri;
        const row = ca * n;
        for (let b = 0; b <= a; b++) A[row + nzCol[b]] += va * nzVal[b];
      }
    }
    // mirror the lower triangle (columns were visited in increasing order, so A[ca][cb] has ca >= cb)
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) A[b * n + a] = A[a * n + b];
    for (let c = 0; c < n; c++) {
      const p = active[c];
      if (p >= 3 && p < 72) {
        const wp = stage.pose * FIT_WEIGHTS.poseJoint[(p / 3) | 0];
        A[c * n + c] += wp * wp;
        g[c] += wp * wp * (x[p] - ctx.poseMean[p]);
        const v = x[p];
        const out = v < POSE_LOWER[p] ? v - POSE_LOWER[p] : v > POSE_UPPER[p] ? v - POSE_UPPER[p] : 0;
        if (out !== 0) {
          const wl = FIT_WEIGHTS.limits;
          A[c * n + c] += wl * wl;
          g[c] += wl * wl * out;
        }
      } else if (p >= 72 && p < 72 + B) {
        A[c * n + c] += stage.shape * stage.shape;
        g[c] += stage.shape * stage.shape * x[p];
        const v = x[p];
        const out = v < -BETA_LIMIT ? v + BETA_LIMIT : v > BETA_LIMIT ? v - BETA_LIMIT : 0;
        if (out !== 0) {
          const wl = FIT_WEIGHTS.limits;
          A[c * n + c] += wl * wl;
          g[c] += wl * wl * out;
        }
      } else if (p === tz && stage.depth > 0) {
        const wd = stage.depth / ctx.depth0;
        A[c * n + c] += wd * wd;
        g[c] += wd * wd * (x[p] - ctx.depth0);
      }
    }
    // Damped steps until one lowers the cost; the damping follows the gain ratio (Nielsen's rule).
    let accepted = false;
    for (let tries = 0; tries < 8 && !accepted; tries++) {
      Awork.set(A);
      for (let c = 0; c < n; c++) Awork[c * n + c] += lambda * A[c * n + c] + 1e-9;
      for (let c = 0; c < n; c++) g[c] = -g[c];
      const ok = choleskySolve(Awork, g, n, delta);
      for (let c = 0; c < n; c++) g[c] = -g[c];
      lmWork.solves++;
      lmWork.madds += (n * n * n) / 6;
      if (!ok) {
        lambda *= nu;
        nu *= 2;
        continue;
      }
      // predicted decrease of the Gauss-Newton model ||r + J d||^2 along d: -(2 a g.d + a^2 d.A.d)
      let gd = 0, dAd = 0;
      for (let a = 0; a < n; a++) {
        gd += g[a] * delta[a];
        let s = 0;
        for (let b = 0; b < n; b++) s += A[a * n + b] * delta[b];
        dAd += delta[a] * s;
      }
      // the full step, then shorter ones along the same direction (cheap: no new factorisation)
      for (const alpha of STEP_SCALES) {
        xTry.set(x);
        for (let c = 0; c < n; c++) xTry[active[c]] += alpha * delta[c];
        dataResiduals(ctx, xTry, w, r1);
        const costTry = sumSq(r1) + priorCost(ctx, xTry, stage);
        const predicted = -(2 * alpha * gd + alpha * alpha * dAd);
        const rho = predicted > 0 ? (cost - costTry) / predicted : -1;
        if (costTry < cost && rho > 0) {
          const rel = (cost - costTry) / Math.max(cost, 1e-30);
          x.set(xTry);
          r0.set(r1);
          cost = costTry;
          lambda = alpha === 1 ? Math.max(lambda * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3), 1e-9) : lambda * 2;
          nu = 2;
          accepted = true;
          if (rel < (stage.tolerance ?? 1e-9)) return { iterations: it + 1, cost };
          break;
        }
      }
      if (!accepted) {
        lambda *= nu;
        nu *= 2;
        lmWork.rejects++;
      }
    }
    if (!accepted) {
      lmWork.gaveUp++;
      return { iterations: it + 1, cost };
    }
  }
  return { iterations: it, cost };
}
