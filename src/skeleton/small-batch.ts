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
 */
import * as tf from '@tensorflow/tfjs';
import type { Condition, Diffuser } from './diffuser.ts';
import { foldBatchNorm } from './attention.ts';
import { NUM_JOINTS } from './topology.ts';
import { createGemm, type Gemm } from '../tensor/simd-gemm.ts';

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

/** xhat of a LayerNorm over rows of width E (no gamma/beta); `g`/`b` applied when given. */
function normalize(x: Float32Array, n: number, E: number, eps: number, out: Float32Array, g?: Float32Array, b?: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * E;
    let mean = 0;
    for (let c = 0; c < E; c++) mean += x[o + c];
    mean /= E;
    let v = 0;
    for (let c = 0; c < E; c++) { const d = x[o + c] - mean; v += d * d; }
    const rstd = 1 / Math.sqrt(v / E + eps);
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
  for (let r = 0; r < rows; r++) {
    const o = r * stride;
    let mx = -Infinity;
    for (let i = 0; i < len; i++) if (a[o + i] > mx) mx = a[o + i];
    for (let i = 0; i < len; i++) a[o + i] -= mx;
  }
  expInPlace(g, a, rows * stride);
  for (let r = 0; r < rows; r++) {
    const o = r * stride;
    let s = 0;
    for (let i = 0; i < len; i++) s += a[o + i];
    const inv = 1 / s;
    for (let i = 0; i < len; i++) a[o + i] *= inv;
    for (let i = len; i < stride; i++) a[o + i] = 0;
  }
}

/** Whether the small-batch path covers this model and condition (associative attention, one shared condition). */
export function smallBatchSupported(model: Diffuser, cond: Condition): boolean {
  return model.config.attention === 'associative' && !!cond.keys.M && !!cond.keys.valueBlocks && cond.icond.shape[0] === 1;
}

