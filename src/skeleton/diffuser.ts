/**
 * The object-interactive diffuser (paper §2.2-2.3, as coded), on cached backbone features.
 *
 *   I_cond = Linear(LN(global)) -> [B,17,E]            image condition (17 joint tokens)
 *   conf   = sigmoid(Linear(global)) -> [B,17]          confidence head
 *   O      = MLP(ROI[B,P0,C]) (+ position + category + action embeddings) ++ extraTokens -> [B,P,E]
 *   Q      = Linear(x_t) + pos_embed + I_cond          noise pose embedding + image condition (summed, as coded)
 *   x      = AssociativeAttention(Q, O) + TimeEmb(t)   then depth x trunk blocks, LN, Linear(E,2) -> x0 [B,17,2]
 * With K = config.hypotheses > 1 (beyond the paper): K candidates [K,B,17,2], each the shared x0 plus its own offset
 * (Linear(E,2K) + a per-joint table [17,2K]), and a selector Linear(mean over joints of LN x) -> logits [B,K]; x0 is
 * the most probable candidate. Sharing the x0 keeps the candidates equal where the data has one answer, so which one
 * lies nearest the truth is decided where it has several.
 */
import * as tf from '@tensorflow/tfjs';
import { adjacencyMatrix, NUM_JOINTS } from './topology.ts';
import { gelu, layerNorm, linear, mulberry32, ParamStore } from './layers.ts';
import { markConstant, needsGradient, taping } from '../tensor/matmul.ts';
import { lnLinearConst } from '../tensor/ln-linear.ts';
import { objectAttentionBlock, objectKeys, releaseHeadRows, trunkBlock, type BnStats, type ObjectKeys } from './attention.ts';
import { POS_FREQS } from './constants.ts';
import { timestepEmbedding } from './schedule.ts';
import { CROP_FRAME, jointFrame, type JointFrame } from './calculators/joint-space.ts';
import type { ModelConfig } from './types.ts';

/** Width of the per-token geometry feature (Fourier of the cell centre + box size). */
export const GEOM_DIM = 4 * POS_FREQS + 2;
/** Width of the person-box feature (Fourier of the 4 coordinates + the raw coordinates). */
export const PBOX_DIM = 8 * POS_FREQS + 4;

/** Person-box feature: sin/cos(2^k pi c) for each of the 4 crop-unit coordinates c, then the coordinates. */
export function personBoxFeature(box: readonly number[], out = new Float32Array(PBOX_DIM)): Float32Array {
  let o = 0;
  for (let i = 0; i < 4; i++) for (let k = 0; k < POS_FREQS; k++) { out[o++] = Math.sin(Math.PI * 2 ** k * box[i]); out[o++] = Math.cos(Math.PI * 2 ** k * box[i]); }
  for (let i = 0; i < 4; i++) out[o++] = box[i];
  return out;
}

/**
 * The joint-space frame of every condition row of `inputs` (calculators/joint-space.ts): one identity frame for
 * crop-unit models; for person-space models, the tight person box read back from the raw coordinates that end each
 * pbox row.
 */
export function conditionFrames(config: ModelConfig, inputs: ConditionInputs): JointFrame[] {
  if ((config.jointSpace ?? 'crop') === 'crop') return [CROP_FRAME];
  if (!inputs.pbox) throw new RangeError('conditionFrames(): a person-space model needs the person box (pbox)');
  const a = inputs.pbox.dataSync() as Float32Array;
  return Array.from({ length: inputs.pbox.shape[0] }, (_, b) => jointFrame('person', a.subarray((b + 1) * PBOX_DIM - 4, (b + 1) * PBOX_DIM)));
}

/** Batched condition inputs (tensors). */
export interface ConditionInputs {
  /** [B, imageFeatureDim] */
  global: tf.Tensor;
  /** [B, gridSize^2, objectFeatureDim] */
  roi: tf.Tensor;
  /** [B, gridSize^2, GEOM_DIM] (see tokenGeometry) */
  geom: tf.Tensor;
  /** [B, PBOX_DIM] (see personBoxFeature), for models with personPosition. */
  pbox?: tf.Tensor;
  /** One-hot [B, categories+1] / [B, actions+1]; omitted when the model has no such vocabulary. */
  category?: tf.Tensor;
  action?: tf.Tensor;
  /** [B, extraTokens, embedDim] for models with extra tokens. */
  extra?: tf.Tensor;
  /** [B, 17, PIN_DIM] (see pinFeature), for models with pinInput; omitted = nothing pinned. */
  pins?: tf.Tensor;
}

/** Width of the per-joint pin feature: Fourier features of u and v, u and v, and the pinned flag. */
export const PIN_DIM = 4 * POS_FREQS + 3;

