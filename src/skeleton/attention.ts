/**
 * Attention blocks of the diffuser (paper §2.3).
 *
 * Associative attention (pose queries x [B,17,E] over object tokens o [B,P,E], H heads of size d = E/H):
 *   A = (q k^T) / sqrt(d)                         [B,H,17,P]
 *   G(A) = A_adj · BN(A' W)                       A' = A as [B,17,H*P], W [H*P, H*P], A_adj the 17x17 skeleton + I
 *   J = softmax_P(G(A)) · v, x <- x + proj(J); x <- x + MLP(LN2 x); x <- LN_spatial(x)
 * It is computed in an equivalent, cheaper order (same weights, same function):
 * - A' W = q · M with M = blockrows_h(k_h^T W_h) [E, H*P] per condition: the object side is done once per
 *   condition, and the product is 16x smaller than [B*17, H*P] x W when P = 64;
 * - A_adj and the BatchNorm are linear per column, so A_adj · BN(q M) = ((A_adj q) M - r mean) s + r beta with
 *   r = A_adj 1 and s = gamma / sqrt(var + eps): A_adj mixes the 32 query channels instead of the H*P logits;
 * - the values of all heads as one block matrix [H*P, E], so J is one 2-D product.
 * On wasm only 2-D products are vectorised (batched ones run a scalar loop), so per-sample conditions (training,
 * batched evaluation) keep the order above with A' W as one [B*17, H*P] x W product.
 * `plain` skips W, BN and A_adj; `none` adds the projected mean object token instead of attending.
 */
import * as tf from '@tensorflow/tfjs';
import { gelu, layerNorm, linear, matMul, taping, type ParamStore } from './layers.ts';
import type { AttentionKind } from './types.ts';
import { perSampleProduct } from './per-sample-product.ts';
import { perSampleAssociative } from './per-sample-associative.ts';
import { batchNormTrain } from '../tensor/batch-norm.ts';
import { jointAttention } from './joint-attention.ts';
import { softmaxValues } from './attention-values.ts';

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** The object side of the pose-object attention, computed once per condition. */
export interface ObjectKeys {
  /** `plain`: k^T [B, H, d, P], scaled by 1/sqrt(d). */
  keys?: tf.Tensor;
  /** `plain`: values [B, H, P, d]. */
  values?: tf.Tensor;
  /** Associative: M = blockrows_h(k_h^T W_h / sqrt(d)), [E, H*P] for one condition, else [B, E, H*P]. */
  M?: tf.Tensor;
  /** Associative, per-sample conditions: per head h, M_h,b = k_h,b^T W_h / sqrt(d) for all b as [B*d, H*P]. */
  Mh?: tf.Tensor[];
  /** Associative, per-sample conditions while a gradient is recorded: k / sqrt(d) [B, P, E] (per-sample-associative.ts). */
  kScaled?: tf.Tensor;
  /** Associative: the values of all heads as a block matrix, [H*P, E] for one condition, else [B, H*P, E]. */
  valueBlocks?: tf.Tensor;
  /** Associative, inference: M with the BatchNorm scale folded in and the BatchNorm shift [H*P] (made on first use). */
  folded?: { M: tf.Tensor; shift: tf.Tensor };
  /** `none`: the projected mean object token [B, 1, E]. */
  pooled?: tf.Tensor;
}

export interface BlockDims { E: number; H: number; P: number }

const constants = new Map<string, tf.Tensor>();

/** A cached constant tensor (kept across tidies, remade if disposed). */
function constant(key: string, make: () => tf.Tensor): tf.Tensor {
  const c = constants.get(key);
  if (c && !c.isDisposed) return c;
  const t = tf.keep(tf.tidy(make));
  constants.set(key, t);
  return t;
}

/** Head mask [H, 1, E]: `value` where channel c belongs to head h (c div E/H = h), else 0. */
export function headMask(H: number, E: number, value = 1): tf.Tensor {
  return constant(`mask:${H}:${E}:${value}`, () => {
    const m = new Float32Array(H * E);
    const d = E / H;
    for (let h = 0; h < H; h++) for (let i = 0; i < d; i++) m[h * E + h * d + i] = value;
    return tf.tensor3d(m, [H, 1, E]);
  });
}

const rowCache = new WeakMap<tf.Tensor, { id: unknown; rows: tf.Tensor[] }>();

/**
 * The rows of W for each head, W_h = W[h*P .. h*P+P-1, :]. Outside training they are cached per weight tensor
 * (remade when its data changes): the wasm backend packs a right-hand matrix once per tensor, so fresh slices would
 * be repacked at every call.
 */
function headRows(W: tf.Tensor, H: number, P: number): tf.Tensor[] {
  const slice = () => Array.from({ length: H }, (_, h) => tf.slice(W, [h * P, 0], [P, H * P]));
  if (taping()) return slice();
  const c = rowCache.get(W);
  if (c && c.id === W.dataId && !c.rows[0].isDisposed) return c.rows;
  if (c) tf.dispose(c.rows);
  const rows = slice().map((t) => tf.keep(t));
  rowCache.set(W, { id: W.dataId, rows });
  return rows;
}

