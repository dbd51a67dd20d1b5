/**
 * Inference for a few samples of one condition in plain JavaScript, on the model's own weights.
 *
 * With 17 joint tokens of width 32 a denoising iteration is ~1.7 M multiply-adds but ~700 tensor ops, and on wasm
 * each op costs 10-15 us of dispatch, so for small batches typed-array loops beat the tensor runtime several times
 * over. The linear layers run in a WebAssembly SIMD kernel (src/tensor/simd-gemm.ts; scalar loops where SIMD is
 * missing), the rest in typed-array loops. The function is the one of Diffuser.denoise (inference mode) in float32,
 * with these exact rewrites, all made once per condition:
 * - each LayerNorm's gamma and beta that feed a linear layer are folded into it: LN(x) W + b = xhat (g W) + (beta W + b);
 * - associative attention: logits = (A_adj^T xhat) (g1 Wq M_bn) + c (beta1 Wq + bq) M_bn + c shift, with M_bn the
 *   BatchNorm-folded M of attention.ts and c the column sums of A_adj;
 * - the noise pose embedding bias, the position embedding and the image condition summed into one [17, E] base.
 * Only the associative attention with one shared condition is covered (the default and the human-to-human model).
 *
 * The condition itself (image condition, confidence, object tokens, keys and values, M) is computed here too, from the
 * input rows (SmallBatchDenoiser.prepare), with the same folds: the image LayerNorm into the image condition layer,
 * LN1 into the key and value layers, the BatchNorm scale into the rows of W (M_bn = k^T (W s)), and the noise pose
 * embedding bias and position embedding into the image condition's bias.
 */
import * as tf from '@tensorflow/tfjs';
import { GEOM_DIM, HYPOTHESIS_SCALE, hypothesisCount, PBOX_DIM, PIN_DIM, type Condition, type Diffuser } from './diffuser.ts';
import { BN_EPS, foldBatchNorm } from './attention.ts';
import { NUM_JOINTS } from './topology.ts';
import { createGemm, rowMeanRstd, simdEnabled, softmaxRows as plainSoftmaxRows, type Gemm } from '../tensor/simd-gemm.ts';

const N = NUM_JOINTS;

/** A linear layer: W [K, M] row-major, b [M] (views into the kernel's memory, with their byte offsets). */
interface Lin { w: Float32Array; b: Float32Array; K: number; M: number }

interface TrunkWeights { qkv: Lin; proj: Lin; fc1: Lin; fc2: Lin }

const f64 = (t: tf.Tensor): Float64Array => Float64Array.from(t.dataSync() as Float32Array);

/** Fold a LayerNorm's gamma/beta into the linear layer it feeds. */
function foldLn(g: Float64Array, beta: Float64Array, w: Float64Array, b: Float64Array, K: number, M: number): { w: Float64Array; b: Float64Array; K: number; M: number } {
  const w2 = new Float64Array(K * M);
  const b2 = Float64Array.from(b);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      w2[k * M + m] = g[k] * w[k * M + m];
      b2[m] += beta[k] * w[k * M + m];
    }
  }
  return { w: w2, b: b2, K, M };
}

/** out[r, :] = x[r, :] W + b for rows r < n (x [n, K], out [n, M]). */
function linear(g: Gemm | null, x: Float32Array, n: number, l: Lin, out: Float32Array): void {
  const { w, b, K, M } = l;
  if (g && M % 4 === 0) {
    g.gemm(x.byteOffset, n, K, w.byteOffset, b.byteOffset, out.byteOffset, M);
    return;
  }
  for (let r = 0; r < n; r++) {
    const xo = r * K, oo = r * M;
    for (let m = 0; m < M; m++) out[oo + m] = b[m];
    for (let k = 0; k < K; k++) {
      const a = x[xo + k];
      if (a === 0) continue;
      const wo = k * M;
      for (let m = 0; m < M; m++) out[oo + m] += a * w[wo + m];
    }
  }
}

/** out[r, :] = (acc ? out[r, :] : b) + x[r, :] W for rows r < n (x [n, K], W [K, M]; b ignored when acc). */
function gemmRows(g: Gemm | null, x: Float32Array, n: number, K: number, w: Float32Array, b: Float32Array | null, out: Float32Array, M: number, acc: boolean): void {
  if (g && M % 4 === 0) {
    g.gemm(x.byteOffset, n, K, w.byteOffset, (b ?? out).byteOffset, out.byteOffset, M, K * 4, acc ? 1 : 0);
    return;
  }
  for (let r = 0; r < n; r++) {
    const xo = r * K, oo = r * M;
    if (!acc) for (let m = 0; m < M; m++) out[oo + m] = b ? b[m] : 0;
    for (let k = 0; k < K; k++) {
      const a = x[xo + k];
      if (a === 0) continue;
      const wo = k * M;
      for (let m = 0; m < M; m++) out[oo + m] += a * w[wo + m];
    }
  }
}