/**
 * Pin feature of one joint pinned at crop units (u, v): sin/cos(2^k pi u), sin/cos(2^k pi v) for k < POS_FREQS, then
 * u - 0.5, v - 0.5 and 1 (the same Fourier code as the person box, which the model reads precisely).
 */
export function jointPinFeature(u: number, v: number, out: Float32Array = new Float32Array(PIN_DIM)): Float32Array {
  let o = 0;
  for (let k = 0; k < POS_FREQS; k++) {
    const f = Math.PI * 2 ** k;
    out[o++] = Math.sin(f * u); out[o++] = Math.cos(f * u);
    out[o++] = Math.sin(f * v); out[o++] = Math.cos(f * v);
  }
  out[o++] = u - 0.5; out[o++] = v - 0.5; out[o++] = 1;
  return out;
}

/** Pin feature [17 * PIN_DIM]: jointPinFeature for pinned joints, zeros for the others. */
export function pinFeature(pins: ReadonlyArray<{ joint: number; u: number; v: number }>, out: Float32Array = new Float32Array(NUM_JOINTS * PIN_DIM)): Float32Array {
  for (const p of pins) jointPinFeature(p.u, p.v, out.subarray(p.joint * PIN_DIM, (p.joint + 1) * PIN_DIM));
  return out;
}

/** `inputs` with the pin feature of `pins` repeated over its batch (a new tensor; the others are shared). */
export function withPins(inputs: ConditionInputs, pins: ReadonlyArray<{ joint: number; u: number; v: number }>): ConditionInputs {
  const B = inputs.global.shape[0];
  const one = pinFeature(pins);
  const all = new Float32Array(B * one.length);
  for (let b = 0; b < B; b++) all.set(one, b * one.length);
  return { ...inputs, pins: tf.tensor3d(all, [B, NUM_JOINTS, PIN_DIM]) };
}

/** Condition computed once per input (reused by every denoising iteration). */
export interface Condition {
  icond: tf.Tensor; // [B,17,E]
  conf: tf.Tensor; // [B,17]
  keys: ObjectKeys;
}

/**
 * Per-token geometry for an object box in crop units: for each of the g x g ROI cells (row-major, y then x),
 * sin/cos(2^k pi u), sin/cos(2^k pi v) of the cell centre (k < POS_FREQS) and the box width and height.
 */
export function tokenGeometry(box: readonly number[], g: number, out = new Float32Array(g * g * GEOM_DIM)): Float32Array {
  const [x1, y1, x2, y2] = box;
  let o = 0;
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      const u = x1 + ((c + 0.5) / g) * (x2 - x1);
      const v = y1 + ((r + 0.5) / g) * (y2 - y1);
      for (let k = 0; k < POS_FREQS; k++) {
        const f = Math.PI * 2 ** k;
        out[o++] = Math.sin(f * u); out[o++] = Math.cos(f * u);
        out[o++] = Math.sin(f * v); out[o++] = Math.cos(f * v);
      }
      out[o++] = x2 - x1;
      out[o++] = y2 - y1;
    }
  }
  return out;
}

/**
 * The hypotheses' offsets are HYPOTHESIS_SCALE x (Linear(E,2K) + per-joint table): Adam moves a weight by about the learning rate per step
 * whatever its gradient's size, and the offsets must grow from zero to whole limb swaps (0.1-0.2 crop units) while
 * the rest of the model is only fine-tuned; the factor lets them, like a 10x learning rate for this one layer.
 */
export const HYPOTHESIS_SCALE = 10;
/** Initial spread of the offset weights (offsets of about 0.0006 crop units). */
export const HYPOTHESIS_INIT_STD = 1e-5;

/** Number of pose hypotheses of a model (ModelConfig.hypotheses, absent = 1). */
export function hypothesisCount(config: Pick<ModelConfig, 'hypotheses'>): number {
  return config.hypotheses ?? 1;
}

/** Output of Diffuser.denoise. */
export interface Denoised {
  /** The x0 prediction [B,17,2] (with hypotheses: the most probable candidate). */
  x0: tf.Tensor;
  /** Training-mode BatchNorm statistics. */
  bn?: BnStats;
  /** With hypotheses: all K candidates [K,B,17,2] and the selector's logits [B,K]. */
  hypotheses?: tf.Tensor;
  logits?: tf.Tensor;
}

export class Diffuser {
  readonly config: ModelConfig;
  readonly params = new ParamStore();
  readonly adj: tf.Tensor2D;
  readonly P: number;

