/**
 * LayerNorm over the last axis with its gradient, as one op each way on the SIMD heap (src/tensor/simd-gemm.ts):
 *   y = (x - mean) / sqrt(var + eps) * gamma + beta
 *   dx = rstd (g' - mean(g') - xhat mean(g' xhat)) with g' = dy gamma;  dgamma = sum_rows dy xhat;  dbeta = sum_rows dy
 * In place of about 9 tensor ops forward and 10 backward (means, reductions over the leading axis, broadcasts), each
 * with the runtime's per-op cost. The backward recomputes mean and rstd from the saved x (in the layerNormBackward
 * kernel; plain loops without WebAssembly SIMD or when C is not a multiple of 4).
 */
import * as tf from '@tensorflow/tfjs';
import { customOpPerParameter } from './custom-op.ts';
import { GemmHeap, rowMeanRstd } from './simd-gemm.ts';

const heap = new GemmHeap();

function forward(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, save: tf.GradSaveFunc) {
  save([x, gamma]);
  const C = x.shape[x.rank - 1] as number, R = x.size / C;
  // layout: gamma [C] | beta [C] | x [R*C] | y [R*C]
  const zb = C, zx = 2 * C, zy = zx + R * C;
  heap.ensure(zy + R * C);
  heap.load(gamma, 0);
  heap.load(beta, zb);
  heap.load(x, zx);
  heap.layerNorm(zx, R, C, eps, zy, 0, zb);
  return {
    value: heap.tensor(zy, x.shape),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0], saved[1], eps),
  };
}

function backward(dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor, eps: number): tf.Tensor[] {
  const C = x.shape[x.rank - 1] as number, R = x.size / C;
  // layout: gamma [C] | dgamma [C] | dbeta [C] | x [R*C] | dy [R*C] | dx [R*C]
  const zdg = C, zdb = 2 * C, zx = 3 * C, zd = zx + R * C, zdx = zd + R * C;
  const f = heap.ensure(zdx + R * C);
  heap.load(gamma, 0);
  heap.load(x, zx);
  heap.load(dy, zd);
  f.fill(0, zdg, zx);
  const k = heap.kernel;
  if (k && C % 4 === 0) k.layerNormBackward(zx * 4, zd * 4, R, C, eps, 0, zdx * 4, zdg * 4, zdb * 4);
  else for (let r = 0; r < R; r++) {
    const xo = zx + r * C, go = zd + r * C, oo = zdx + r * C;
    const [mean, rstd] = rowMeanRstd(f, xo, C, eps);
    let m1 = 0, m2 = 0;
    for (let c = 0; c < C; c++) {
      const xh = (f[xo + c] - mean) * rstd, g = f[go + c];
      const gx = g * f[c];
      m1 += gx;
      m2 += gx * xh;
      f[zdg + c] += g * xh;
      f[zdb + c] += g;
    }
    m1 /= C;
    m2 /= C;
    for (let c = 0; c < C; c++) {
      const xh = (f[xo + c] - mean) * rstd;
      f[oo + c] = rstd * (f[go + c] * f[c] - m1 - xh * m2);
    }
  }
  return [heap.tensor(zdx, x.shape), heap.tensor(zdg, [C]), heap.tensor(zdb, [C])];
}

const op = customOpPerParameter<[tf.Tensor, tf.Tensor, tf.Tensor]>((eps, [x, gm, bt], save) => forward(x, gm, bt, eps, save));

/** LayerNorm of x [..., C] with gamma, beta [C] (see the file comment). */
export function layerNormOp(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return op(eps, x, gamma, beta);
}