/**
 * xhat of a LayerNorm over rows of width E (no gamma/beta); `g`/`b` applied when given. In the SIMD kernel (float32)
 * when there is one (all arrays in its memory), else plain loops.
 */
function normalize(k: Gemm | null, x: Float32Array, n: number, E: number, eps: number, out: Float32Array, g?: Float32Array, b?: Float32Array): void {
  if (k && E % 4 === 0) {
    k.layerNorm(x.byteOffset, n, E, eps, out.byteOffset, g ? g.byteOffset : 0, b ? b.byteOffset : 0, g && b ? 1 : 0);
    return;
  }
  for (let r = 0; r < n; r++) {
    const o = r * E;
    const [mean, rstd] = rowMeanRstd(x, o, E, eps);
    if (g && b) for (let c = 0; c < E; c++) out[o + c] = (x[o + c] - mean) * rstd * g[c] + b[c];
    else for (let c = 0; c < E; c++) out[o + c] = (x[o + c] - mean) * rstd;
  }
}

/** a[k] = exp(a[k]) for k < n (the SIMD kernel where there is one). */
function expInPlace(g: Gemm | null, a: Float32Array, n: number): void {
  let k = 0;
  if (g) { k = n & ~3; g.exp(a.byteOffset, k); }
  for (; k < n; k++) a[k] = Math.exp(a[k]);
}

/** Softmax in place over the first `len` entries of each of `rows` rows `stride` apart; the rest of a row is set to 0. */
function softmaxRows(g: Gemm | null, a: Float32Array, rows: number, len: number, stride = len): void {
  if (g && (rows * stride) % 4 === 0) g.softmax(a.byteOffset, rows, len, stride);
  else plainSoftmaxRows(a, 0, rows, len, stride, (o, n) => expInPlace(g, a.subarray(o), n));
}

/** Whether the small-batch path covers this model and condition (associative attention, one shared condition). */
export function smallBatchSupported(model: Diffuser, cond: Condition): boolean {
  return model.config.attention === 'associative' && !!cond.keys.M && !!cond.keys.valueBlocks && cond.icond.shape[0] === 1;
}

/**
 * The condition-dependent part, made once per condition, per head h: Mq_h [E, P] (head-major, [H, E, P]), cq [HP] and
 * the values V_h [P, d] ([H, P, d]); base [N, E].
 */
export interface PreparedCondition { base: Float32Array; Mq: Float32Array; cq: Float32Array; V: Float32Array }

/** One row of ConditionInputs as typed arrays (same layouts, batch 1). */
export interface ConditionRow {
  global: Float32Array; roi: Float32Array; geom: Float32Array;
  pbox?: Float32Array; category?: Float32Array; action?: Float32Array; extra?: Float32Array; pins?: Float32Array;
}

/** Fold a shared condition (see the file comment) into the arrays the small-batch path reads. */
export function prepareCondition(model: Diffuser, cond: Condition): PreparedCondition {
  if (!smallBatchSupported(model, cond)) throw new RangeError('prepareCondition(): needs the associative attention and one shared condition');
  const p = model.params;
  const E = model.config.embedDim;
  const [Mq, cq, base, vb] = tf.tidy(() => {
    const f = foldBatchNorm(p, cond.keys);
    // Mq = (g1 Wq) M_bn, cq = (beta1 Wq + bq) M_bn + shift
    const wq = tf.mul(tf.reshape(p.get('oa.ln1.g'), [E, 1]), p.get('oa.q.w'));
    const bq = tf.add(tf.matMul(tf.reshape(p.get('oa.ln1.b'), [1, E]), p.get('oa.q.w')), p.get('oa.q.b'));
    return [tf.matMul(wq, f.M), tf.add(tf.matMul(bq, f.M), f.shift), tf.add(tf.add(tf.reshape(cond.icond, [N, E]), p.get('npe.pos')), p.get('npe.b')), cond.keys.valueBlocks!];
  });
  const data = [Mq, cq, base, vb].map((t) => t.dataSync() as Float32Array);
  tf.dispose([Mq, cq, base]);
  const H = model.config.heads, P = model.P, d = E / H, HP = H * P;
  const Mqh = new Float32Array(H * E * P), Vh = new Float32Array(HP * d);
  for (let h = 0; h < H; h++) {
    for (let e = 0; e < E; e++) for (let pp = 0; pp < P; pp++) Mqh[(h * E + e) * P + pp] = data[0][e * HP + h * P + pp];
    // value blocks [HP, E]: row h*P+p holds v[p] on the channels of head h
    for (let pp = 0; pp < P; pp++) for (let c = 0; c < d; c++) Vh[(h * P + pp) * d + c] = data[3][(h * P + pp) * E + h * d + c];
  }
  return { Mq: Mqh, cq: Float32Array.from(data[1]), base: Float32Array.from(data[2]), V: Vh };
}