/** The condition-dependent part, made once per condition: base [N,E], Mq [E,HP], cq [HP], value blocks V [HP,E]. */
export interface PreparedCondition { base: Float32Array; Mq: Float32Array; cq: Float32Array; V: Float32Array }

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
  // value blocks [HP, E]: row h*P+p holds v[p] on the channels of head h, so J = att [N, HP] x V
  return { Mq: data[0], cq: data[1], base: data[2], V: Float32Array.from(data[3]) };
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
  const ids = model.params.entries().map(([, v]) => v.dataId);
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
  private readonly oaQ: Lin; // (A_adj^T xhat) -> logits [N, HP]: W = Mq [E, HP], b = cq [HP] (times the column sum)
  private readonly V: Float32Array; // [HP, E] value blocks
  private readonly zeros: Float32Array;
  private readonly qe: Float32Array; // [H*N, E] queries of head h in rows h*N.., on the head's channels
  private readonly kT: Float32Array; // [E, Np] keys transposed, Np = N rounded up to 4
  private readonly vp: Float32Array; // [Np, E]
  private readonly r: Float32Array; // [H*N, E]
  private readonly oaProj: Lin;
  private readonly oaFc1: Lin;
  private readonly oaFc2: Lin;
  private readonly lnsG: Float32Array;
  private readonly lnsB: Float32Array;
  private readonly trunk: TrunkWeights[];
  private readonly head: Lin;
  private current: PreparedCondition | null = null;
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
    const HP = H * P;
    const arena = new Arena();
    type Pending = { w: { view?: Float32Array }; b: { view?: Float32Array }; K: number; M: number };
    const pending: Array<[Pending, (l: Lin) => void]> = [];
    const later = (w: ArrayLike<number> | number, b: ArrayLike<number> | number, K: number, M: number, done: (l: Lin) => void) => {
      pending.push([{ w: arena.add(w), b: arena.add(b), K, M }, done]);
    };
    const lin = (pre: string, K: number, M: number, done: (l: Lin) => void, ln?: string) => {
      const l = ln ? foldLn(g(`${ln}.g`), g(`${ln}.b`), g(`${pre}.w`), g(`${pre}.b`), K, M) : { w: g(`${pre}.w`), b: g(`${pre}.b`) };
      later(l.w, l.b, K, M, done);
    };
    const adj = f64(model.adj);
    const adjT = new Float64Array(N * N);
    const colSum = new Float64Array(N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) { adjT[i * N + j] = adj[j * N + i]; colSum[i] += adj[j * N + i]; }
    const wide = Math.max(3 * E, E * c.mlpRatio);
    const Np = (N + 3) & ~3;
    const parts = {
      base: arena.add(N * E), npeW: arena.add(g('npe.w')), adjT: arena.add(adjT), colSum: arena.add(colSum), V: arena.add(HP * E), zeros: arena.add(Math.max(E, Np)), qe: arena.add(H * N * E), kT: arena.add(E * Np), vp: arena.add(Np * E), r: arena.add(H * N * E),
      lnsG: arena.add(g('lns.g')), lnsB: arena.add(g('lns.b')),
      x: arena.add(N * E), h: arena.add(N * E), t: arena.add(N * E), u: arena.add(N * wide), big: arena.add(Math.max(N * HP, H * N * Np, N * wide)),
    };
    const lins: Record<string, Lin> = {};
    later(E * HP, HP, E, HP, (l) => (lins.oaQ = l)); // filled per condition
    lin('oa.proj', E, E, (l) => (lins.oaProj = l));
    lin('oa.fc1', E, E * c.mlpRatio, (l) => (lins.oaFc1 = l), 'oa.ln2');
    lin('oa.fc2', E * c.mlpRatio, E, (l) => (lins.oaFc2 = l));
    for (let i = 0; i < c.depth; i++) {
      lin(`tb${i}.qkv`, E, 3 * E, (l) => (lins[`qkv${i}`] = l), `tb${i}.ln1`);
      lin(`tb${i}.proj`, E, E, (l) => (lins[`proj${i}`] = l));
      lin(`tb${i}.fc1`, E, E * c.mlpRatio, (l) => (lins[`fc1${i}`] = l), `tb${i}.ln2`);
      lin(`tb${i}.fc2`, E * c.mlpRatio, E, (l) => (lins[`fc2${i}`] = l));
    }
    lin('head.fc', E, 2, (l) => (lins.head = l), 'head.ln');
    this.gemm = arena.place();
    for (const [pd, done] of pending) done({ w: pd.w.view!, b: pd.b.view!, K: pd.K, M: pd.M });
    this.base = parts.base.view!; this.npeW = parts.npeW.view!; this.adjT = parts.adjT.view!; this.colSum = parts.colSum.view!;
    this.V = parts.V.view!; this.zeros = parts.zeros.view!; this.qe = parts.qe.view!; this.kT = parts.kT.view!; this.vp = parts.vp.view!; this.r = parts.r.view!; this.lnsG = parts.lnsG.view!; this.lnsB = parts.lnsB.view!;
    this.x = parts.x.view!; this.h = parts.h.view!; this.t = parts.t.view!; this.u = parts.u.view!; this.big = parts.big.view!;
    this.oaQ = lins.oaQ; this.oaProj = lins.oaProj; this.oaFc1 = lins.oaFc1; this.oaFc2 = lins.oaFc2; this.head = lins.head;
    this.trunk = Array.from({ length: c.depth }, (_, i) => ({ qkv: lins[`qkv${i}`], proj: lins[`proj${i}`], fc1: lins[`fc1${i}`], fc2: lins[`fc2${i}`] }));
  }

  private use(c: PreparedCondition): void {
    if (this.current === c) return;
    this.base.set(c.base); this.oaQ.w.set(c.Mq); this.oaQ.b.set(c.cq); this.V.set(c.V);
    this.current = c;
  }

  /**
   * x0 [n*17*2] for noisy joints xt [n*17*2] and the time embedding temb [E] (Diffuser.timeEmbedding of one t);
   * sample s uses conds[s] when there are n conditions, else conds[0].
   */
  denoise(xt: Float32Array, n: number, temb: Float32Array, conds: PreparedCondition[], out = new Float32Array(n * N * 2)): Float32Array {
    for (let s = 0; s < n; s++) {
      this.use(conds.length === n ? conds[s] : conds[0]);
      this.one(xt, s * N * 2, temb, out);
    }
    return out;
  }

  private one(xt: Float32Array, off: number, temb: Float32Array, out: Float32Array): void {
    const { E, H, P, x, h, t, u, big } = this;
    const Np = (N + 3) & ~3;
    const d = E / H;
    const HP = H * P;
    const w0 = this.npeW;
    for (let i = 0; i < N; i++) {
      const a = xt[off + 2 * i], b = xt[off + 2 * i + 1];
      for (let e = 0; e < E; e++) x[i * E + e] = this.base[i * E + e] + a * w0[e] + b * w0[E + e];
    }
    // pose-object attention: logits [N, HP] = (A_adj^T xhat) Mq + c cq
    normalize(x, N, E, 1e-5, h);
    const adjT = this.adjT;
    for (let i = 0; i < N; i++) {
      for (let e = 0; e < E; e++) t[i * E + e] = 0;
      for (let j = 0; j < N; j++) {
        const a = adjT[i * N + j];
        if (a === 0) continue;
        for (let e = 0; e < E; e++) t[i * E + e] += a * h[j * E + e];
      }
    }
    linear(this.gemm, t, N, this.oaQ, big);
    const cq = this.oaQ.b;
    for (let i = 0; i < N; i++) {
      const o = i * HP, cs = this.colSum[i] - 1; // the kernel added cq once
      for (let m = 0; m < HP; m++) big[o + m] += cs * cq[m];
    }
    softmaxRows(this.gemm, big, N * H, P); // over the P object tokens of each head
    // J [N, E] = att [N, HP] x value blocks [HP, E]
    linear(this.gemm, big, N, { w: this.V, b: this.zeros, K: HP, M: E }, t);
    this.residualLinear(t, this.oaProj);
    this.mlp(this.oaFc1, this.oaFc2);
    normalize(x, N, E, 1e-6, x, this.lnsG, this.lnsB);
    for (let i = 0; i < N; i++) for (let e = 0; e < E; e++) x[i * E + e] += temb[e];
    // trunk
    const scale = 1 / Math.sqrt(d);
    for (const tb of this.trunk) {
      normalize(x, N, E, 1e-5, h);
      linear(this.gemm, h, N, tb.qkv, u); // [N, 3E]: q | k | v
      const E3 = 3 * E;
      // all heads at once: scores [H*N, Np] = Q_e K^T, softmax, (att V) [H*N, E], keep each head's channels
      const { qe, kT, vp, r } = this;
      for (let i = 0; i < N; i++) {
        const ui = i * E3;
        for (let hh = 0; hh < H; hh++) {
          const ro = (hh * N + i) * E + hh * d;
          for (let c = 0; c < d; c++) qe[ro + c] = u[ui + hh * d + c] * scale;
        }
        for (let e = 0; e < E; e++) { kT[e * Np + i] = u[ui + E + e]; vp[i * E + e] = u[ui + 2 * E + e]; }
      }
      linear(this.gemm, qe, H * N, { w: kT, b: this.zeros, K: E, M: Np }, big);
      softmaxRows(this.gemm, big, H * N, N, Np);
      linear(this.gemm, big, H * N, { w: vp, b: this.zeros, K: Np, M: E }, r);
      for (let hh = 0; hh < H; hh++) {
        for (let i = 0; i < N; i++) {
          const ro = (hh * N + i) * E + hh * d, to = i * E + hh * d;
          for (let c = 0; c < d; c++) t[to + c] = r[ro + c];
        }
      }
      this.residualLinear(t, tb.proj);
      this.mlp(tb.fc1, tb.fc2);
      normalize(x, N, E, 1e-6, x, this.lnsG, this.lnsB);
    }
    normalize(x, N, E, 1e-5, h);
    linear(this.gemm, h, N, this.head, t);
    for (let k = 0; k < 2 * N; k++) out[off + k] = t[k];
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
    normalize(x, N, E, 1e-5, h);
    linear(this.gemm, h, N, fc1, u);
    const n = N * fc1.M, big = this.big;
    for (let k = 0; k < n; k++) big[k] = -1.702 * u[k];
    expInPlace(this.gemm, big, n);
    for (let k = 0; k < n; k++) u[k] /= 1 + big[k];
    this.residualLinear(u, fc2);
  }
}