/** Free the cached head rows of a weight tensor (Diffuser.dispose). */
export function releaseHeadRows(W: tf.Tensor): void {
  const c = rowCache.get(W);
  if (c) tf.dispose(c.rows);
  rowCache.delete(W);
}

/** A_adj applied per sample over the joints of q [B, N, C] (as the reference, q^T · A_adj). */
function adjMix(q: tf.Tensor, adj: tf.Tensor): tf.Tensor {
  const [B, N, C] = q.shape as number[];
  const qT = tf.reshape(tf.transpose(q, [0, 2, 1]), [B * C, N]);
  return tf.transpose(tf.reshape(matMul(qT, adj), [B, C, N]), [0, 2, 1]);
}

/**
 * Precompute the object side of the attention for object tokens o [B, P, E] (shared LayerNorm LN1 as in the code).
 * With one condition (B = 1) the associative products M and the value blocks are made as well; they serve any
 * number of query samples.
 */
export function objectKeys(p: ParamStore, o: tf.Tensor, kind: AttentionKind, dims: BlockDims, _shared = false): ObjectKeys {
  const { E, H, P } = dims;
  const d = E / H;
  const B = o.shape[0];
  if (kind === 'none') {
    return { pooled: linear(tf.mean(o, 1, true), p.get('oa.pool.w'), p.get('oa.pool.b')) };
  }
  const on = layerNorm(o, p.get('oa.ln1.g'), p.get('oa.ln1.b'));
  const k = linear(on, p.get('oa.k.w'), p.get('oa.k.b'));
  const v = linear(on, p.get('oa.v.w'), p.get('oa.v.b'));
  if (kind === 'associative' && B === 1) {
    // M_h = k_h^T W_h with W_h the rows of W for head h, [d,P] x [P,HP], as H 2-D products (a batched product is
    // not vectorised on wasm)
    const kT = tf.split(tf.transpose(tf.reshape(tf.mul(k, 1 / Math.sqrt(d)), [P, E])), H, 0); // H x [d, P]
    const Wh = headRows(p.get('oa.W'), H, P);
    const M = tf.concat(kT.map((kh, h) => matMul(kh, Wh[h])), 0); // [E, HP]
    // value blocks: row h*P + p holds v[p] on the channels of head h
    const valueBlocks = tf.reshape(tf.mul(tf.reshape(v, [1, P, E]), headMask(H, E)), [H * P, E]);
    return { M, valueBlocks };
  }
  const values = tf.transpose(tf.reshape(v, [B, P, H, d]), [0, 2, 1, 3]);
  if (kind === 'associative' && taping()) return { kScaled: tf.mul(k, 1 / Math.sqrt(d)), values }; // M_h,b inside the op
  if (kind === 'associative') {
    // M_h,b = k_h,b^T W_h for every sample, per head one 2-D product [B*d, P] x [P, HP]
    const kh = tf.split(tf.reshape(tf.transpose(tf.reshape(tf.mul(k, 1 / Math.sqrt(d)), [B, P, H, d]), [2, 0, 3, 1]), [H * B * d, P]), H, 0);
    const Wh = headRows(p.get('oa.W'), H, P);
    return { Mh: kh.map((x, h) => matMul(x, Wh[h])), values };
  }
  // k^T per head, scaled: [B,P,H,d] -> [B,H,d,P]
  const keys = tf.mul(tf.transpose(tf.reshape(k, [B, P, H, d]), [0, 2, 3, 1]), 1 / Math.sqrt(d));
  return { keys, values };
}

/** BatchNorm statistics of one training forward (for the running-average update). */
export interface BnStats { mean: tf.Tensor; variance: tf.Tensor }

/** Inference with one condition: M with the running BatchNorm scale folded in, and the BatchNorm shift (cached). */
export function foldBatchNorm(p: ParamStore, ok: ObjectKeys): { M: tf.Tensor; shift: tf.Tensor } {
  if (!ok.folded || ok.folded.M.isDisposed) {
    const s = tf.mul(tf.rsqrt(tf.add(p.get('oa.bn.var'), BN_EPS)), p.get('oa.bn.g'));
    ok.folded = { M: tf.mul(ok.M!, s), shift: tf.sub(p.get('oa.bn.b'), tf.mul(p.get('oa.bn.mean'), s)) };
  }
  return ok.folded;
}

/**
 * Associative attention output J [B, N, E] for queries q [B, N, E] with one shared condition (M, value blocks):
 * every product is a plain 2-D one, and A_adj mixes the queries, not the H*P logits.
 */
