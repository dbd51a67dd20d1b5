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
import { createGemm, simdEnabled, type Gemm } from '../tensor/simd-gemm.ts';

let heap: { g: Gemm | null; f: Float32Array } | null = null;

/** A float32 work area of at least `floats` entries (the kernel's memory when there is one). */
function work(floats: number): { g: Gemm | null; f: Float32Array } {
  const simd = simdEnabled();
  if (!heap || heap.f.length < floats || !!heap.g !== simd) {
    const n = Math.ceil((floats + 1024) * 1.25);
    const g = simd ? createGemm(n * 4) : null;
    heap = { g, f: g ? new Float32Array(g.memory.buffer) : new Float32Array(n) };
  }
  return heap;
}

/** out[r, :] = (acc ? out[r, :] : b) + sum_k x[r*xs + k] W[k, :] with float offsets (the kernel when there is one). */
function gemm(h: { g: Gemm | null; f: Float32Array }, x: number, n: number, K: number, w: number, b: number, out: number, M: number, xs: number, acc: boolean): void {
  if (h.g && M % 4 === 0) {
    h.g.gemm(x * 4, n, K, w * 4, b * 4, out * 4, M, xs * 4, acc ? 1 : 0);
    return;
  }
  const f = h.f;
  for (let r = 0; r < n; r++) {
    const o = out + r * M;
    if (!acc) for (let m = 0; m < M; m++) f[o + m] = f[b + m];
    for (let k = 0; k < K; k++) {
      const a = f[x + r * xs + k];
      const wo = w + k * M;
      for (let m = 0; m < M; m++) f[o + m] += a * f[wo + m];
    }
  }
}

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
  const h = work(za + B * N * HP);
  h.f.fill(0, 0, HP);
  h.f.set(q.dataSync() as Float32Array, zq);
  Ms.forEach((m, i) => h.f.set(m.dataSync() as Float32Array, zm + i * Bd * HP));
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      gemm(h, zq + b * N * E + hh * d, N, d, zm + (hh * B + b) * d * HP, 0, za + b * N * HP, HP, E, hh > 0);
    }
  }
  return {
    value: tf.tensor3d(h.f.slice(za, za + B * N * HP), [B, N, HP]),
    gradFunc: (da: tf.Tensor, saved: tf.Tensor[]) => {
      const [sq, ...sM] = saved;
      // layout: zeros [HP] | q | Mh | da [B*N*HP] | dq [B*N*E] | dMh [H*B*d*HP] | M^T [HP*d] | q^T [d*N] | dq_h [N*d]
      const zda = zm + H * Bd * HP, zdq = zda + B * N * HP, zdm = zdq + B * N * E, zmt = zdm + H * Bd * HP, zqt = zmt + HP * d, zt = zqt + d * N;
      const w = work(zt + N * d);
      const f = w.f;
      f.fill(0, 0, HP);
      f.set(sq.dataSync() as Float32Array, zq);
      sM.forEach((m, i) => f.set(m.dataSync() as Float32Array, zm + i * Bd * HP));
      f.set(da.dataSync() as Float32Array, zda);
      for (let b = 0; b < B; b++) {
        for (let hh = 0; hh < H; hh++) {
          const mo = zm + (hh * B + b) * d * HP;
          // M_h,b^T [HP, d] and q[b][:, h]^T [d, N]
          for (let i = 0; i < d; i++) for (let m = 0; m < HP; m++) f[zmt + m * d + i] = f[mo + i * HP + m];
          for (let n = 0; n < N; n++) for (let i = 0; i < d; i++) f[zqt + i * N + n] = f[zq + b * N * E + n * E + hh * d + i];
          gemm(w, zda + b * N * HP, N, HP, zmt, 0, zt, d, HP, false);
          for (let n = 0; n < N; n++) for (let i = 0; i < d; i++) f[zdq + b * N * E + n * E + hh * d + i] = f[zt + n * d + i];
          gemm(w, zqt, d, N, zda + b * N * HP, 0, zdm + (hh * B + b) * d * HP, HP, N, false);
        }
      }
      return [tf.tensor3d(f.slice(zdq, zdq + B * N * E), [B, N, E]),
        ...Ms.map((_, i) => tf.tensor2d(f.slice(zdm + i * Bd * HP, zdm + (i + 1) * Bd * HP), [Bd, HP]))];
    },
  };
}

const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor;

/** a [B, N, HP] = q[b] · blockrows_h(Mh[h][b*d..b*d+d-1]) for q [B, N, E] and per head Mh[h] [B*d, HP] (see the file comment). */
export function perSampleProduct(q: tf.Tensor, Mh: tf.Tensor[]): tf.Tensor {
  return op(q, ...Mh);
}
