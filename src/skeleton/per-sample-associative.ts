/**
 * The associative attention's A' W with per-sample conditions, for training, as one op with its own gradient:
 *   q [B, N, E], k [B, P, E] (scaled by 1/sqrt(d)), W [H*P, H*P] -> a [B, N, H*P], a[b] = sum_h q_bh (k_bh^T W_h)
 * with q_bh, k_bh the channels of head h ([N, d], [P, d]) and W_h the rows h*P.. of W ([P, H*P]).
 *
 * It is per-sample-product.ts with M_bh = k_bh^T W_h made inside the op (in the SIMD kernel of src/tensor/simd-gemm.ts)
 * instead of by 8 tensor products whose [B*d, H*P] results are copied in and out; the forward keeps M_bh for the
 * backward:
 *   dq_bh^T = M_bh da_b^T, dM_bh = q_bh^T da_b, dk_bh^T = dM_bh W_h^T, dW_h = sum_b k_bh dM_bh.
 * Inference keeps per-sample-product.ts, whose M_bh are made once per condition and serve every denoising iteration.
 */
import * as tf from '@tensorflow/tfjs';
import { customOpPerParameter } from '../tensor/custom-op.ts';
import { GemmHeap } from '../tensor/simd-gemm.ts';
import { transposeSample } from './per-sample-product.ts';

const heap = new GemmHeap();

/** Offsets (floats) of the shared part of the layout: zeros | q | k | W. */
function base(B: number, N: number, E: number, P: number, HP: number) {
  const Np = (N + 3) & ~3;
  const Z = Math.max(HP, Np);
  const zq = Z, zk = zq + B * N * E, zw = zk + B * P * E, end = zw + HP * HP;
  return { Np, Z, zq, zk, zw, end };
}

/** k_bh^T [d, P] at `to` (from k [B, P, E] at zk). */
function kTranspose(f: Float32Array, zk: number, b: number, h: number, P: number, E: number, d: number, to: number): void {
  for (let p = 0; p < P; p++) {
    const src = zk + (b * P + p) * E + h * d;
    for (let c = 0; c < d; c++) f[to + c * P + p] = f[src + c];
  }
}

function forward(q: tf.Tensor, k: tf.Tensor, W: tf.Tensor, H: number, save: tf.GradSaveFunc) {
  const [B, N, E] = q.shape as number[];
  const P = k.shape[1] as number, HP = H * P, d = E / H;
  const L = base(B, N, E, P, HP);
  // layout: shared | kT [d*P] | M_bh for all b, h [B*H*d*HP] | a [B*N*HP]
  const zkt = L.end, zm = zkt + d * P, za = zm + B * H * d * HP;
  const f = heap.ensure(za + B * N * HP);
  f.fill(0, 0, L.Z);
  heap.load(q, L.zq);
  heap.load(k, L.zk);
  heap.load(W, L.zw);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const mo = zm + (b * H + h) * d * HP;
      kTranspose(f, L.zk, b, h, P, E, d, zkt);
      heap.gemm(zkt, d, P, L.zw + h * P * HP, 0, mo, HP); // M_bh = k_bh^T W_h
      heap.gemm(L.zq + b * N * E + h * d, N, d, mo, 0, za + b * N * HP, HP, E, h > 0); // a_b += q_bh M_bh
    }
  }
  save([q, k, W, heap.tensor(zm, [B * H * d * HP])]); // the M_bh for the backward
  return {
    value: heap.tensor(za, [B, N, HP]),
    gradFunc: (da: tf.Tensor, saved: tf.Tensor[]) => backward(da, saved[0], saved[1], saved[2], saved[3], H),
  };
}

function backward(da: tf.Tensor, q: tf.Tensor, k: tf.Tensor, W: tf.Tensor, M: tf.Tensor, H: number): tf.Tensor[] {
  const [B, N, E] = q.shape as number[];
  const P = k.shape[1] as number, HP = H * P, d = E / H;
  const L = base(B, N, E, P, HP);
  const Np = L.Np;
  // layout: shared | W^T per head [H*HP*P] | da [B*N*HP] | dq [B*N*E] | dk [B*P*E] | dW [HP*HP] | M_bh [B*H*d*HP]
  //   | scratch: da_b^T [HP*Np] | q_b^T [E*N] | k_bh [P*d] | dM [d*HP] | dq_bh^T [d*Np] | dk_bh^T [d*P]
  const zwt = L.end, zda = zwt + H * HP * P, zdq = zda + B * N * HP, zdk = zdq + B * N * E, zdw = zdk + B * P * E;
  const zms = zdw + HP * HP, zdt = zms + B * H * d * HP, zqt = zdt + HP * Np, zkb = zqt + E * N, zdm = zkb + P * d;
  const zt = zdm + d * HP, zkg = zt + d * Np;
  const f = heap.ensure(zkg + d * P);
  f.fill(0, 0, L.Z);
  heap.load(q, L.zq);
  heap.load(k, L.zk);
  heap.load(W, L.zw);
  heap.load(da, zda);
  heap.load(M, zms);
  f.fill(0, zdw, zdw + HP * HP);
  // W_h^T [HP, P] for every head
  for (let h = 0; h < H; h++) {
    for (let p = 0; p < P; p++) {
      const src = L.zw + (h * P + p) * HP, to = zwt + h * HP * P + p;
      for (let m = 0; m < HP; m++) f[to + m * P] = f[src + m];
    }
  }
  for (let b = 0; b < B; b++) {
    const dab = zda + b * N * HP;
    transposeSample(f, dab, L.zq + b * N * E, zdt, zqt, N, Np, HP, E);
    for (let h = 0; h < H; h++) {
      for (let p = 0; p < P; p++) {
        const src = L.zk + (b * P + p) * E + h * d;
        for (let c = 0; c < d; c++) f[zkb + p * d + c] = f[src + c];
      }
      heap.gemm(zms + (b * H + h) * d * HP, d, HP, zdt, 0, zt, Np); // dq_bh^T = M_bh da_b^T [d, Np]
      for (let c = 0; c < d; c++) for (let n = 0; n < N; n++) f[zdq + b * N * E + n * E + h * d + c] = f[zt + c * Np + n];
      heap.gemm(zqt + h * d * N, d, N, dab, 0, zdm, HP); // dM_bh [d, HP]
      heap.gemm(zdm, d, HP, zwt + h * HP * P, 0, zkg, P); // dk_bh^T [d, P]
      for (let c = 0; c < d; c++) for (let p = 0; p < P; p++) f[zdk + (b * P + p) * E + h * d + c] = f[zkg + c * P + p];
      heap.gemm(zkb, P, d, zdm, 0, zdw + h * P * HP, HP, d, true); // dW_h += k_bh dM_bh
    }
  }
  return [heap.tensor(zdq, [B, N, E]), heap.tensor(zdk, [B, P, E]), heap.tensor(zdw, [HP, HP])];
}

const op = customOpPerParameter<[tf.Tensor, tf.Tensor, tf.Tensor]>((H, [q, k, W], save) => forward(q, k, W, H, save));

/** a [B, N, H*P] = sum_h q_bh k_bh^T W_h for q [B, N, E], k [B, P, E] (scaled), W [H*P, H*P] (see the file comment). */
export function perSampleAssociative(q: tf.Tensor, k: tf.Tensor, W: tf.Tensor, H: number): tf.Tensor {
  return op(H, q, k, W);
}