/** Float32 arrays placed one after another (16-byte aligned) in the kernel's memory, or plain arrays without it. */
class Arena {
  private readonly parts: Array<{ data: ArrayLike<number> | number; view?: Float32Array }> = [];
  add(data: ArrayLike<number> | number): { view?: Float32Array } {
    const part: { data: ArrayLike<number> | number; view?: Float32Array } = { data };
    this.parts.push(part);
    return part;
  }
  /** Create the kernel (null without SIMD) and fill every part's view. */
  place(): Gemm | null {
    const len = (d: ArrayLike<number> | number) => (typeof d === 'number' ? d : d.length);
    const floats = this.parts.reduce((n, p) => n + ((len(p.data) + 3) & ~3), 0);
    const g = createGemm(floats * 4 + 64);
    let off = 0;
    for (const p of this.parts) {
      const n = len(p.data);
      p.view = g ? new Float32Array(g.memory.buffer, off * 4, n) : new Float32Array(n);
      if (typeof p.data !== 'number') p.view.set(p.data);
      off += (n + 3) & ~3;
    }
    return g;
  }
}

const cache = new WeakMap<Diffuser, { ids: unknown[]; sb: SmallBatchDenoiser }>();

/** The small-batch denoiser of a model, rebuilt when any weight tensor changed (assign gives a new data id). */
export function smallBatchDenoiser(model: Diffuser): SmallBatchDenoiser {
  const ids = [simdEnabled(), ...model.params.entries().map(([, v]) => v.dataId)];
  const c = cache.get(model);
  if (c && c.ids.length === ids.length && c.ids.every((id, i) => id === ids[i])) return c.sb;
  const sb = new SmallBatchDenoiser(model);
  cache.set(model, { ids, sb });
  return sb;
}

/** x0 prediction for a few samples, each with a prepared condition (see the file comment). */
export class SmallBatchDenoiser {
  private readonly E: number;
  private readonly H: number;
  private readonly P: number;
  private readonly gemm: Gemm | null;
  private readonly base: Float32Array; // [N, E]
  private readonly npeW: Float32Array; // [2, E]
  private readonly adjT: Float32Array; // [N, N], adjT[i*N+j] = adj[j][i]
  private readonly colSum: Float32Array; // [N]
  private readonly mq: Float32Array; // [H, E+1, P]: Mq_h with cq_h as an extra last row
  private readonly ta: Float32Array; // [N, E+1]: A_adj^T xhat, and c_i - 1 as the last column
  private readonly cq: Float32Array; // [HP]
  private readonly V: Float32Array; // [H, P, d]
  /** Per head: logits (A_adj^T xhat) Mq_h + cq_h into [N, P], then att_h V_h into [N, d]. */
  private readonly oaHeads: Array<{ q: Lin; v: Lin; logits: Float32Array; out: Float32Array }>;
  /** Per head: scores Q_h K_h^T into [N, Np] (Np = N rounded up to 4), then att_h V_h into [N, d]. */
  private readonly trunkHeads: Array<{ q: Float32Array; k: Lin; v: Lin; scores: Float32Array; out: Float32Array }>;
  private readonly oaProj: Lin;
  private readonly oaFc1: Lin;
  private readonly oaFc2: Lin;
  private readonly lnsG: Float32Array;
  private readonly lnsB: Float32Array;
  private readonly trunk: TrunkWeights[];
  private readonly head: Lin;
  /** Pose hypotheses K; with K > 1 the selector (LN folded in) and its work areas: mean row [E], logits [K], head out [N, 2K]. */
  private readonly K: number;
  private readonly hyp: Lin | null = null;
  private readonly hm: Float32Array;
  private readonly lg: Float32Array;
  private readonly y: Float32Array;
  /** HYPOTHESIS_SCALE x the candidates' per-joint offsets [17, 2K]. */
  private readonly jointOffset: Float32Array | null = null;
  private current: PreparedCondition | null = null;
  /** The condition's weights (folded, see the file comment) and work areas, in the kernel's memory. */
  private readonly cw: Record<string, Float32Array>;
  private readonly model: Diffuser;
  private readonly tembs = new Map<number, Float32Array>();
  // work buffers (one sample at a time)
  private readonly x: Float32Array;
  private readonly h: Float32Array;
  private readonly t: Float32Array;
  private readonly big: Float32Array;
  private readonly u: Float32Array;

