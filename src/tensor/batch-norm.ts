/**
 * BatchNorm with batch statistics over the rows of a [R, C] (training), with its gradient, as one op each way:
 *   y = (a - mean) / sqrt(var + eps) * gamma + beta          (mean, biased var over the R rows, per column)
 *   da = rstd (g' - mean_rows(g') - xhat mean_rows(g' xhat)), g' = dy gamma;  dgamma = sum_rows dy xhat;  dbeta = sum_rows dy
 * In place of tf.moments and the normalisation (about 10 tensor ops forward and 20 backward over [R, C], several of
 * them reductions over the leading axis, which the wasm backend runs by transposing first), in the column kernels of
 * src/tensor/simd-gemm.ts (float32; plain loops with float64 sums without WebAssembly SIMD or when C is not a multiple
 * of 4). The batch statistics come back as tensors (for the running averages; no gradient flows through them).
 */
import * as tf from '@tensorflow/tfjs';
import { customOpPerParameter } from './custom-op.ts';
import { GemmHeap } from './simd-gemm.ts';

const heap = new GemmHeap();

/** Column means and rstd of f[x..x+R*C) into mean/rstd (float64 sums); returns the biased variances. */
function stats(f: Float32Array, x: number, R: number, C: number, eps: number, mean: Float64Array, rstd: Float64Array): Float64Array {
  const v = new Float64Array(C);
  mean.fill(0);
  for (let r = 0; r < R; r++) { const o = x + r * C; for (let c = 0; c < C; c++) mean[c] += f[o + c]; }
  for (let c = 0; c < C; c++) mean[c] /= R;
  for (let r = 0; r < R; r++) { const o = x + r * C; for (let c = 0; c < C; c++) { const t = f[o + c] - mean[c]; v[c] += t * t; } }
  for (let c = 0; c < C; c++) { v[c] /= R; rstd[c] = 1 / Math.sqrt(v[c] + eps); }
  return v;
}

let lastStats: { mean: Float32Array; variance: Float32Array } | null = null;

function forward(a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, save: tf.GradSaveFunc) {
  save([a, gamma]);
  const [R, C] = a.shape as number[];
  // layout: gamma [C] | beta [C] | a [R*C] | y [R*C] | mean [C] | var [C] | s [C] | t [C]
  const zb = C, za = 2 * C, zy = za + R * C, zm = zy + R * C, zv = zm + C, zs = zv + C, zt = zs + C;
  const f = heap.ensure(zt + C);
  heap.load(gamma, 0);
  heap.load(beta, zb);
  heap.load(a, za);
  const k = heap.kernel;
  if (k && C % 4 === 0) {
    // SIMD kernel: column moments, then y = a s + t with s = gamma rstd, t = beta - mean s
    k.colMoments(za * 4, R, C, zm * 4, zv * 4);
    for (let c = 0; c < C; c++) { const sc = f[c] / Math.sqrt(f[zv + c] + eps); f[zs + c] = sc; f[zt + c] = f[zb + c] - f[zm + c] * sc; }
    k.colAffine(za * 4, R, C, zs * 4, zt * 4, zy * 4);
    lastStats = { mean: f.slice(zm, zm + C), variance: f.slice(zv, zv + C) };
    return {
      value: heap.tensor(zy, [R, C]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0], saved[1], eps),
    };
  }
  const mean = new Float64Array(C), rstd = new Float64Array(C);
  const variance = stats(f, za, R, C, eps, mean, rstd);
  const sc = new Float64Array(C), sh = new Float64Array(C);
  for (let c = 0; c < C; c++) { sc[c] = rstd[c] * f[c]; sh[c] = f[zb + c] - mean[c] * sc[c]; }
  for (let r = 0; r < R; r++) {
    const o = za + r * C, t = zy + r * C;
    for (let c = 0; c < C; c++) f[t + c] = f[o + c] * sc[c] + sh[c];
  }
  lastStats = { mean: Float32Array.from(mean), variance: Float32Array.from(variance) };
  return {
    value: heap.tensor(zy, [R, C]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0], saved[1], eps),
  };
}

function backward(dy: tf.Tensor, a: tf.Tensor, gamma: tf.Tensor, eps: number): tf.Tensor[] {
  const [R, C] = a.shape as number[];
  // layout: gamma [C] | dgamma [C] | dbeta [C] | a [R*C] | dy [R*C] | da [R*C] | mean [C] | var -> rstd [C] | k1 [C] | k2 [C]
  const zdg = C, zdb = 2 * C, za = 3 * C, zd = za + R * C, zda = zd + R * C, zm = zda + R * C, zr = zm + C, zk1 = zr + C, zk2 = zk1 + C;
  const f = heap.ensure(zk2 + C);
  heap.load(gamma, 0);
  heap.load(a, za);
  heap.load(dy, zd);
  const k = heap.kernel;
  if (k && C % 4 === 0) {
    k.colMoments(za * 4, R, C, zm * 4, zr * 4);
    for (let c = 0; c < C; c++) f[zr + c] = 1 / Math.sqrt(f[zr + c] + eps);
    k.bnBackward(zd * 4, za * 4, R, C, zm * 4, zr * 4, 0, zdb * 4, zdg * 4, zk1 * 4, zk2 * 4, zda * 4);
    return [heap.tensor(zda, [R, C]), heap.tensor(zdg, [C]), heap.tensor(zdb, [C])];
  }
  const mean = new Float64Array(C), rstd = new Float64Array(C);
  stats(f, za, R, C, eps, mean, rstd);
  const s1 = new Float64Array(C), s2 = new Float64Array(C); // sums of dy and dy xhat over the rows
  for (let r = 0; r < R; r++) {
    const o = za + r * C, g = zd + r * C;
    for (let c = 0; c < C; c++) {
      const d = f[g + c];
      s1[c] += d;
      s2[c] += d * (f[o + c] - mean[c]) * rstd[c];
    }
  }
  // g' = dy gamma: mean_rows(g') = gamma s1 / R, mean_rows(g' xhat) = gamma s2 / R
  const k1 = new Float64Array(C), k2 = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    f[zdg + c] = s2[c];
    f[zdb + c] = s1[c];
    k1[c] = (f[c] * s1[c]) / R;
    k2[c] = (f[c] * s2[c]) / R;
  }
  for (let r = 0; r < R; r++) {
    const o = za + r * C, g = zd + r * C, t = zda + r * C;
    for (let c = 0; c < C; c++) {
      const xh = (f[o + c] - mean[c]) * rstd[c];
      f[t + c] = rstd[c] * (f[g + c] * f[c] - k1[c] - xh * k2[c]);
    }
  }
  return [heap.tensor(zda, [R, C]), heap.tensor(zdg, [C]), heap.tensor(zdb, [C])];
}

const op = customOpPerParameter<[tf.Tensor, tf.Tensor, tf.Tensor]>((eps, [x, gm, bt], save) => forward(x, gm, bt, eps, save));

/**
 * BatchNorm of a [R, C] with its batch statistics (see the file comment): y, and the batch mean and biased variance
 * as tensors [C] (new, outside any gradient).
 */
export function batchNormTrain(a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const y = op(eps, a, gamma, beta);
  const s = lastStats!;
  lastStats = null;
  return { y, mean: tf.tensor1d(s.mean), variance: tf.tensor1d(s.variance) };
}
