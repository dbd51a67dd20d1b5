/**
 * Attention blocks of the diffuser (paper §2.3).
 *
 * Associative attention (pose queries x [B,17,E] over object tokens o [B,P,E], H heads of size d = E/H):
 *   A = (q k^T) / sqrt(d)                         [B,H,17,P]
 *   G(A) = A_adj · BN(A' W)                       A' = A as [B,17,H*P], W [H*P, H*P], A_adj the 17x17 skeleton + I
 *   J = softmax_P(G(A)) · v, x <- x + proj(J); x <- x + MLP(LN2 x); x <- LN_spatial(x)
 * At inference with one condition shared by N samples it is computed as q · M with M = blockrows_h(k_h^T · W_h)
 * [E,H*P], the same product (A' W = q M) but 16x cheaper when P = 64 and with the object side done once.
 * `plain` skips W, BN and A_adj; `none` adds the projected mean object token instead of attending.
 */
import * as tf from '@tensorflow/tfjs';
import { gelu, layerNorm, linear, matMul, type ParamStore } from './layers.ts';
import type { AttentionKind } from './types.ts';

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** The object side of the pose-object attention, computed once per condition. */
export interface ObjectKeys {
  /** k^T [B, H, d, P], scaled by 1/sqrt(d). */
  keys: tf.Tensor;
  /** Associative, inference with one shared condition: M [E, H*P] = blockrows_h(k_h^T W_h). */
  M?: tf.Tensor;
  /** Values [B, H, P, d] (absent for `none`). */
  values?: tf.Tensor;
  /** `none`: the projected mean object token [B, 1, E]. */
  pooled?: tf.Tensor;
}

export interface BlockDims { E: number; H: number; P: number }

/**
 * Precompute keys/values of the object tokens o [B, P, E] (shared LayerNorm LN1 as in the code). With
 * `shared` (inference, B = 1 condition for many samples) the associative product M is precomputed as well.
 */
export function objectKeys(p: ParamStore, o: tf.Tensor, kind: AttentionKind, dims: BlockDims, shared = false): ObjectKeys {
  const { E, H, P } = dims;
  const d = E / H;
  const B = o.shape[0];
  if (kind === 'none') {
    return { keys: tf.zeros([1]), pooled: linear(tf.mean(o, 1, true), p.get('oa.pool.w'), p.get('oa.pool.b')) };
  }
  const on = layerNorm(o, p.get('oa.ln1.g'), p.get('oa.ln1.b'));
  const k = linear(on, p.get('oa.k.w'), p.get('oa.k.b'));
  const v = linear(on, p.get('oa.v.w'), p.get('oa.v.b'));
  // k^T per head, scaled: [B,P,H,d] -> [B,H,d,P]
  const kT = tf.mul(tf.transpose(tf.reshape(k, [B, P, H, d]), [0, 2, 3, 1]), 1 / Math.sqrt(d));
  const values = tf.transpose(tf.reshape(v, [B, P, H, d]), [0, 2, 1, 3]);
  if (kind === 'plain' || !shared || B !== 1) return { keys: kT, values };
  // M_h = k_h^T W_h with W_h the rows of W for head h: [1,H,d,P] x [H,P,HP] -> [H,d,HP] -> [E,HP]
  const W = tf.reshape(p.get('oa.W'), [H, P, H * P]);
  const M = tf.reshape(tf.matMul(tf.reshape(kT, [H, d, P]), W), [E, H * P]);
  return { keys: kT, values, M };
}

/** BatchNorm statistics of one training forward (for the running-average update). */
export interface BnStats { mean: tf.Tensor; variance: tf.Tensor }

/**
 * Pose-object attention block on the queries x [B,17,E]. `adj` is the 17x17 A_adj. In training mode the BatchNorm
 * uses batch statistics and returns them.
 */