  constructor(model: Diffuser) {
    const c = model.config;
    if (c.attention !== 'associative') throw new RangeError('SmallBatchDenoiser: needs the associative attention');
    const p = model.params;
    const g = (name: string) => f64(p.get(name));
    const E = (this.E = c.embedDim), H = (this.H = c.heads), P = (this.P = model.P);
    const K = (this.K = hypothesisCount(c));
    const HP = H * P;
    const d = E / H;
    const arena = new Arena();
    type Pending = { w: { view?: Float32Array }; b: { view?: Float32Array }; K: number; M: number };
    const pending: Array<[Pending, (l: Lin) => void]> = [];
    const later = (w: ArrayLike<number> | number, b: ArrayLike<number> | number, K: number, M: number, done: (l: Lin) => void) => {
      pending.push([{ w: arena.add(w), b: arena.add(b), K, M }, done]);
    };
    /** `scaleFirst`: the first that many output columns times `scale` (the trunk's 1/sqrt(d) folded into q). */
    const lin = (pre: string, K: number, M: number, done: (l: Lin) => void, ln?: string, scaleFirst = 0, scale = 1) => {
      const l = ln ? foldLn(g(`${ln}.g`), g(`${ln}.b`), g(`${pre}.w`), g(`${pre}.b`), K, M) : { w: g(`${pre}.w`), b: g(`${pre}.b`) };
      for (let m = 0; m < scaleFirst; m++) { l.b[m] *= scale; for (let k = 0; k < K; k++) l.w[k * M + m] *= scale; }
      later(l.w, l.b, K, M, done);
    };
    const adj = f64(model.adj);
    const adjT = new Float64Array(N * N);
    const colSum = new Float64Array(N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) { adjT[i * N + j] = adj[j * N + i]; colSum[i] += adj[j * N + i]; }
    const wide = Math.max(3 * E, E * c.mlpRatio);
    const Np = (N + 3) & ~3;
    const taInit = new Float64Array(N * (E + 1));
    for (let i = 0; i < N; i++) taInit[i * (E + 1) + E] = colSum[i] - 1;
    // the condition (prepare): folded weights and work areas
    const Cg = c.imageFeatureDim, Cr = c.objectFeatureDim, Hd = c.objectHidden, P0 = c.gridSize * c.gridSize;
    const imgB = g('img.fc.b'), pos = g('npe.pos'), npeB = g('npe.b');
    for (let i = 0; i < N; i++) for (let e = 0; e < E; e++) imgB[i * E + e] += pos[i * E + e] + npeB[e];
    const img = foldLn(g('img.ln.g'), g('img.ln.b'), g('img.fc.w'), imgB, Cg, N * E);
    const kf = foldLn(g('oa.ln1.g'), g('oa.ln1.b'), g('oa.k.w'), g('oa.k.b'), E, E);
    const vf = foldLn(g('oa.ln1.g'), g('oa.ln1.b'), g('oa.v.w'), g('oa.v.b'), E, E);
    const qf = foldLn(g('oa.ln1.g'), g('oa.ln1.b'), g('oa.q.w'), g('oa.q.b'), E, E);
    // BatchNorm (running statistics) as a column scale s of W and a shift
    const bnS = new Float64Array(HP), bnShift = new Float64Array(HP);
    { const bg = g('oa.bn.g'), bb = g('oa.bn.b'), bm = g('oa.bn.mean'), bv = g('oa.bn.var');
      for (let j = 0; j < HP; j++) { bnS[j] = bg[j] / Math.sqrt(bv[j] + BN_EPS); bnShift[j] = bb[j] - bm[j] * bnS[j]; } }
    const Ws = g('oa.W');
    for (let r = 0; r < HP; r++) for (let j = 0; j < HP; j++) Ws[r * HP + j] *= bnS[j] / Math.sqrt(d);
    const cparts: Record<string, { view?: Float32Array }> = {
      imgW: arena.add(img.w), imgB: arena.add(img.b), confW: arena.add(g('conf.w')), confB: arena.add(g('conf.b')),
      fc1W: arena.add(g('obj.fc1.w')), fc1B: arena.add(g('obj.fc1.b')), fc2W: arena.add(g('obj.fc2.w')), fc2B: arena.add(g('obj.fc2.b')),
      kW: arena.add(kf.w), kB: arena.add(kf.b), vW: arena.add(vf.w), vB: arena.add(vf.b), qW: arena.add(qf.w), qB: arena.add(qf.b),
      Ws: arena.add(Ws), shift: arena.add(bnShift), zerosHP: arena.add(HP),
      gIn: arena.add(Cg), xg: arena.add(Cg), roiIn: arena.add(P0 * Cr), geomIn: arena.add(P0 * GEOM_DIM), h1: arena.add(P0 * Hd),
      o: arena.add(P * E), on: arena.add(P * E), kk: arena.add(P * E), vv: arena.add(P * E), kT: arena.add(d * P),
      Mbn: arena.add(E * HP), Mq: arena.add(E * HP), cq: arena.add(HP), icond: arena.add(N * E), conf: arena.add(N),
      ...(c.objectPosition ? { posW: arena.add(g('obj.pos.w')) } : {}),
      ...(c.personPosition ? { pboxW: arena.add(g('pbox.w')), pboxB: arena.add(g('pbox.b')), pboxIn: arena.add(PBOX_DIM), pboxOut: arena.add(N * E) } : {}),
      ...(c.pinInput ? { pinW: arena.add(g('pin.w')), pinsIn: arena.add(N * PIN_DIM) } : {}),
      ...(c.categories.length ? { cat: arena.add(g('obj.cat')) } : {}),
      ...(c.actions.length ? { act: arena.add(g('obj.act')) } : {}),
    };
    const parts = {
      base: arena.add(N * E), npeW: arena.add(g('npe.w')), adjT: arena.add(adjT), colSum: arena.add(colSum), mq: arena.add(H * (E + 1) * P), ta: arena.add(taInit), cq: arena.add(HP), V: arena.add(HP * d), zeros: arena.add(Math.max(d, Np)), qh: arena.add(H * N * d), khT: arena.add(H * d * Np), vh: arena.add(H * Np * d), r: arena.add(H * N * d),
      lnsG: arena.add(g('lns.g')), lnsB: arena.add(g('lns.b')),
      hm: arena.add(E), lg: arena.add(K), y: arena.add(N * 2 * K),
      x: arena.add(N * E), h: arena.add(N * E), t: arena.add(N * E), u: arena.add(N * wide), big: arena.add(Math.max(N * HP, H * N * Np, N * wide)),
    };
    const lins: Record<string, Lin> = {};
    lin('oa.proj', E, E, (l) => (lins.oaProj = l));
    lin('oa.fc1', E, E * c.mlpRatio, (l) => (lins.oaFc1 = l), 'oa.ln2');
    lin('oa.fc2', E * c.mlpRatio, E, (l) => (lins.oaFc2 = l));
    for (let i = 0; i < c.depth; i++) {
      lin(`tb${i}.qkv`, E, 3 * E, (l) => (lins[`qkv${i}`] = l), `tb${i}.ln1`, E, 1 / Math.sqrt(d));
      lin(`tb${i}.proj`, E, E, (l) => (lins[`proj${i}`] = l));
      lin(`tb${i}.fc1`, E, E * c.mlpRatio, (l) => (lins[`fc1${i}`] = l), `tb${i}.ln2`);
      lin(`tb${i}.fc2`, E * c.mlpRatio, E, (l) => (lins[`fc2${i}`] = l));
    }
    if (K === 1) lin('head.fc', E, 2, (l) => (lins.head = l), 'head.ln');
    else {
      // candidate k = shared x0 + offset k: one layer [E, 2K] of the summed weights
      const bw = g('head.fc.w'), bb = g('head.fc.b'), dw = g('hyp.delta.w'), db = g('hyp.delta.b');
      for (let e = 0; e < E; e++) for (let m = 0; m < 2 * K; m++) dw[e * 2 * K + m] = bw[e * 2 + (m & 1)] + HYPOTHESIS_SCALE * dw[e * 2 * K + m];
      for (let m = 0; m < 2 * K; m++) db[m] = bb[m & 1] + HYPOTHESIS_SCALE * db[m];
      const l = foldLn(g('head.ln.g'), g('head.ln.b'), dw, db, E, 2 * K);
      later(l.w, l.b, E, 2 * K, (x) => (lins.head = x));
    }
    // the selector reads the mean over joints of the same normalised rows, so the head LN folds into it too
    if (K > 1) lin('hyp.fc', E, K, (l) => (lins.hyp = l), 'head.ln');
    this.gemm = arena.place();
    this.cw = Object.fromEntries(Object.entries(cparts).map(([k, v]) => [k, v.view!]));
    this.model = model;
    for (const [pd, done] of pending) done({ w: pd.w.view!, b: pd.b.view!, K: pd.K, M: pd.M });
    this.base = parts.base.view!; this.npeW = parts.npeW.view!; this.adjT = parts.adjT.view!; this.colSum = parts.colSum.view!;
    this.mq = parts.mq.view!; this.ta = parts.ta.view!; this.cq = parts.cq.view!; this.V = parts.V.view!;
    const zeros = parts.zeros.view!, qh = parts.qh.view!, khT = parts.khT.view!, vh = parts.vh.view!, r = parts.r.view!, big = parts.big.view!;
    const sub = (a: Float32Array, i: number, n: number) => a.subarray(i * n, (i + 1) * n);
    this.oaHeads = Array.from({ length: H }, (_, h) => ({
      q: { w: sub(this.mq, h, (E + 1) * P), b: sub(this.cq, h, P), K: E + 1, M: P },
      v: { w: sub(this.V, h, P * d), b: zeros.subarray(0, d), K: P, M: d },
      logits: sub(big, h, N * P), out: sub(r, h, N * d),
    }));
    this.trunkHeads = Array.from({ length: H }, (_, h) => ({
      q: sub(qh, h, N * d),
      k: { w: sub(khT, h, d * Np), b: zeros.subarray(0, Np), K: d, M: Np },
      v: { w: sub(vh, h, Np * d), b: zeros.subarray(0, d), K: Np, M: d },
      scores: sub(big, h, N * Np), out: sub(r, h, N * d),
    })); this.lnsG = parts.lnsG.view!; this.lnsB = parts.lnsB.view!;
    this.x = parts.x.view!; this.h = parts.h.view!; this.t = parts.t.view!; this.u = parts.u.view!; this.big = parts.big.view!;
    this.oaProj = lins.oaProj; this.oaFc1 = lins.oaFc1; this.oaFc2 = lins.oaFc2; this.head = lins.head;
    this.hm = parts.hm.view!; this.lg = parts.lg.view!; this.y = parts.y.view!;
    if (K > 1) {
      this.hyp = lins.hyp;
      this.jointOffset = Float32Array.from(g('hyp.joint'), (v) => HYPOTHESIS_SCALE * v);
    }
    this.trunk = Array.from({ length: c.depth }, (_, i) => ({ qkv: lins[`qkv${i}`], proj: lins[`proj${i}`], fc1: lins[`fc1${i}`], fc2: lins[`fc2${i}`] }));
  }

