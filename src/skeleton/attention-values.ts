/**
 * The end of the pose-object attention as one op with its own gradient:
 *   logits [B, H, N, P], values [B, H, P, d] -> J [B, N, H*d], J[b, :, h] = softmax_P(logits[b, h]) values[b, h].
 *
 * Per sample and head these are [17, P] x [P, d] products, which a batched matMul on wasm runs as a scalar loop;
 * here they run in the SIMD kernel of src/tensor/simd-gemm.ts (plain loops without WebAssembly SIMD). Backward
 * (att saved from the forward): dvalues^T = dJ_h^T att, datt = dJ_h values^T, dlogits = att (datt - rowsum(att datt)).
 */
import * as tf from '@tensorflow/tfjs';
import { GemmHeap } from '../tensor/simd-gemm.ts';
import { taping } from '../tensor/matmul.ts';

const heap = new GemmHeap();

function forward(logits: tf.Tensor, values: tf.Tensor, save: tf.GradSaveFunc) {
  const [B, H, N, P] = logits.shape as number[];
  const d = values.shape[3] as number;
  const E = H * d, BH = B * H;
  // layout (floats): zeros [d] | att [BH*N*P] | values [BH*P*d] | o_h [N*d] | J [B*N*E]
  const za = d, zv = za + BH * N * P, zo = zv + BH * P * d, zj = zo + N * d;
  const f = heap.ensure(zj + B * N * E);
  f.fill(0, 0, d);
  heap.load(logits, za);
  heap.load(values, zv);
  heap.softmax(za, BH * N, P, P);
  heap.headProducts(za, zv, 0, zo, zj, B, H, N, P, d);
  save(taping() ? [values, heap.tensor(za, [B, H, N, P])] : [values]);
  return {
    value: heap.tensor(zj, [B, N, E]),
    gradFunc: (dj: tf.Tensor, saved: tf.Tensor[]) => backward(dj, saved[0], saved[1]),
  };
}

function backward(dj: tf.Tensor, values: tf.Tensor, att: tf.Tensor): tf.Tensor[] {
  const [B, H, N, P] = att.shape as number[];
  const d = values.shape[3] as number;
  const E = H * d, BH = B * H;
  // layout: zeros [P] | att | values | dJ [B*N*E] | dlogits [BH*N*P] | dvalues [BH*P*d] | scratch: do [N*d] | do^T [d*N] | v^T [d*P] | dv^T [d*P]
  const za = P, zv = za + BH * N * P, zd = zv + BH * P * d, zl = zd + B * N * E, zdv = zl + BH * N * P;
  const zo = zdv + BH * P * d, zot = zo + N * d, zvt = zot + d * N, zdvt = zvt + d * P;
  const f = heap.ensure(zdvt + d * P);
  f.fill(0, 0, P);
  heap.load(att, za);
  heap.load(values, zv);
  heap.load(dj, zd);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      const ao = za + bh * N * P, vo = zv + bh * P * d, lo = zl + bh * N * P, dvo = zdv + bh * P * d;
      for (let i = 0; i < N; i++) {
        for (let c = 0; c < d; c++) {
          const g = f[zd + (b * N + i) * E + h * d + c];
          f[zo + i * d + c] = g;
          f[zot + c * N + i] = g;
        }
      }
      for (let p = 0; p < P; p++) for (let c = 0; c < d; c++) f[zvt + c * P + p] = f[vo + p * d + c];
      if (P % 4 === 0) {
        heap.gemm(zot, d, N, ao, 0, zdvt, P); // dvalues^T = dJ_h^T att
        for (let p = 0; p < P; p++) for (let c = 0; c < d; c++) f[dvo + p * d + c] = f[zdvt + c * P + p];
      } else {
        // P not a multiple of 4 (extra tokens): dvalues = att^T dJ_h in plain loops
        for (let p = 0; p < P; p++) for (let c = 0; c < d; c++) {
          let acc = 0;
          for (let i = 0; i < N; i++) acc += f[ao + i * P + p] * f[zo + i * d + c];
          f[dvo + p * d + c] = acc;
        }
      }
      heap.gemm(zo, N, d, zvt, 0, lo, P); // datt = dJ_h values^T
      heap.softmaxBackward(ao, lo, N, P); // dlogits
    }
  }
  return [heap.tensor(zl, [B, H, N, P]), heap.tensor(zdv, [B, H, P, d])];
}

const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (l: tf.Tensor, v: tf.Tensor) => tf.Tensor;

/** J [B, N, H*d] = per head softmax_P(logits) values (see the file comment). */
export function softmaxValues(logits: tf.Tensor, values: tf.Tensor): tf.Tensor {
  return op(logits, values);
}