export function objectAttentionBlock(
  p: ParamStore, x: tf.Tensor, ok: ObjectKeys, kind: AttentionKind, dims: BlockDims, adj: tf.Tensor, training: boolean,
): { x: tf.Tensor; bn?: BnStats } {
  const { E, H, P } = dims;
  const d = E / H;
  const B = x.shape[0];
  const N = x.shape[1] as number;
  let bn: BnStats | undefined;
  if (kind === 'none') {
    x = tf.add(x, ok.pooled!);
  } else {
    const xn = layerNorm(x, p.get('oa.ln1.g'), p.get('oa.ln1.b'));
    const q = linear(xn, p.get('oa.q.w'), p.get('oa.q.b')); // [B,17,E], head-major channels
    let logits: tf.Tensor; // [B,H,17,P]
    const heads = () => matMul(tf.transpose(tf.reshape(q, [B, N, H, d]), [0, 2, 1, 3]), ok.keys); // q k^T [B,H,N,P]
    if (kind === 'plain') {
      logits = heads();
    } else {
      // A' W: with a shared condition, q M as one 2-D product; otherwise per-sample q k^T, then one [B*N, HP] x W
      let a = ok.M
        ? matMul(tf.reshape(q, [B * N, E]), ok.M)
        : matMul(tf.reshape(tf.transpose(heads(), [0, 2, 1, 3]), [B * N, H * P]), p.get('oa.W'));
      if (training) {
        const m = tf.moments(a, 0);
        bn = { mean: m.mean, variance: m.variance };
        a = tf.mul(tf.sub(a, m.mean), tf.rsqrt(tf.add(m.variance, BN_EPS)));
      } else {
        a = tf.mul(tf.sub(a, p.get('oa.bn.mean')), tf.rsqrt(tf.add(p.get('oa.bn.var'), BN_EPS)));
      }
      a = tf.add(tf.mul(a, p.get('oa.bn.g')), p.get('oa.bn.b'));
      // A_adj (constant, symmetric) mixes joints: with joints last it is one 2-D product [B*H*P, N] x [N, N]
      // (a broadcast [N,N] x [B,N,HP] batch product is ~10x slower on wasm)
      const aT = tf.reshape(tf.transpose(tf.reshape(a, [B, N, H * P]), [0, 2, 1]), [B * H * P, N]);
      logits = tf.transpose(tf.reshape(matMul(aT, adj), [B, H, P, N]), [0, 1, 3, 2]);
    }
    const att = tf.softmax(logits); // over the P object tokens
    const j = tf.reshape(tf.transpose(matMul(att, ok.values!), [0, 2, 1, 3]), [B, N, E]);
    x = tf.add(x, linear(j, p.get('oa.proj.w'), p.get('oa.proj.b')));
  }
  x = tf.add(x, mlp(p, 'oa', layerNorm(x, p.get('oa.ln2.g'), p.get('oa.ln2.b'))));
  return { x: layerNorm(x, p.get('lns.g'), p.get('lns.b'), 1e-6), bn };
}

/** Pre-norm transformer block over the 17 joints, followed by the shared LN_spatial. */
export function trunkBlock(p: ParamStore, i: number, x: tf.Tensor, dims: { E: number; H: number }): tf.Tensor {
  const { E, H } = dims;
  const d = E / H;
  const B = x.shape[0];
  const N = x.shape[1] as number;
  const pre = `tb${i}`;
  const h = layerNorm(x, p.get(`${pre}.ln1.g`), p.get(`${pre}.ln1.b`));
  const qkv = linear(h, p.get(`${pre}.qkv.w`), p.get(`${pre}.qkv.b`)); // [B,N,3E]
  // split before reshaping: rank-5 transposes are very slow on wasm, rank-4 ones are not
  const [q, k, v] = tf.split(qkv, 3, -1);
  const qh = tf.transpose(tf.reshape(q, [B, N, H, d]), [0, 2, 1, 3]); // [B,H,N,d]
  const kT = tf.transpose(tf.reshape(k, [B, N, H, d]), [0, 2, 3, 1]); // [B,H,d,N]
  const vh = tf.transpose(tf.reshape(v, [B, N, H, d]), [0, 2, 1, 3]);
  const att = tf.softmax(tf.mul(matMul(qh, kT), 1 / Math.sqrt(d)));
  const o = tf.reshape(tf.transpose(matMul(att, vh), [0, 2, 1, 3]), [B, N, E]);
  x = tf.add(x, linear(o, p.get(`${pre}.proj.w`), p.get(`${pre}.proj.b`)));
  x = tf.add(x, mlp(p, pre, layerNorm(x, p.get(`${pre}.ln2.g`), p.get(`${pre}.ln2.b`))));
  return layerNorm(x, p.get('lns.g'), p.get('lns.b'), 1e-6);
}

function mlp(p: ParamStore, pre: string, x: tf.Tensor): tf.Tensor {
  return linear(gelu(linear(x, p.get(`${pre}.fc1.w`), p.get(`${pre}.fc1.b`))), p.get(`${pre}.fc2.w`), p.get(`${pre}.fc2.b`));
}