  /**
   * The condition of one input row in typed arrays (Diffuser.condition + prepareCondition, without tensor ops):
   * the prepared condition and the confidence [17].
   */
  prepare(row: ConditionRow): { cond: PreparedCondition; conf: Float32Array } {
    const c = this.model.config;
    const { E, H, P } = this;
    const d = E / H, HP = H * P;
    const Cg = c.imageFeatureDim, Cr = c.objectFeatureDim, Hd = c.objectHidden, P0 = c.gridSize * c.gridSize;
    const w = this.cw, g = this.gemm;
    const need = (a: Float32Array | undefined, n: number, what: string): Float32Array => {
      if (!a || a.length !== n) throw new RangeError(`SmallBatchDenoiser.prepare(): ${what} must have ${n} values, got ${a ? a.length : 'none'}`);
      return a;
    };
    // image condition (with the noise pose embedding's bias and position embedding): LN(global) img.fc -> [17, E]
    w.gIn.set(need(row.global, Cg, 'global'));
    normalize(this.gemm, w.gIn, 1, Cg, 1e-5, w.xg);
    gemmRows(g, w.xg, 1, Cg, w.imgW, w.imgB, w.icond, N * E, false);
    if (c.personPosition) {
      w.pboxIn.set(need(row.pbox, PBOX_DIM, 'pbox'));
      gemmRows(g, w.pboxIn, 1, PBOX_DIM, w.pboxW, w.pboxB, w.pboxOut, N * E, false);
      for (let k = 0; k < N * E; k++) w.icond[k] += w.pboxOut[k];
    }
    if (c.pinInput && row.pins) {
      w.pinsIn.set(need(row.pins, N * PIN_DIM, 'pins'));
      gemmRows(g, w.pinsIn, N, PIN_DIM, w.pinW, null, w.icond, E, true);
    }
    // confidence: sigmoid(global conf.w + conf.b)
    gemmRows(g, w.gIn, 1, Cg, w.confW, w.confB, w.conf, N, false);
    const conf = new Float32Array(N);
    for (let j = 0; j < N; j++) conf[j] = 1 / (1 + Math.exp(-w.conf[j]));
    // object tokens: MLP(roi) + geometry + category/action, then the extra tokens
    w.roiIn.set(need(row.roi, P0 * Cr, 'roi'));
    gemmRows(g, w.roiIn, P0, Cr, w.fc1W, w.fc1B, w.h1, Hd, false);
    const nh = P0 * Hd, h1 = w.h1;
    for (let k = 0; k < nh; k++) { const x = h1[k]; h1[k] = x / (1 + Math.exp(-1.702 * x)); }
    const o = w.o;
    gemmRows(g, h1, P0, Hd, w.fc2W, w.fc2B, o, E, false);
    if (c.objectPosition) {
      w.geomIn.set(need(row.geom, P0 * GEOM_DIM, 'geom'));
      gemmRows(g, w.geomIn, P0, GEOM_DIM, w.posW, null, o, E, true);
    }
    const bias = new Float32Array(E);
    let hasBias = false;
    for (const [key, t] of [['cat', row.category], ['act', row.action]] as const) {
      const tbl = w[key];
      if (!tbl || !t) continue;
      hasBias = true;
      for (let i = 0; i < t.length; i++) if (t[i] !== 0) for (let e = 0; e < E; e++) bias[e] += t[i] * tbl[i * E + e];
    }
    if (hasBias) for (let p = 0; p < P0; p++) for (let e = 0; e < E; e++) o[p * E + e] += bias[e];
    if (c.extraTokens > 0) o.set(need(row.extra, c.extraTokens * E, 'extra'), P0 * E);
    // keys and values (LN1 folded), M_bn = blockrows_h(k_h^T / sqrt(d) (W_h s)), Mq = (g1 Wq) M_bn, cq = (b1 Wq + bq) M_bn + shift
    normalize(this.gemm, o, P, E, 1e-5, w.on);
    gemmRows(g, w.on, P, E, w.kW, w.kB, w.kk, E, false);
    gemmRows(g, w.on, P, E, w.vW, w.vB, w.vv, E, false);
    const kk = w.kk, kT = w.kT;
    for (let h = 0; h < H; h++) {
      for (let cc = 0; cc < d; cc++) for (let p = 0; p < P; p++) kT[cc * P + p] = kk[p * E + h * d + cc];
      gemmRows(g, kT, d, P, w.Ws.subarray(h * P * HP, (h + 1) * P * HP), w.zerosHP, w.Mbn.subarray(h * d * HP, (h + 1) * d * HP), HP, false);
    }
    gemmRows(g, w.qW, E, E, w.Mbn, w.zerosHP, w.Mq, HP, false);
    gemmRows(g, w.qB, 1, E, w.Mbn, w.shift, w.cq, HP, false);
    const Mqh = new Float32Array(H * E * P), Vh = new Float32Array(HP * d), Mq = w.Mq, vv = w.vv;
    for (let h = 0; h < H; h++) {
      for (let e = 0; e < E; e++) for (let p = 0; p < P; p++) Mqh[(h * E + e) * P + p] = Mq[e * HP + h * P + p];
      for (let p = 0; p < P; p++) for (let cc = 0; cc < d; cc++) Vh[(h * P + p) * d + cc] = vv[p * E + h * d + cc];
    }
    return { cond: { base: w.icond.slice(), Mq: Mqh, cq: w.cq.slice(), V: Vh }, conf };
  }

