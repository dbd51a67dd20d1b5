/**
 * The trunk's multi-head self-attention over the 17 joint tokens, as one op with its own gradient:
 *   qkv [B, N, 3E] (q | k | v, head-major channels) -> o [B, N, E], o_h = softmax(q_h k_h^T / sqrt(d)) v_h.
 *
 * The products are per sample and per head ([17, d] x [d, 17]); on wasm batched products run a scalar loop with a
 * per-batch cost (B*H = 512 batches), so the op runs them in the SIMD kernel of src/tensor/simd-gemm.ts (plain loops
 * without WebAssembly SIMD), copying qkv in and o out once. Backward (att saved from the forward, rows padded to a
 * multiple of 4 with zeros):
 *   dv^T = do^T att, datt = do v^T, ds = att (datt - rowsum(att datt)), dq = ds k / sqrt(d), dk^T = q^T ds / sqrt(d)
 * (transposed products, so no N x N transpose is copied).
 */
import * as tf from '@tensorflow/tfjs';
import { customOpPerParameter } from '../tensor/custom-op.ts';
import { GemmHeap } from '../tensor/simd-gemm.ts';
import { taping } from '../tensor/matmul.ts';

const heap = new GemmHeap();

function forward(qkv: tf.Tensor, H: number, save: tf.GradSaveFunc) {
  const [B, N, E3] = qkv.shape as number[];
  const E = E3 / 3, d = E / H, Np = (N + 3) & ~3, BH = B * H;
  const scale = 1 / Math.sqrt(d);
  // layout (floats): zeros [Np] | qkv [B*N*3E] | q_s [BH*N*d] | k^T [BH*d*Np] | v [BH*Np*d] | att [BH*N*Np] | o_h [N*d] | o [B*N*E]
  const zx = Np, zq = zx + B * N * E3, zk = zq + BH * N * d, zv = zk + BH * d * Np, za = zv + BH * Np * d, zo = za + BH * N * Np, zy = zo + N * d;
  const f = heap.ensure(zy + B * N * E);
  f.fill(0, 0, Np);
  f.fill(0, zk, za); // the padding of k^T and v stays 0
  heap.load(qkv, zx);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      for (let i = 0; i < N; i++) {
        const src = zx + (b * N + i) * E3 + h * d;
        for (let c = 0; c < d; c++) {
          f[zq + (bh * N + i) * d + c] = f[src + c] * scale;
          f[zk + (bh * d + c) * Np + i] = f[src + E + c];
          f[zv + (bh * Np + i) * d + c] = f[src + 2 * E + c];
        }
      }
      heap.gemm(zq + bh * N * d, N, d, zk + bh * d * Np, 0, za + bh * N * Np, Np);
    }
  }
  heap.softmax(za, BH * N, N, Np);
  heap.headProducts(za, zv, 0, zo, zy, B, H, N, Np, d);
  // the attention weights are kept for the backward only while a gradient is recorded
  save(taping() ? [qkv, heap.tensor(za, [BH * N * Np])] : [qkv]);
  return {
    value: heap.tensor(zy, [B, N, E]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0], saved[1], H),
  };
}

function backward(dy: tf.Tensor, qkv: tf.Tensor, att: tf.Tensor, H: number): tf.Tensor {
  const [B, N, E3] = qkv.shape as number[];
  const E = E3 / 3, d = E / H, Np = (N + 3) & ~3, BH = B * H;
  const scale = 1 / Math.sqrt(d);
  // layout: zeros [Np] | qkv | att [BH*N*Np] | dy [B*N*E] | per (b,h) scratch: q_s^T [d*N] | k [Np*d] | v^T [d*Np]
  //   | do [N*d] | do^T [d*N] | datt -> ds [N*Np] | dq [N*d] | dk^T [d*Np] | dv^T [d*Np] | out dqkv [B*N*3E]
  const zx = Np, za = zx + B * N * E3, zd = za + BH * N * Np, zqt = zd + B * N * E, zk = zqt + d * N, zvt = zk + Np * d;
  const zdo = zvt + d * Np, zdot = zdo + N * d, zda = zdot + d * N, zdq = zda + N * Np, zdk = zdq + N * d, zdv = zdk + d * Np, zg = zdv + d * Np;
  const f = heap.ensure(zg + B * N * E3);
  f.fill(0, 0, Np);
  f.fill(0, zk, zdo); // padding of k and v^T
  heap.load(qkv, zx);
  heap.load(att, za);
  heap.load(dy, zd);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const ao = za + (b * H + h) * N * Np;
      for (let i = 0; i < N; i++) {
        const src = zx + (b * N + i) * E3 + h * d, dsrc = zd + (b * N + i) * E + h * d;
        for (let c = 0; c < d; c++) {
          f[zqt + c * N + i] = f[src + c] * scale;
          f[zk + i * d + c] = f[src + E + c];
          f[zvt + c * Np + i] = f[src + 2 * E + c];
          const g = f[dsrc + c];
          f[zdo + i * d + c] = g;
          f[zdot + c * N + i] = g;
        }
      }
      heap.gemm(zdot, d, N, ao, 0, zdv, Np); // dv^T = do^T att
      heap.gemm(zdo, N, d, zvt, 0, zda, Np); // datt = do v^T
      heap.softmaxBackward(ao, zda, N, Np); // ds (att is 0 in the padding)
      heap.gemm(zda, N, Np, zk, 0, zdq, d); // dq = ds k (times scale below)
      heap.gemm(zqt, d, N, zda, 0, zdk, Np); // dk^T = (q scale)^T ds
      for (let i = 0; i < N; i++) {
        const g = zg + (b * N + i) * E3 + h * d;
        for (let c = 0; c < d; c++) {
          f[g + c] = f[zdq + i * d + c] * scale;
          f[g + E + c] = f[zdk + c * Np + i];
          f[g + 2 * E + c] = f[zdv + c * Np + i];
        }
      }
    }
  }
  return heap.tensor(zg, [B, N, E3]);
}

const op = customOpPerParameter<[tf.Tensor]>((H, [qkv], save) => forward(qkv, H, save));

/** o [B, N, E] from qkv [B, N, 3E] with H heads (see the file comment). */
export function jointAttention(qkv: tf.Tensor, H: number): tf.Tensor {
  return op(H, qkv);
}