  constructor(config: ModelConfig, seed = 0) {
    this.config = config;
    const { embedDim: E, heads: H, depth, mlpRatio, gridSize, imageFeatureDim: Cg, objectFeatureDim: Cr, objectHidden } = config;
    if (E % H !== 0) throw new RangeError(`Diffuser: embedDim ${E} must be divisible by heads ${H}`);
    this.P = gridSize * gridSize + config.extraTokens;
    const P = this.P;
    const rand = mulberry32(seed ^ 0x5eed);
    const p = this.params;
    const std = 0.02;
    const lin = (name: string, i: number, o: number, s = std) => { p.add(`${name}.w`, [i, o], s, rand); p.add(`${name}.b`, [o], 'zeros', rand); };
    const ln = (name: string, n: number) => { p.add(`${name}.g`, [n], 'ones', rand); p.add(`${name}.b`, [n], 'zeros', rand); };
    // conditions
    ln('img.ln', Cg);
    lin('img.fc', Cg, NUM_JOINTS * E);
    lin('conf', Cg, NUM_JOINTS);
    lin('obj.fc1', Cr, objectHidden);
    lin('obj.fc2', objectHidden, E);
    if (config.objectPosition) p.add('obj.pos.w', [GEOM_DIM, E], std, rand);
    if (config.personPosition) lin('pbox', PBOX_DIM, NUM_JOINTS * E);
    if (config.categories.length) p.add('obj.cat', [config.categories.length + 1, E], std, rand);
    if (config.actions.length) p.add('obj.act', [config.actions.length + 1, E], std, rand);
    // noise pose embedding
    lin('npe', 2, E);
    p.add('npe.pos', [NUM_JOINTS, E], 'zeros', rand);
    // pose-object attention
    ln('oa.ln1', E);
    ln('oa.ln2', E);
    if (config.attention === 'none') {
      lin('oa.pool', E, E);
    } else {
      lin('oa.q', E, E);
      lin('oa.k', E, E);
      lin('oa.v', E, E);
      lin('oa.proj', E, E);
    }
    if (config.attention === 'associative') {
      p.add('oa.W', [H * P, H * P], 0.001, rand); // N(0, 0.001) as in the code
      ln('oa.bn', H * P);
      p.add('oa.bn.mean', [H * P], 'zeros', rand, false);
      p.add('oa.bn.var', [H * P], 'ones', rand, false);
    }
    lin('oa.fc1', E, E * mlpRatio);
    lin('oa.fc2', E * mlpRatio, E);
    ln('lns', E);
    // time embedding
    lin('time.fc1', E, 2 * E);
    lin('time.fc2', 2 * E, E);
    // trunk
    for (let i = 0; i < depth; i++) {
      ln(`tb${i}.ln1`, E);
      lin(`tb${i}.qkv`, E, 3 * E);
      lin(`tb${i}.proj`, E, E);
      ln(`tb${i}.ln2`, E);
      lin(`tb${i}.fc1`, E, E * mlpRatio);
      lin(`tb${i}.fc2`, E * mlpRatio, E);
    }
    ln('head.ln', E);
    lin('head.fc', E, 2);
    // pin input and hypotheses last, so that every other parameter keeps its name and creation order without them
    if (config.pinInput) p.add('pin.w', [PIN_DIM, E], 'zeros', rand);
    const K = hypothesisCount(config);
    if (K > 1) {
      lin('hyp.fc', E, K);
      // offsets start near zero: the candidates begin as the shared x0 and part in training
      lin('hyp.delta', E, 2 * K, HYPOTHESIS_INIT_STD);
      // and a per-joint offset of each candidate, independent of the input (the hand at the hip, whatever the scene)
      p.add('hyp.joint', [NUM_JOINTS, 2 * K], 'zeros', rand);
    }
    this.adj = tf.tensor2d(adjacencyMatrix(true), [NUM_JOINTS, NUM_JOINTS]);
    markConstant(this.adj);
  }