  /** The time embedding [E] of timestep t (Diffuser.timeEmbedding, made once per t). */
  timeEmbedding(t: number): Float32Array {
    let e = this.tembs.get(t);
    if (!e) {
      const te = this.model.timeEmbedding([t]);
      e = Float32Array.from(te.dataSync() as Float32Array);
      te.dispose();
      this.tembs.set(t, e);
    }
    return e;
  }

  private use(c: PreparedCondition): void {
    if (this.current === c) return;
    this.base.set(c.base); this.cq.set(c.cq); this.V.set(c.V);
    const { E, H, P } = this;
    for (let h = 0; h < H; h++) {
      this.mq.set(c.Mq.subarray(h * E * P, (h + 1) * E * P), h * (E + 1) * P);
      this.mq.set(c.cq.subarray(h * P, (h + 1) * P), (h * (E + 1) + E) * P);
    }
    this.current = c;
  }

  /**
   * x0 [n*17*2] for noisy joints xt [n*17*2] and the time embedding temb [E] (Diffuser.timeEmbedding of one t);
   * sample s uses conds[s] when there are n conditions, else conds[0]. Models with K hypotheses write all candidates
   * [K, n, 17, 2] (as Diffuser.denoise) and the selector's logits into `logits` [n, K].
   */
  denoise(xt: Float32Array, n: number, temb: Float32Array, conds: PreparedCondition[], out = new Float32Array(this.K * n * N * 2), logits?: Float32Array): Float32Array {
    for (let s = 0; s < n; s++) {
      this.use(conds.length === n ? conds[s] : conds[0]);
      this.one(xt, s, n, temb, out, logits);
    }
    return out;
  }