function sharedAssociative(p: ParamStore, q: tf.Tensor, ok: ObjectKeys, adj: tf.Tensor, dims: BlockDims, training: boolean): { j: tf.Tensor; bn?: BnStats } {
  const { E, H, P } = dims;
  const [B, N] = q.shape as number[];
  const M = ok.M!;
  const r = tf.reshape(tf.sum(adj, 0), [-1, 1]); // [N,1]: A_adj applied (as q^T A_adj) to a per-column constant
  const qa = tf.reshape(adjMix(q, adj), [B * N, E]);
  let logits: tf.Tensor;
  let bn: BnStats | undefined;
  if (training) {
    const m = tf.moments(matMul(tf.reshape(q, [B * N, E]), M), 0);
    bn = { mean: m.mean, variance: m.variance };
    const s = tf.mul(tf.rsqrt(tf.add(m.variance, BN_EPS)), p.get('oa.bn.g'));
    const shift = tf.sub(tf.mul(r, p.get('oa.bn.b')), tf.mul(r, tf.mul(m.mean, s))); // [N, HP]
    logits = tf.add(tf.reshape(tf.mul(matMul(qa, M), s), [B, N, H * P]), shift);
  } else {
    const f = foldBatchNorm(p, ok);
    logits = tf.add(tf.reshape(matMul(qa, f.M), [B, N, H * P]), tf.mul(r, f.shift));
  }
  const att = tf.softmax(tf.reshape(logits, [B * N, H, P])); // over the P object tokens of each head
  return { j: tf.reshape(matMul(tf.reshape(att, [B * N, H * P]), ok.valueBlocks!), [B, N, E]), bn };
}

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
    let j: tf.Tensor;
    if (ok.M) {
      const r = sharedAssociative(p, q, ok, adj, dims, training);
      j = r.j;
      bn = r.bn;
    } else {
      let logits: tf.Tensor;
      if (kind === 'plain') {
        logits = matMul(tf.transpose(tf.reshape(q, [B, N, H, d]), [0, 2, 1, 3]), ok.keys!); // q k^T [B,H,N,P]
      } else {
        // A' W = q M_b per sample (per-sample-product.ts)
        let a = tf.reshape(ok.kScaled ? perSampleAssociative(q, ok.kScaled, p.get('oa.W'), H) : perSampleProduct(q, ok.Mh!), [B * N, H * P]);
        if (training) {
          // batch statistics, normalisation and affine as one op each way (src/tensor/batch-norm.ts)
          const r = batchNormTrain(a, p.get('oa.bn.g'), p.get('oa.bn.b'), BN_EPS);
          bn = { mean: r.mean, variance: r.variance };
          a = r.y;
        } else {
          a = tf.mul(tf.sub(a, p.get('oa.bn.mean')), tf.rsqrt(tf.add(p.get('oa.bn.var'), BN_EPS)));
          a = tf.add(tf.mul(a, p.get('oa.bn.g')), p.get('oa.bn.b'));
        }
        // A_adj (constant, symmetric) mixes joints: with joints last it is one 2-D product [B*H*P, N] x [N, N]
        const aT = tf.reshape(tf.transpose(tf.reshape(a, [B, N, H * P]), [0, 2, 1]), [B * H * P, N]);
        logits = tf.transpose(tf.reshape(matMul(aT, adj), [B, H, P, N]), [0, 1, 3, 2]);
      }
      // softmax over the P object tokens, times the values (one op per sample and head: attention-values.ts)
      j = ok.values!.shape[0] === B
        ? softmaxValues(logits, ok.values!)
        : tf.reshape(tf.transpose(matMul(tf.softmax(logits), ok.values!), [0, 2, 1, 3]), [B, N, E]);
    }
    x = tf.add(x, linear(j, p.get('oa.proj.w'), p.get('oa.proj.b')));
  }
  x = tf.add(x, mlp(p, 'oa', layerNorm(x, p.get('oa.ln2.g'), p.get('oa.ln2.b'))));
  return { x: layerNorm(x, p.get('lns.g'), p.get('lns.b'), 1e-6), bn };
}

/** Pre-norm transformer block over the 17 joints, followed by the shared LN_spatial. */
export function trunkBlock(p: ParamStore, i: number, x: tf.Tensor, dims: { E: number; H: number }): tf.Tensor {
  const { H } = dims;
  const pre = `tb${i}`;
  const h = layerNorm(x, p.get(`${pre}.ln1.g`), p.get(`${pre}.ln1.b`));
  const qkv = linear(h, p.get(`${pre}.qkv.w`), p.get(`${pre}.qkv.b`)); // [B,N,3E]
  const o = jointAttention(qkv, H); // [B,N,E] (joint-attention.ts)
  x = tf.add(x, linear(o, p.get(`${pre}.proj.w`), p.get(`${pre}.proj.b`)));
  x = tf.add(x, mlp(p, pre, layerNorm(x, p.get(`${pre}.ln2.g`), p.get(`${pre}.ln2.b`))));
  return layerNorm(x, p.get('lns.g'), p.get('lns.b'), 1e-6);
}

function mlp(p: ParamStore, pre: string, x: tf.Tensor): tf.Tensor {
  return linear(gelu(linear(x, p.get(`${pre}.fc1.w`), p.get(`${pre}.fc1.b`))), p.get(`${pre}.fc2.w`), p.get(`${pre}.fc2.b`));
}