  /** Number of trainable scalars. */
  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.vars.values()) n += v.size;
    return n;
  }

  /** Image condition, confidence and the object side of the attention (`shared`: one condition for many samples). */
  condition(inp: ConditionInputs, shared = false): Condition {
    const p = this.params;
    const c = this.config;
    const B = inp.global.shape[0];
    // while training on cached features the image LayerNorm and layer share their gradient products (ln-linear.ts)
    const img = taping() && !needsGradient(inp.global)
      ? lnLinearConst(inp.global, p.get('img.ln.g'), p.get('img.ln.b'), p.get('img.fc.w'), p.get('img.fc.b'))
      : linear(layerNorm(inp.global, p.get('img.ln.g'), p.get('img.ln.b')), p.get('img.fc.w'), p.get('img.fc.b'));
    let icond = tf.reshape(img, [B, NUM_JOINTS, c.embedDim]);
    if (c.personPosition) {
      if (!inp.pbox) throw new RangeError('Diffuser.condition(): the model expects the person box (pbox)');
      icond = tf.add(icond, tf.reshape(linear(inp.pbox, p.get('pbox.w'), p.get('pbox.b')), [B, NUM_JOINTS, c.embedDim]));
    }
    if (c.pinInput && inp.pins) icond = tf.add(icond, linear(inp.pins, p.get('pin.w')));
    const conf = tf.sigmoid(linear(inp.global, p.get('conf.w'), p.get('conf.b')));
    let o = linear(gelu(linear(inp.roi, p.get('obj.fc1.w'), p.get('obj.fc1.b'))), p.get('obj.fc2.w'), p.get('obj.fc2.b'));
    if (c.objectPosition) o = tf.add(o, linear(inp.geom, p.get('obj.pos.w')));
    let tokenBias: tf.Tensor | null = null;
    if (c.categories.length && inp.category) tokenBias = linear(inp.category, p.get('obj.cat'));
    if (c.actions.length && inp.action) {
      const a = linear(inp.action, p.get('obj.act'));
      tokenBias = tokenBias ? tf.add(tokenBias, a) : a;
    }
    if (tokenBias) o = tf.add(o, tf.reshape(tokenBias, [B, 1, c.embedDim]));
    if (c.extraTokens > 0) {
      if (!inp.extra) throw new RangeError(`Diffuser.condition(): the model expects ${c.extraTokens} extra tokens`);
      o = tf.concat([o, inp.extra], 1);
    }
    const keys = objectKeys(p, o, c.attention, { E: c.embedDim, H: c.heads, P: this.P }, shared);
    return { icond, conf, keys };
  }

  /** Time embedding MLP for integer timesteps: [n] -> [n, 1, E]. */
  timeEmbedding(ts: ArrayLike<number>): tf.Tensor {
    const E = this.config.embedDim;
    const p = this.params;
    const raw = tf.tensor2d(timestepEmbedding(ts, E), [ts.length, E]);
    markConstant(raw);
    const h = linear(gelu(linear(raw, p.get('time.fc1.w'), p.get('time.fc1.b'))), p.get('time.fc2.w'), p.get('time.fc2.b'));
    return tf.reshape(h, [ts.length, 1, E]);
  }

  /**
   * x0 prediction from noisy joints x_t [B,17,2] (crop units), the condition (batch B or 1, broadcast) and the time
   * embedding [B or 1, 1, E]. `training` uses batch statistics in the BatchNorm and returns them.
   */
  denoise(xt: tf.Tensor, cond: Condition, temb: tf.Tensor, training = false): Denoised {
    const p = this.params;
    const c = this.config;
    const dims = { E: c.embedDim, H: c.heads, P: this.P };
    let x = tf.add(tf.add(linear(xt, p.get('npe.w'), p.get('npe.b')), p.get('npe.pos')), cond.icond);
    const r = objectAttentionBlock(p, x, cond.keys, c.attention, dims, this.adj, training);
    x = tf.add(r.x, temb);
    for (let i = 0; i < c.depth; i++) x = trunkBlock(p, i, x, dims);
    const h = layerNorm(x, p.get('head.ln.g'), p.get('head.ln.b'));
    const y = linear(h, p.get('head.fc.w'), p.get('head.fc.b'));
    const K = hypothesisCount(c);
    if (K === 1) return { x0: y, bn: r.bn };
    const B = y.shape[0];
    // offsets [B,17,2K] -> [K,B,17,2] (candidate k is columns 2k, 2k+1), plus the shared x0
    const delta = tf.mul(tf.add(linear(h, p.get('hyp.delta.w'), p.get('hyp.delta.b')), p.get('hyp.joint')), HYPOTHESIS_SCALE);
    const hypotheses = tf.add(tf.transpose(tf.reshape(delta, [B, NUM_JOINTS, K, 2]), [2, 0, 1, 3]), y);
    const logits = linear(tf.mean(h, 1), p.get('hyp.fc.w'), p.get('hyp.fc.b'));
    const best = tf.reshape(tf.transpose(tf.oneHot(tf.argMax(logits, 1), K)), [K, B, 1, 1]);
    return { x0: tf.sum(tf.mul(hypotheses, best), 0), bn: r.bn, hypotheses, logits };
  }

  /** Fold one batch's BatchNorm statistics into the running averages (momentum 0.1, unbiased variance). */
  updateBatchNorm(bn: BnStats | undefined, rows: number): void {
    if (!bn) return;
    tf.tidy(() => {
      const m = this.params.get('oa.bn.mean');
      const v = this.params.get('oa.bn.var');
      const unbiased = tf.mul(bn.variance, rows / Math.max(1, rows - 1));
      m.assign(tf.add(tf.mul(m, 1 - 0.1), tf.mul(bn.mean, 0.1)));
      v.assign(tf.add(tf.mul(v, 1 - 0.1), tf.mul(unbiased, 0.1)));
    });
  }

  dispose(): void {
    if (this.params.vars.has('oa.W')) releaseHeadRows(this.params.get('oa.W'));
    this.params.dispose();
    this.adj.dispose();
  }
}