  private one(xt: Float32Array, s: number, n: number, temb: Float32Array, out: Float32Array, logits?: Float32Array): void {
    const off = s * N * 2;
    const { E, H, P, x, h, t, u, big } = this;
    const Np = (N + 3) & ~3;
    const d = E / H;
    const HP = H * P;
    const w0 = this.npeW;
    for (let i = 0; i < N; i++) {
      const a = xt[off + 2 * i], b = xt[off + 2 * i + 1];
      for (let e = 0; e < E; e++) x[i * E + e] = this.base[i * E + e] + a * w0[e] + b * w0[E + e];
    }
    // pose-object attention: logits [N, HP] = (A_adj^T xhat) Mq + c cq, per head one product of [A_adj^T xhat | c - 1]
    // [N, E+1] with [Mq_h; cq_h] plus cq_h
    normalize(this.gemm, x, N, E, 1e-5, h);
    const adjT = this.adjT, ta = this.ta, E1 = E + 1;
    for (let i = 0; i < N; i++) {
      for (let e = 0; e < E; e++) ta[i * E1 + e] = 0;
      for (let j = 0; j < N; j++) {
        const a = adjT[i * N + j];
        if (a === 0) continue;
        for (let e = 0; e < E; e++) ta[i * E1 + e] += a * h[j * E + e];
      }
    }
    for (let hh = 0; hh < H; hh++) {
      const oh = this.oaHeads[hh];
      linear(this.gemm, ta, N, oh.q, oh.logits);
    }
    softmaxRows(this.gemm, big, H * N, P); // over the P object tokens of each head
    // J [N, E]: head h's channels = att_h [N, P] x V_h [P, d]
    for (let hh = 0; hh < H; hh++) {
      const oh = this.oaHeads[hh];
      linear(this.gemm, oh.logits, N, oh.v, oh.out);
      for (let i = 0; i < N; i++) for (let c = 0; c < d; c++) t[i * E + hh * d + c] = oh.out[i * d + c];
    }
    this.residualLinear(t, this.oaProj);
    this.mlp(this.oaFc1, this.oaFc2);
    normalize(this.gemm, x, N, E, 1e-6, x, this.lnsG, this.lnsB);
    for (let i = 0; i < N; i++) for (let e = 0; e < E; e++) x[i * E + e] += temb[e];
    // trunk (q comes out of the qkv layer already scaled by 1/sqrt(d))
    for (const tb of this.trunk) {
      normalize(this.gemm, x, N, E, 1e-5, h);
      linear(this.gemm, h, N, tb.qkv, u); // [N, 3E]: q | k | v
      const E3 = 3 * E;
      // per head h: scores [N, Np] = Q_h K_h^T (scaled), softmax over the N joints, att_h V_h [N, d]
      const heads = this.trunkHeads;
      for (let hh = 0; hh < H; hh++) {
        const th = heads[hh], kw = th.k.w, vw = th.v.w;
        for (let i = 0; i < N; i++) {
          const ui = i * E3 + hh * d;
          for (let c = 0; c < d; c++) {
            kw[c * Np + i] = u[ui + E + c];
            vw[i * d + c] = u[ui + 2 * E + c];
          }
        }
        // scores = Q_h K_h^T, Q_h read in place from u (rows 3E apart)
        if (this.gemm) this.gemm.gemm(u.byteOffset + hh * d * 4, N, d, kw.byteOffset, th.k.b.byteOffset, th.scores.byteOffset, Np, E3 * 4);
        else {
          const q = th.q;
          for (let i = 0; i < N; i++) for (let c = 0; c < d; c++) q[i * d + c] = u[i * E3 + hh * d + c];
          linear(null, q, N, th.k, th.scores);
        }
      }
      softmaxRows(this.gemm, big, H * N, N, Np);
      for (let hh = 0; hh < H; hh++) {
        const th = heads[hh];
        linear(this.gemm, th.scores, N, th.v, th.out);
        for (let i = 0; i < N; i++) for (let c = 0; c < d; c++) t[i * E + hh * d + c] = th.out[i * d + c];
      }
      this.residualLinear(t, tb.proj);
      this.mlp(tb.fc1, tb.fc2);
      normalize(this.gemm, x, N, E, 1e-6, x, this.lnsG, this.lnsB);
    }
    normalize(this.gemm, x, N, E, 1e-5, h);
    const K = this.K;
    if (K === 1) {
      linear(this.gemm, h, N, this.head, t);
      for (let k = 0; k < 2 * N; k++) out[off + k] = t[k];
      return;
    }
    const y = this.y, hm = this.hm;
    linear(null, h, N, this.head, y); // [N, 2K]: candidate k in columns 2k, 2k+1
    const jo = this.jointOffset!;
    for (let k = 0; k < N * 2 * K; k++) y[k] += jo[k];
    for (let k = 0; k < K; k++) for (let i = 0; i < N; i++) { const o = (k * n + s) * N * 2 + 2 * i; out[o] = y[i * 2 * K + 2 * k]; out[o + 1] = y[i * 2 * K + 2 * k + 1]; }
    if (!logits) return;
    for (let e = 0; e < E; e++) { let m = 0; for (let i = 0; i < N; i++) m += h[i * E + e]; hm[e] = m / N; }
    linear(null, hm, 1, this.hyp!, this.lg);
    logits.set(this.lg, s * K);
  }

  /** x += inp W + b (inp [N, E]). */
  private residualLinear(inp: Float32Array, l: Lin): void {
    const { x, h } = this;
    linear(this.gemm, inp, N, l, h);
    for (let k = 0; k < N * l.M; k++) x[k] += h[k];
  }

  /** x += fc2(gelu(fc1(LN2 x))) with LN2 folded into fc1. */
  private mlp(fc1: Lin, fc2: Lin): void {
    const { x, h, u, E } = this;
    normalize(this.gemm, x, N, E, 1e-5, h);
    linear(this.gemm, h, N, fc1, u);
    const n = N * fc1.M, big = this.big;
    if (this.gemm && n % 4 === 0) this.gemm.gelu(u.byteOffset, n, big.byteOffset);
    else {
      for (let k = 0; k < n; k++) big[k] = -1.702 * u[k];
      expInPlace(this.gemm, big, n);
      for (let k = 0; k < n; k++) u[k] /= 1 + big[k];
    }
    this.residualLinear(u, fc2);
  }
}
