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
  hf.set(q.dataSync() as Float32Array, zq);
  Ms.forEach((m, i) => hf.set(m.dataSync() as Float32Array, zm + i * Bd * HP));
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      h.gemm(zq + b * N * E + hh * d, N, d, zm + (hh * B + b) * d * HP, 0, za + b * N * HP, HP, E, hh > 0);
    }
  }
  return {
    value: tf.tensor3d(hf.slice(za, za + B * N * HP), [B, N, HP]),
    gradFunc: (da: tf.Tensor, saved: tf.Tensor[]) => {
      const [sq, ...sM] = saved;
      // layout: zeros [HP] | q | Mh | da [B*N*HP] | dq [B*N*E] | dMh [H*B*d*HP] | M^T [HP*d] | q^T [d*N] | dq_h [N*d]
      const zda = zm + H * Bd * HP, zdq = zda + B * N * HP, zdm = zdq + B * N * E, zmt = zdm + H * Bd * HP, zqt = zmt + HP * d, zt = zqt + d * N;
      const w = heap;
      const f = w.ensure(zt + N * d);
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
          w.gemm(zda + b * N * HP, N, HP, zmt, 0, zt, d, HP);
          for (let n = 0; n < N; n++) for (let i = 0; i < d; i++) f[zdq + b * N * E + n * E + hh * d + i] = f[zt + n * d + i];
          w.gemm(zqt, d, N, zda + b * N * HP, 0, zdm + (hh * B + b) * d * HP, HP, N);
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
