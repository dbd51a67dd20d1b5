/**
 * a[b] = q[b] · M_b for every sample b, with M_b = blockrows_h(M_h,b) given head-major: the associative attention's
 * A' W = q · M with a different M per sample (training, batched evaluation).
 *
 * On wasm a batched matMul whose right operand differs per sample runs a scalar loop (about 0.4 GFLOP/s), and the
 * alternative, one [B*17, H*P] x W product, costs 16x the multiply-adds when P = 64. This op runs the B*H small
 * products [17, d] x [d, H*P] (and their gradients) in the SIMD kernel of src/tensor/simd-gemm.ts (plain loops where
 * WebAssembly SIMD is missing), copying the operands in and the results out once per call.
 *
 *   q [B, N, E] (E = H*d, head-major channels), Mh_h [B*d, HP] for each head h -> a [B, N, HP]
 *   gradients: dq[b][:, h] = da[b] M_h,b^T, dM_h,b = q[b][:, h]^T da[b]
 */
import * as tf from '@tensorflow/tfjs';
import { GemmHeap } from '../tensor/simd-gemm.ts';

const heap = new GemmHeap();

function forward(...args: Array<tf.Tensor | tf.GradSaveFunc>) {
  const save = args.pop() as tf.GradSaveFunc;
  const [q, ...Ms] = args as tf.Tensor[];
  save([q, ...Ms]);
  const [B, N, E] = q.shape as number[];
  const H = Ms.length;
  const [Bd, HP] = Ms[0].shape as number[];
  const d = Bd / B;
  // layout (floats): zeros [HP] | q [B*N*E] | Mh [H*B*d*HP] | a [B*N*HP]
  const zq = HP, zm = zq + B * N * E, za = zm + H * Bd * HP;
  const h = heap;
  const hf = h.ensure(za + B * N * HP);
  hf.fill(0, 0, HP);
  h.load(q, zq);
  Ms.forEach((m, i) => h.load(m, zm + i * Bd * HP));
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      h.gemm(zq + b * N * E + hh * d, N, d, zm + (hh * B + b) * d * HP, 0, za + b * N * HP, HP, E, hh > 0);
    }
  }
  return {
    value: h.tensor(za, [B, N, HP]),
    gradFunc: (da: tf.Tensor, saved: tf.Tensor[]) => backward(da, saved[0], saved.slice(1)),
  };
}

/**
 * dq[b][:, h]^T = M_h,b da[b]^T and dM_h,b = q[b][:, h]^T da[b], with da[b] transposed once per sample (rows of N
 * padded to Np, a multiple of 4) so that every product has a wide right operand.
 */
function backward(da: tf.Tensor, q: tf.Tensor, Ms: tf.Tensor[]): tf.Tensor[] {
  const [B, N, E] = q.shape as number[];
  const H = Ms.length;
  const [Bd, HP] = Ms[0].shape as number[];
  const d = Bd / B, Np = (N + 3) & ~3;
  // layout: zeros [Z] | q | Mh | da [B*N*HP] | dq [B*N*E] | dMh [H*B*d*HP] | da[b]^T [HP*Np] | q[b]^T [E*N] | dq_h^T [d*Np]
  const Z = Math.max(HP, Np), zq = Z, zm = zq + B * N * E, zda = zm + H * Bd * HP, zdq = zda + B * N * HP, zdm = zdq + B * N * E;
  const zdt = zdm + H * Bd * HP, zqt = zdt + HP * Np, zt = zqt + E * N;
  const w = heap;
  const f = w.ensure(zt + d * Np);
  f.fill(0, 0, Z);
  w.load(q, zq);
  Ms.forEach((m, i) => w.load(m, zm + i * Bd * HP));
  w.load(da, zda);
  for (let b = 0; b < B; b++) {
    const dab = zda + b * N * HP;
    transposeSample(f, dab, zq + b * N * E, zdt, zqt, N, Np, HP, E);
    for (let hh = 0; hh < H; hh++) {
      const mo = zm + (hh * B + b) * d * HP;
      w.gemm(mo, d, HP, zdt, 0, zt, Np); // dq_h^T [d, Np]
      for (let i = 0; i < d; i++) for (let n = 0; n < N; n++) f[zdq + b * N * E + n * E + hh * d + i] = f[zt + i * Np + n];
      w.gemm(zqt + hh * d * N, d, N, dab, 0, zdm + (hh * B + b) * d * HP, HP); // dM_h,b [d, HP]
    }
  }
  return [w.tensor(zdq, [B, N, E]), ...Ms.map((_, i) => w.tensor(zdm + i * Bd * HP, [Bd, HP]))];
}

/**
 * The backward's per-sample transposes in heap `f`: da_b [N, HP] at `da` to [HP, Np] at `daT` (columns N..Np-1 zero)
 * and q_b [N, E] at `q` to [E, N] at `qT`.
 */
export function transposeSample(f: Float32Array, da: number, q: number, daT: number, qT: number, N: number, Np: number, HP: number, E: number): void {
  for (let n = 0; n < N; n++) {
    const src = da + n * HP;
    for (let m = 0; m < HP; m++) f[daT + m * Np + n] = f[src + m];
    for (let e = 0; e < E; e++) f[qT + e * N + n] = f[q + n * E + e];
  }
  for (let m = 0; m < HP; m++) for (let n = N; n < Np; n++) f[daT + m * Np + n] = 0;
}

const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor;

/** a [B, N, HP] = q[b] · blockrows_h(Mh[h][b*d..b*d+d-1]) for q [B, N, E] and per head Mh[h] [B*d, HP] (see the file comment). */
export function perSampleProduct(q: tf.Tensor, Mh: tf.Tensor[]): tf.Tensor {
  return op(q, ...Mh);
}
