/**
 * A small WebAssembly SIMD kernel for out = x W + b on float32 rows, for inference paths whose matrices are too
 * small for the tensor runtime's per-op cost (17 x 32 activations). The module is assembled here from its
 * instructions (about 200 bytes, no build step) and works in Node and browsers with WebAssembly SIMD; where SIMD
 * is missing `createGemm` returns null and callers use their scalar loops.
 *
 *   gemm(x, n, K, w, b, out, M, xs, acc): for r < n, out[r, :] = (acc ? out[r, :] : b) + sum_k x[r, k] W[k, :]
 *     with byte offsets into the shared memory, W [K, M] row-major, M a multiple of 4 (16 columns per pass, then 4);
 *   exp(a, n): a[i] = exp(a[i]) in place for n a multiple of 4 (inputs clamped to [-87.3, 88.7]; 2^k times a
 *     degree-6 polynomial on [-ln2/2, ln2/2], relative error about 2e-7, like a float32 expf).
 */

import * as tf from '@tensorflow/tfjs';

/** The kernel bound to its memory. */
export interface Gemm {
  readonly memory: WebAssembly.Memory;
  /**
   * Byte offsets; M % 4 === 0. `xs`: byte stride between rows of x (default K*4); `acc` 1: add to out instead of
   * starting from b.
   */
  gemm(x: number, n: number, K: number, w: number, b: number, out: number, M: number, xs?: number, acc?: number): void;
  /** Byte offset; n % 4 === 0. */
  exp(a: number, n: number): void;
  /**
   * Softmax in place over the first `len` floats of each of `rows` rows `stride` floats apart from byte offset a; the
   * rest of each row is set to 0. rows * stride % 4 === 0.
   */
  softmax(a: number, rows: number, len: number, stride: number): void;
  /**
   * One Adam step over n floats (byte offsets, n % 4 === 0), float32 rounding after every operation:
   * m = m b1 + g c1; v = v b2 + (g g) c2; out = ((m / omb1) / (sqrt(v / omb2) + eps)) nlr + p.
   */
  adam(p: number, g: number, m: number, v: number, out: number, n: number, b1: number, b2: number, c1: number, c2: number, omb1: number, omb2: number, eps: number, nlr: number): void;
  /** Byte offsets, n % 4 === 0: writes 4 floats at dst, all 0 when the n floats at a are finite, else some NaN. */
  finite(a: number, n: number, dst: number): void;
  /**
   * LayerNorm of n rows of E floats (E % 4 === 0; byte offsets, rows E apart; out may be x), in float32:
   * (x - mean) / sqrt(var + eps), then times g plus b when gb is 1.
   */
  layerNorm(x: number, n: number, E: number, eps: number, out: number, g: number, b: number, gb: number): void;
  /** GELU as coded (x sigmoid(1.702 x) = x / (1 + exp(-1.702 x))) in place over n floats at a (n % 4 === 0); s: n floats of scratch. */
  gelu(a: number, n: number, s: number): void;
  /** Softmax gradient in place: g = att (g - rowsum(att g)) over rows `stride` floats apart (byte offsets; stride % 4 === 0; att 0 in padding). */
  softmaxBackward(att: number, g: number, rows: number, stride: number): void;
  /**
   * LayerNorm gradient for n rows of E floats (E % 4 === 0; byte offsets) from x and dy: dx, and dg += dy xhat,
   * db += dy over the rows (zeroed by the caller).
   */
  layerNormBackward(x: number, dy: number, n: number, E: number, eps: number, g: number, dx: number, dg: number, db: number): void;
  /** Column means and biased variances of x [R, C] (C % 4 === 0; byte offsets) into mean [C], variance [C]. */
  colMoments(x: number, R: number, C: number, mean: number, variance: number): void;
  /** out[r, c] = x[r, c] s[c] + t[c] over [R, C] (C % 4 === 0; byte offsets; out may be x). */
  colAffine(x: number, R: number, C: number, s: number, t: number, out: number): void;
  /**
   * BatchNorm gradient over [R, C] (C % 4 === 0; byte offsets): s1 = sum_rows dy, s2 = sum_rows dy xhat, k1, k2 ([C]
   * scratch), out = rstd (dy gam - gam s1 / R - xhat gam s2 / R), xhat = (x - mean) rstd.
   */
  bnBackward(dy: number, x: number, R: number, C: number, mean: number, rstd: number, gam: number, s1: number, s2: number, k1: number, k2: number, out: number): void;
}

const uleb = (v: number): number[] => { const o: number[] = []; do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; o.push(b); } while (v); return o; };
const sleb = (v: number): number[] => {
  const o: number[] = [];
  for (;;) { const b = v & 0x7f; v >>= 7; if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) { o.push(b); return o; } o.push(b | 0x80); }
};
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// opcodes
const I32 = 0x7f, V128 = 0x7b;
const get = (i: number) => [0x20, i], set = (i: number) => [0x21, i];
const i32c = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a, MUL = 0x6c, GE_U = 0x4f, GT_U = 0x4b;
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const v128load = (offset: number) => simd(0x00, 0, ...uleb(offset));
const v128store = (offset: number) => simd(0x0b, 0, ...uleb(offset));
const f32load = [0x2a, 2, 0];
const SPLAT = 0x13, FADD = 0xe4, FMUL = 0xe6;
const block = (...body: number[][]) => [0x02, 0x40, ...body.flat(), 0x0b];
const loop = (...body: number[][]) => [0x03, 0x40, ...body.flat(), 0x0b];
const brIf = (d: number) => [0x0d, d], br = (d: number) => [0x0c, d];

// locals: params x0 n1 K2 w3 b4 out5 M6 xs7 acc8; i32 r9 xrow10 orow11 mo12 wp13 k14 Mb15 xp16 init17; v128 a18-a21 xv22
const [X, Nn, K, W, B, OUT, M, XS, ACC, R, XROW, OROW, MO, WP, KK, MB, XP, INIT, A0, A1, A2, A3, XV] = Array.from({ length: 23 }, (_, i) => i);

/** Inner k loop for `width` accumulators (4 or 1) at column byte offset mo. */
function kLoop(width: number): number[] {
  const acc = [A0, A1, A2, A3].slice(0, width);
  const init = acc.flatMap((a, i) => [...get(INIT), ...get(MO), ADD, ...v128load(16 * i), ...set(a)]);
  const body = [
    ...get(XP), ...f32load, ...simd(SPLAT), ...set(XV),
    ...acc.flatMap((a, i) => [...get(a), ...get(XV), ...get(WP), ...v128load(16 * i), ...simd(FMUL), ...simd(FADD), ...set(a)]),
    ...get(WP), ...get(MB), ADD, ...set(WP),
    ...get(XP), ...i32c(4), ADD, ...set(XP),
    ...get(KK), ...i32c(1), ADD, ...set(KK),
  ];
  return [
    ...init,
    ...get(W), ...get(MO), ADD, ...set(WP),
    ...get(XROW), ...set(XP),
    ...i32c(0), ...set(KK),
    ...block(loop([...get(KK), ...get(K), GE_U, ...brIf(1)], body, br(0))),
    ...acc.flatMap((a, i) => [...get(OROW), ...get(MO), ADD, ...get(a), ...v128store(16 * i)]),
  ];
}

const f32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, v, true); return [...b]; };
/** f32x4 constant on the stack. */
const vconst = (v: number) => [0xfd, ...uleb(0x0c), ...f32(v), ...f32(v), ...f32(v), ...f32(v)];
const FSUB = 0xe5, FMIN = 0xe8, FMAX = 0xe9, NEAREST = 0x6a, TRUNC_SAT_S = 0xf8, IADD = 0xae, ISHL = 0xab, ISPLAT = 0x11;

/** exp(a, n): locals a0 n1; i32 end2; v128 x3 k4 p5. */
function expBody(): number[] {
  const [A, NN, END, VX, VK, VP] = [0, 1, 2, 3, 4, 5];
  const poly = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
  const horner = [...vconst(poly[0]), ...set(VP), ...poly.slice(1).flatMap((c) => [...get(VP), ...get(VX), ...simd(FMUL), ...vconst(c), ...simd(FADD), ...set(VP)])];
  const body = [
    // x = clamp(a[i]); k = nearest(x log2e); x = x - k ln2_hi - k ln2_lo
    ...get(A), ...v128load(0), ...vconst(-87.3), ...simd(FMAX), ...vconst(88.7), ...simd(FMIN), ...set(VX),
    ...get(VX), ...vconst(Math.LOG2E), ...simd(FMUL), ...simd(NEAREST), ...set(VK),
    ...get(VX), ...get(VK), ...vconst(0.693359375), ...simd(FMUL), ...simd(FSUB),
    ...get(VK), ...vconst(-2.12194440e-4), ...simd(FMUL), ...simd(FSUB), ...set(VX),
    ...horner,
    // a[i] = p * 2^k (exponent bits)
    ...get(A),
    ...get(VP),
    ...get(VK), ...simd(TRUNC_SAT_S), ...i32c(127), ...simd(ISPLAT), ...simd(IADD), ...i32c(23), ...simd(ISHL),
    ...simd(FMUL), ...v128store(0),
    ...get(A), ...i32c(16), ADD, ...set(A),
  ];
  return [
    1, 1, I32, // locals declared by the caller's wrapper below
    ...get(A), ...get(NN), ...i32c(4), MUL, ADD, ...set(END),
    ...block(loop([...get(A), ...get(END), GE_U, ...brIf(1)], body, br(0))),
    0x0b,
  ];
}

/** softmax(a, rows, len, stride): locals a0 rows1 len2 stride3; i32 r4 p5 i6 sb7 lb8; f32 mx9 s10 (code entry with its locals). */
function softmaxBody(): number[] {
  const [A, ROWS, LEN, STRIDE, RR, PP, II, SB, LB, MX, SS] = Array.from({ length: 11 }, (_, i) => i);
  const F32 = 0x7d;
  const f32c = (v: number) => [0x43, ...f32(v)];
  const fload = [0x2a, 2, 0], fstore = [0x38, 2, 0];
  const FMAXS = 0x97, FSUBS = 0x93, FADDS = 0x92, FMULS = 0x94, FDIVS = 0x95;
  const rowLoop = (...body: number[][]) => [
    ...i32c(0), ...set(RR),
    ...block(loop([...get(RR), ...get(ROWS), GE_U, ...brIf(1)],
      [...get(A), ...get(RR), ...get(SB), MUL, ADD, ...set(PP)], ...body,
      [...get(RR), ...i32c(1), ADD, ...set(RR)], br(0))),
  ];
  const over = (from: number[], to: number, body: number[]) => [
    ...from, ...set(II),
    ...block(loop([...get(II), ...get(to), GE_U, ...brIf(1)], body, [...get(II), ...i32c(4), ADD, ...set(II)], br(0))),
  ];
  const at = [...get(PP), ...get(II), ADD];
  return [
    2, 5, I32, 2, F32,
    ...get(STRIDE), ...i32c(4), MUL, ...set(SB),
    ...get(LEN), ...i32c(4), MUL, ...set(LB),
    ...rowLoop(
      [...f32c(-Infinity), ...set(MX)],
      over(i32c(0), LB, [...get(MX), ...at, ...fload, FMAXS, ...set(MX)]),
      over(i32c(0), LB, [...at, ...at, ...fload, ...get(MX), FSUBS, ...fstore]),
    ),
    ...get(A), ...get(ROWS), ...get(STRIDE), MUL, 0x10, 1, // exp(a, rows * stride)
    ...rowLoop(
      [...f32c(0), ...set(SS)],
      over(i32c(0), LB, [...get(SS), ...at, ...fload, FADDS, ...set(SS)]),
      [...f32c(1), ...get(SS), FDIVS, ...set(SS)],
      over(i32c(0), LB, [...at, ...at, ...fload, ...get(SS), FMULS, ...fstore]),
      over(get(LB), SB, [...at, ...f32c(0), ...fstore]),
    ),
    0x0b,
  ];
}

/**
 * adam(p, g, m, v, out, n, b1, b2, c1, c2, omb1, omb2, eps, nlr): one Adam step over n floats (n % 4 === 0), each
 * operation rounded to float32 as tf.train.adam's tensor ops round:
 *   m = m b1 + g c1; v = v b2 + (g g) c2; out = ((m / omb1) / (sqrt(v / omb2) + eps)) nlr + p.
 * Locals: params p0 g1 m2 v3 out4 n5, f32 6-13; i32 i14 end15; v128 splats 16-23, gk24 mk25 vk26.
 */
function adamBody(): number[] {
  const [P, G, Mm, V, O, NN] = [0, 1, 2, 3, 4, 5];
  const II = 14, END = 15, SPL = 16, GK = 24, MK = 25, VK = 26;
  const [VB1, VB2, VC1, VC2, VO1, VO2, VE, VN] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => SPL + k);
  const FDIV = 0xe7, FSQRT = 0xe3;
  const at = (base: number) => [...get(base), ...get(II), ADD];
  const body = [
    ...at(G), ...v128load(0), ...set(GK),
    // m
    ...at(Mm),
    ...at(Mm), ...v128load(0), ...get(VB1), ...simd(FMUL), ...get(GK), ...get(VC1), ...simd(FMUL), ...simd(FADD), [0x22, MK],
    ...v128store(0),
    // v
    ...at(V),
    ...at(V), ...v128load(0), ...get(VB2), ...simd(FMUL), ...get(GK), ...get(GK), ...simd(FMUL), ...get(VC2), ...simd(FMUL), ...simd(FADD), [0x22, VK],
    ...v128store(0),
    // out
    ...at(O),
    ...get(MK), ...get(VO1), ...simd(FDIV),
    ...get(VK), ...get(VO2), ...simd(FDIV), ...simd(FSQRT), ...get(VE), ...simd(FADD),
    ...simd(FDIV), ...get(VN), ...simd(FMUL),
    ...at(P), ...v128load(0), ...simd(FADD),
    ...v128store(0),
    ...get(II), ...i32c(16), ADD, ...set(II),
  ].flat();
  return [
    2, 2, I32, 11, V128,
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [...get(6 + k), ...simd(SPLAT), ...set(SPL + k)]),
    ...get(NN), ...i32c(4), MUL, ...set(END),
    ...i32c(0), ...set(II),
    ...block(loop([...get(II), ...get(END), GE_U, ...brIf(1)], body, br(0))),
    0x0b,
  ];
}

/** finite(a, n, dst): dst[0..3] = sum over the n floats at a (n % 4 === 0) of a * 0, lane-wise: 0 when all are finite, else NaN. Locals: a0 n1 dst2; i32 end3; v128 acc4. */
function finiteBody(): number[] {
  const [A, NN, DST, END, ACC] = [0, 1, 2, 3, 4];
  return [
    2, 1, I32, 1, V128,
    ...vconst(0), ...set(ACC),
    ...get(A), ...get(NN), ...i32c(4), MUL, ADD, ...set(END),
    ...block(loop([...get(A), ...get(END), GE_U, ...brIf(1)],
      [...get(ACC), ...get(A), ...v128load(0), ...vconst(0), ...simd(FMUL), ...simd(FADD), ...set(ACC)],
      [...get(A), ...i32c(16), ADD, ...set(A)], br(0))),
    ...get(DST), ...get(ACC), ...v128store(0),
    0x0b,
  ];
}

/**
 * layerNorm(x, n, E, eps, out, g, b, gb): for each of n rows of E floats (E % 4 === 0, byte offsets, rows E apart),
 * out = (x - mean) / sqrt(var + eps), times g plus b when gb is 1; out may be x.
 * Locals: params x0 n1 E2 eps3(f32) out4 g5 b6 gb7; i32 r8 i9 xr10 or11 eb12; f32 mean13 rstd14; v128 acc15 vm16 vr17 t18.
 */
function layerNormBody(): number[] {
  const [X, NN, EE, EPS, O, G, Bb, GB, R, I, XR, OR, EB, MEAN, RSTD, ACC, VM, VR, T] = Array.from({ length: 19 }, (_, i) => i);
  const F32 = 0x7d;
  const lane = (l: number) => simd(0x1f, l);
  const FADDS = 0x92, FDIVS = 0x95, FSQRTS = 0x91, F32_CONVERT_I32_U = 0xb3;
  const hsum = [...get(ACC), ...lane(0), ...get(ACC), ...lane(1), FADDS, ...get(ACC), ...lane(2), FADDS, ...get(ACC), ...lane(3), FADDS];
  const overRow = (...body: number[][]) => [
    ...i32c(0), ...set(I),
    ...block(loop([...get(I), ...get(EB), GE_U, ...brIf(1)], ...body, [...get(I), ...i32c(16), ADD, ...set(I)], br(0))),
  ];
  const at = (base: number) => [...get(base), ...get(I), ADD];
  const centred = [...at(XR), ...v128load(0), ...get(VM), ...simd(FSUB)];
  const rowBody = [
    ...get(X), ...get(R), ...get(EB), MUL, ADD, ...set(XR),
    ...get(O), ...get(R), ...get(EB), MUL, ADD, ...set(OR),
    ...vconst(0), ...set(ACC),
    ...overRow([...get(ACC), ...at(XR), ...v128load(0), ...simd(FADD), ...set(ACC)]),
    ...hsum, ...get(EE), F32_CONVERT_I32_U, FDIVS, ...set(MEAN),
    ...get(MEAN), ...simd(SPLAT), ...set(VM),
    ...vconst(0), ...set(ACC),
    ...overRow([...centred, ...set(T), ...get(ACC), ...get(T), ...get(T), ...simd(FMUL), ...simd(FADD), ...set(ACC)]),
    ...f32c1(1), ...hsum, ...get(EE), F32_CONVERT_I32_U, FDIVS, ...get(EPS), FADDS, FSQRTS, FDIVS, ...set(RSTD),
    ...get(RSTD), ...simd(SPLAT), ...set(VR),
    ...get(GB), 0x04, 0x40,
    ...overRow([...at(OR), ...centred, ...get(VR), ...simd(FMUL), ...at(G), ...v128load(0), ...simd(FMUL), ...at(Bb), ...v128load(0), ...simd(FADD), ...v128store(0)]),
    0x05,
    ...overRow([...at(OR), ...centred, ...get(VR), ...simd(FMUL), ...v128store(0)]),
    0x0b,
    ...get(R), ...i32c(1), ADD, ...set(R),
  ];
  return [
    3, 5, I32, 2, F32, 4, V128,
    ...get(EE), ...i32c(4), MUL, ...set(EB),
    ...i32c(0), ...set(R),
    ...block(loop([...get(R), ...get(NN), GE_U, ...brIf(1)], rowBody, br(0))),
    0x0b,
  ];
}
const f32c1 = (v: number) => [0x43, ...f32(v)];

/**
 * Column-wise kernels over a row-major [R, C] block (C % 4 === 0, byte offsets): the BatchNorm of the associative
 * attention in training. Each takes its params (R and C at the given indices), then i32 locals r, c, cb (C*4),
 * ro (r*cb), 1/R as f32 and v128 temps.
 */
function columnKernel(params: number, R: number, C: number, body: (L: { R: number; C: number; r: number; c: number; cb: number; ro: number; inv: number; v: (i: number) => number }) => number[][]): number[] {
  const r = params, c = params + 1, cb = params + 2, ro = params + 3, inv = params + 4;
  const v = (i: number) => params + 5 + i;
  const code = body({ R, C, r, c, cb, ro, inv, v }).flat();
  return [
    3, 4, I32, 1, 0x7d, 6, V128,
    ...get(C), ...i32c(4), MUL, ...set(cb),
    ...f32c1(1), ...get(R), 0xb3, 0x95, ...set(inv),
    ...code,
    0x0b,
  ];
}
/** for c over the columns (byte offset in local c): body. */
const overCols = (L: { c: number; cb: number }, ...body: number[][]) => [
  ...i32c(0), ...set(L.c),
  ...block(loop([...get(L.c), ...get(L.cb), GE_U, ...brIf(1)], ...body, [...get(L.c), ...i32c(16), ADD, ...set(L.c)], br(0))),
];
/** for r over the rows (ro = r * cb), for c over the columns: body. */
const overRowsCols = (L: { R: number; r: number; c: number; cb: number; ro: number }, ...body: number[][]) => [
  ...i32c(0), ...set(L.r),
  ...block(loop([...get(L.r), ...get(L.R), GE_U, ...brIf(1)],
    [...get(L.r), ...get(L.cb), MUL, ...set(L.ro)],
    overCols(L, ...body),
    [...get(L.r), ...i32c(1), ADD, ...set(L.r)], br(0))),
];

/** colMoments(x, R, C, mean, var): mean[c] and biased var[c] over the R rows (two passes). */
function colMomentsBody(): number[] {
  const X = 0, MEAN = 3, VAR = 4;
  return columnKernel(5, 1, 2, (L) => {
    const cell = [...get(X), ...get(L.ro), ADD, ...get(L.c), ADD, ...v128load(0)];
    const col = (b: number) => [...get(b), ...get(L.c), ADD];
    const scale = (b: number) => overCols(L, [...col(b), ...col(b), ...v128load(0), ...get(L.inv), ...simd(SPLAT), ...simd(FMUL), ...v128store(0)]);
    return [
      overCols(L, [...col(MEAN), ...vconst(0), ...v128store(0), ...col(VAR), ...vconst(0), ...v128store(0)]),
      overRowsCols(L, [...col(MEAN), ...col(MEAN), ...v128load(0), ...cell, ...simd(FADD), ...v128store(0)]),
      scale(MEAN),
      overRowsCols(L, [...cell, ...col(MEAN), ...v128load(0), ...simd(FSUB), ...set(L.v(0)),
        ...col(VAR), ...col(VAR), ...v128load(0), ...get(L.v(0)), ...get(L.v(0)), ...simd(FMUL), ...simd(FADD), ...v128store(0)]),
      scale(VAR),
    ];
  });
}

/** colAffine(x, R, C, s, t, out): out[r, c] = x[r, c] s[c] + t[c]. */
function colAffineBody(): number[] {
  const X = 0, S = 3, T = 4, O = 5;
  return columnKernel(6, 1, 2, (L) => [
    overRowsCols(L, [...get(O), ...get(L.ro), ADD, ...get(L.c), ADD,
      ...get(X), ...get(L.ro), ADD, ...get(L.c), ADD, ...v128load(0),
      ...get(S), ...get(L.c), ADD, ...v128load(0), ...simd(FMUL),
      ...get(T), ...get(L.c), ADD, ...v128load(0), ...simd(FADD), ...v128store(0)]),
  ]);
}

/**
 * bnBackward(dy, x, R, C, mean, rstd, gam, s1, s2, k1, k2, out): s1 = sum_rows dy, s2 = sum_rows dy xhat
 * (xhat = (x - mean) rstd), k1 = gam s1 / R, k2 = gam s2 / R, out = rstd (dy gam - k1 - xhat k2).
 */
function bnBackwardBody(): number[] {
  const DY = 0, X = 1, MEAN = 4, RSTD = 5, GAM = 6, S1 = 7, S2 = 8, K1 = 9, K2 = 10, O = 11;
  return columnKernel(12, 2, 3, (L) => {
    const col = (b: number) => [...get(b), ...get(L.c), ADD];
    const cell = (b: number) => [...get(b), ...get(L.ro), ADD, ...get(L.c), ADD];
    const XH = L.v(0), G = L.v(1);
    const xhat = [...cell(X), ...v128load(0), ...col(MEAN), ...v128load(0), ...simd(FSUB), ...col(RSTD), ...v128load(0), ...simd(FMUL), ...set(XH)];
    return [
      overCols(L, [...col(S1), ...vconst(0), ...v128store(0), ...col(S2), ...vconst(0), ...v128store(0)]),
      overRowsCols(L, xhat, [...cell(DY), ...v128load(0), ...set(G)],
        [...col(S1), ...col(S1), ...v128load(0), ...get(G), ...simd(FADD), ...v128store(0)],
        [...col(S2), ...col(S2), ...v128load(0), ...get(G), ...get(XH), ...simd(FMUL), ...simd(FADD), ...v128store(0)]),
      overCols(L,
        [...col(K1), ...col(GAM), ...v128load(0), ...col(S1), ...v128load(0), ...simd(FMUL), ...get(L.inv), ...simd(SPLAT), ...simd(FMUL), ...v128store(0)],
        [...col(K2), ...col(GAM), ...v128load(0), ...col(S2), ...v128load(0), ...simd(FMUL), ...get(L.inv), ...simd(SPLAT), ...simd(FMUL), ...v128store(0)]),
      overRowsCols(L, xhat, [...cell(O),
        ...cell(DY), ...v128load(0), ...col(GAM), ...v128load(0), ...simd(FMUL), ...col(K1), ...v128load(0), ...simd(FSUB),
        ...get(XH), ...col(K2), ...v128load(0), ...simd(FMUL), ...simd(FSUB), ...col(RSTD), ...v128load(0), ...simd(FMUL), ...v128store(0)]),
    ];
  });
}

/**
 * layerNormBackward(x, dy, n, E, eps, g, dx, dg, db): the LayerNorm gradient for n rows of E floats (E % 4 === 0,
 * byte offsets): xhat and rstd recomputed from x, g' = dy g, dx = rstd (g' - mean(g') - xhat mean(g' xhat)), and
 * dg += dy xhat, db += dy summed over the rows (the caller zeroes them).
 * Locals: params x0 dy1 n2 E3 eps4(f32) g5 dx6 dg7 db8; i32 r9 i10 eb11 xr12 yr13 or14; f32 mean15 rstd16 m1_17 m2_18;
 * v128 acc19 acc2_20 vm21 vr22 xh23 gx24 dyv25.
 */
function layerNormBackwardBody(): number[] {
  const [X, DY, NN, EE, EPS, G, DX, DG, DB, R, I, EB, XR, YR, OR, MEAN, RSTD, M1, M2, ACC, ACC2, VM, VR, XH, GX, DYV] = Array.from({ length: 26 }, (_, i) => i);
  const F32 = 0x7d;
  const lane = (l: number) => simd(0x1f, l);
  const FADDS = 0x92, FDIVS = 0x95, FSQRTS = 0x91, F32_CONVERT_I32_U = 0xb3;
  const hsum = (v: number) => [...get(v), ...lane(0), ...get(v), ...lane(1), FADDS, ...get(v), ...lane(2), FADDS, ...get(v), ...lane(3), FADDS];
  const over = (...body: number[][]) => [
    ...i32c(0), ...set(I),
    ...block(loop([...get(I), ...get(EB), GE_U, ...brIf(1)], ...body, [...get(I), ...i32c(16), ADD, ...set(I)], br(0))),
  ];
  const at = (base: number) => [...get(base), ...get(I), ADD];
  const xhat = [...at(XR), ...v128load(0), ...get(VM), ...simd(FSUB), ...get(VR), ...simd(FMUL), ...set(XH)];
  const rowBody = [
    ...get(X), ...get(R), ...get(EB), MUL, ADD, ...set(XR),
    ...get(DY), ...get(R), ...get(EB), MUL, ADD, ...set(YR),
    ...get(DX), ...get(R), ...get(EB), MUL, ADD, ...set(OR),
    // mean, rstd
    ...vconst(0), ...set(ACC),
    ...over([...get(ACC), ...at(XR), ...v128load(0), ...simd(FADD), ...set(ACC)]),
    ...hsum(ACC), ...get(EE), F32_CONVERT_I32_U, FDIVS, ...set(MEAN),
    ...get(MEAN), ...simd(SPLAT), ...set(VM),
    ...vconst(0), ...set(ACC),
    ...over([...at(XR), ...v128load(0), ...get(VM), ...simd(FSUB), ...set(XH), ...get(ACC), ...get(XH), ...get(XH), ...simd(FMUL), ...simd(FADD), ...set(ACC)]),
    ...f32c1(1), ...hsum(ACC), ...get(EE), F32_CONVERT_I32_U, FDIVS, ...get(EPS), FADDS, FSQRTS, FDIVS, ...set(RSTD),
    ...get(RSTD), ...simd(SPLAT), ...set(VR),
    // sums of g' and g' xhat; dg, db
    ...vconst(0), ...set(ACC), ...vconst(0), ...set(ACC2),
    ...over(
      xhat,
      [...at(YR), ...v128load(0), ...set(DYV)],
      [...get(DYV), ...at(G), ...v128load(0), ...simd(FMUL), ...set(GX)],
      [...get(ACC), ...get(GX), ...simd(FADD), ...set(ACC)],
      [...get(ACC2), ...get(GX), ...get(XH), ...simd(FMUL), ...simd(FADD), ...set(ACC2)],
      [...at(DG), ...at(DG), ...v128load(0), ...get(DYV), ...get(XH), ...simd(FMUL), ...simd(FADD), ...v128store(0)],
      [...at(DB), ...at(DB), ...v128load(0), ...get(DYV), ...simd(FADD), ...v128store(0)],
    ),
    ...hsum(ACC), ...get(EE), F32_CONVERT_I32_U, FDIVS, ...set(M1),
    ...hsum(ACC2), ...get(EE), F32_CONVERT_I32_U, FDIVS, ...set(M2),
    ...get(M1), ...simd(SPLAT), ...set(ACC),
    ...get(M2), ...simd(SPLAT), ...set(ACC2),
    // dx = rstd (g' - m1 - xhat m2)
    ...over(
      xhat,
      [...at(OR),
        ...at(YR), ...v128load(0), ...at(G), ...v128load(0), ...simd(FMUL), ...get(ACC), ...simd(FSUB),
        ...get(XH), ...get(ACC2), ...simd(FMUL), ...simd(FSUB), ...get(VR), ...simd(FMUL), ...v128store(0)],
    ),
    ...get(R), ...i32c(1), ADD, ...set(R),
  ];
  return [
    3, 6, I32, 4, F32, 7, V128,
    ...get(EE), ...i32c(4), MUL, ...set(EB),
    ...i32c(0), ...set(R),
    ...block(loop([...get(R), ...get(NN), GE_U, ...brIf(1)], rowBody, br(0))),
    0x0b,
  ];
}

/**
 * softmaxBackward(att, g, rows, stride): for each of rows rows (stride floats apart, stride % 4 === 0, byte offsets),
 * g = att (g - sum(att g)) in place: the gradient of the logits from the gradient g of softmax output att (padding
 * columns of att must be 0). Locals: a0 g1 rows2 stride3; i32 r4 i5 sb6 ar7 gr8; f32 s9; v128 acc10 vs11.
 */
function softmaxBackwardBody(): number[] {
  const [A, G, ROWS, STRIDE, R, I, SB, AR, GR, S, ACC, VS] = Array.from({ length: 12 }, (_, i) => i);
  const F32 = 0x7d, FADDS = 0x92;
  const lane = (l: number) => simd(0x1f, l);
  const over = (...body: number[][]) => [
    ...i32c(0), ...set(I),
    ...block(loop([...get(I), ...get(SB), GE_U, ...brIf(1)], ...body, [...get(I), ...i32c(16), ADD, ...set(I)], br(0))),
  ];
  const at = (base: number) => [...get(base), ...get(I), ADD];
  const rowBody = [
    ...get(A), ...get(R), ...get(SB), MUL, ADD, ...set(AR),
    ...get(G), ...get(R), ...get(SB), MUL, ADD, ...set(GR),
    ...vconst(0), ...set(ACC),
    ...over([...get(ACC), ...at(AR), ...v128load(0), ...at(GR), ...v128load(0), ...simd(FMUL), ...simd(FADD), ...set(ACC)]),
    ...get(ACC), ...lane(0), ...get(ACC), ...lane(1), FADDS, ...get(ACC), ...lane(2), FADDS, ...get(ACC), ...lane(3), FADDS, ...set(S),
    ...get(S), ...simd(SPLAT), ...set(VS),
    ...over([...at(GR), ...at(AR), ...v128load(0), ...at(GR), ...v128load(0), ...get(VS), ...simd(FSUB), ...simd(FMUL), ...v128store(0)]),
    ...get(R), ...i32c(1), ADD, ...set(R),
  ];
  return [
    3, 5, I32, 1, F32, 2, V128,
    ...get(STRIDE), ...i32c(4), MUL, ...set(SB),
    ...i32c(0), ...set(R),
    ...block(loop([...get(R), ...get(ROWS), GE_U, ...brIf(1)], rowBody, br(0))),
    0x0b,
  ];
}

/** gelu(a, n, s): a = a / (1 + exp(-1.702 a)) in place over n floats (n % 4 === 0), s n floats of scratch. Locals: a0 n1 s2; i32 i3 end4. */
function geluBody(): number[] {
  const [A, NN, S, I, END] = [0, 1, 2, 3, 4];
  const FDIV = 0xe7;
  const over = (...body: number[][]) => [
    ...i32c(0), ...set(I),
    ...block(loop([...get(I), ...get(END), GE_U, ...brIf(1)], ...body, [...get(I), ...i32c(16), ADD, ...set(I)], br(0))),
  ];
  return [
    1, 2, I32,
    ...get(NN), ...i32c(4), MUL, ...set(END),
    ...over([...get(S), ...get(I), ADD, ...get(A), ...get(I), ADD, ...v128load(0), ...vconst(-1.702), ...simd(FMUL), ...v128store(0)]),
    ...get(S), ...get(NN), 0x10, 1, // exp(s, n)
    ...over([...get(A), ...get(I), ADD, ...get(A), ...get(I), ADD, ...v128load(0), ...vconst(1), ...get(S), ...get(I), ADD, ...v128load(0), ...simd(FADD), ...simd(FDIV), ...v128store(0)]),
    0x0b,
  ];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const colLoop = (width: number) => block(loop(
    // while mo + 16*width <= Mb
    [...get(MO), ...i32c(16 * width), ADD, ...get(MB), GT_U, ...brIf(1)],
    kLoop(width),
    [...get(MO), ...i32c(16 * width), ADD, ...set(MO)],
    br(0),
  ));
  const rowBody = [
    ...get(X), ...get(R), ...get(XS), MUL, ADD, ...set(XROW),
    ...get(OUT), ...get(R), ...get(MB), MUL, ADD, ...set(OROW),
    ...get(OROW), ...get(B), ...get(ACC), 0x1b, ...set(INIT),
    ...i32c(0), ...set(MO),
    ...colLoop(4),
    ...colLoop(1),
    ...get(R), ...i32c(1), ADD, ...set(R),
  ];
  const body = [
    ...get(M), ...i32c(4), MUL, ...set(MB),
    ...i32c(0), ...set(R),
    ...block(loop([...get(R), ...get(Nn), GE_U, ...brIf(1)], rowBody, br(0))),
    0x0b,
  ];
  const locals = [2, ...uleb(9), I32, ...uleb(5), V128];
  const code = [...locals, ...body];
  const eb = expBody();
  const expCode = [2, 1, I32, 3, V128, ...eb.slice(3)];
  const smCode = softmaxBody();
  const adamCode = adamBody();
  const finiteCode = finiteBody();
  const lnCode = layerNormBody();
  const geluCode = geluBody();
  const sbCode = softmaxBackwardBody();
  const lnbCode = layerNormBackwardBody();
  const cmCode = colMomentsBody(), caCode = colAffineBody(), bbCode = bnBackwardBody();
  const F32 = 0x7d;
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [10, 0x60, 9, I32, I32, I32, I32, I32, I32, I32, I32, I32, 0, 0x60, 2, I32, I32, 0, 0x60, 4, I32, I32, I32, I32, 0,
      0x60, 14, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, 0, 0x60, 3, I32, I32, I32, 0,
      0x60, 8, I32, I32, I32, F32, I32, I32, I32, I32, 0,
      0x60, 9, I32, I32, I32, I32, F32, I32, I32, I32, I32, 0,
      0x60, 5, I32, I32, I32, I32, I32, 0, 0x60, 6, I32, I32, I32, I32, I32, I32, 0,
      0x60, 12, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 0x01]),
    ...section(3, [12, 0, 1, 2, 3, 4, 5, 4, 2, 6, 7, 8, 9]),
    ...section(7, [12, ...str('gemm'), 0x00, 0, ...str('exp'), 0x00, 1, ...str('softmax'), 0x00, 2, ...str('adam'), 0x00, 3, ...str('finite'), 0x00, 4, ...str('layerNorm'), 0x00, 5, ...str('gelu'), 0x00, 6, ...str('softmaxBackward'), 0x00, 7, ...str('layerNormBackward'), 0x00, 8, ...str('colMoments'), 0x00, 9, ...str('colAffine'), 0x00, 10, ...str('bnBackward'), 0x00, 11]),
    ...section(10, [12, ...uleb(code.length), ...code, ...uleb(expCode.length), ...expCode, ...uleb(smCode.length), ...smCode, ...uleb(adamCode.length), ...adamCode, ...uleb(finiteCode.length), ...finiteCode, ...uleb(lnCode.length), ...lnCode, ...uleb(geluCode.length), ...geluCode, ...uleb(sbCode.length), ...sbCode, ...uleb(lnbCode.length), ...lnbCode, ...uleb(cmCode.length), ...cmCode, ...uleb(caCode.length), ...caCode, ...uleb(bbCode.length), ...bbCode]),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;

/** Turn the kernel off (createGemm returns null) or on again: for tests of the scalar fallbacks. */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

/** Whether createGemm may return a kernel. */
export function simdEnabled(): boolean {
  return enabled;
}

/** A kernel with its own memory of at least `bytes` bytes, or null without WebAssembly SIMD. */
export function createGemm(bytes: number): Gemm | null {
  if (!enabled) return null;
  if (compiled === undefined) {
    try {
      const b = moduleBytes();
      compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(b) ? new WebAssembly.Module(b) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const inst = new WebAssembly.Instance(compiled, { env: { mem: memory } });
  const raw = inst.exports.gemm as (...a: number[]) => void;
  return {
    memory,
    gemm: (x, n, K, w, b, out, M, xs = K * 4, acc = 0) => raw(x, n, K, w, b, out, M, xs, acc),
    exp: inst.exports.exp as Gemm['exp'],
    softmax: inst.exports.softmax as Gemm['softmax'],
    adam: inst.exports.adam as Gemm['adam'],
    finite: inst.exports.finite as Gemm['finite'],
    layerNorm: inst.exports.layerNorm as Gemm['layerNorm'],
    gelu: inst.exports.gelu as Gemm['gelu'],
    softmaxBackward: inst.exports.softmaxBackward as Gemm['softmaxBackward'],
    layerNormBackward: inst.exports.layerNormBackward as Gemm['layerNormBackward'],
    colMoments: inst.exports.colMoments as Gemm['colMoments'],
    colAffine: inst.exports.colAffine as Gemm['colAffine'],
    bnBackward: inst.exports.bnBackward as Gemm['bnBackward'],
  };
}

/** The wasm backend's view of a tensor's data in its own memory (no copy; valid until that memory grows). */
interface HeapBackend { typedArrayFromHeap(t: { dataId: unknown; shape: number[]; dtype: string }): Float32Array }

/** Mean and 1 / sqrt(variance + eps) of a[o .. o + n): the row statistics of the plain-loop LayerNorm paths. */
export function rowMeanRstd(a: Float32Array, o: number, n: number, eps: number): [number, number] {
  let mean = 0;
  for (let c = 0; c < n; c++) mean += a[o + c];
  mean /= n;
  let v = 0;
  for (let c = 0; c < n; c++) { const d = a[o + c] - mean; v += d * d; }
  return [mean, 1 / Math.sqrt(v / n + eps)];
}

/**
 * A growable float32 work area with the kernel on it (plain loops on a plain array without WebAssembly SIMD):
 * offsets and strides are in floats.
 */
export class GemmHeap {
  private g: Gemm | null = null;
  f = new Float32Array(0);

  /** Copy a float32 tensor's values to f[at..] (straight from the wasm backend's memory, without dataSync's copy). */
  load(t: tf.Tensor, at: number): void {
    const be = tf.backend() as unknown as Partial<HeapBackend>;
    const src = tf.getBackend() === 'wasm' && be.typedArrayFromHeap && t.dtype === 'float32' ? be.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
    this.f.set(src, at);
  }

  /** A tensor of f[at..at+size) (the wasm backend copies a view into its memory; others get their own copy). */
  tensor(at: number, shape: number[]): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = tf.getBackend() === 'wasm' ? this.f.subarray(at, at + n) : this.f.slice(at, at + n);
    return tf.tensor(v, shape, 'float32');
  }

  /** Make room for `floats` entries (contents are not kept when it grows). */
  ensure(floats: number): Float32Array {
    const simd = enabled;
    if (this.f.length < floats || !!this.g !== simd) {
      const n = Math.ceil((floats + 1024) * 1.25);
      this.g = simd ? createGemm(n * 4) : null;
      this.f = this.g ? new Float32Array(this.g.memory.buffer) : new Float32Array(n);
    }
    return this.f;
  }

  /** out[r, :] = (acc ? out[r, :] : f[b..b+M]) + sum_k x[r*xs + k] W[k, :] (W rows M apart). */
  gemm(x: number, n: number, K: number, w: number, b: number, out: number, M: number, xs = K, acc = false): void {
    if (this.g && M % 4 === 0) {
      this.g.gemm(x * 4, n, K, w * 4, b * 4, out * 4, M, xs * 4, acc ? 1 : 0);
      return;
    }
    const f = this.f;
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

  /**
   * Multi-head attention output: for every sample b and head h, att[b, h] [n, K] (at `att`, head-major) times
   * values[b, h] [K, d] (at `values`), written to channels h*d.. of out [B, n, H*d]; `zeros` is d zero floats (the
   * bias row) and `scratch` holds n*d floats.
   */
  headProducts(att: number, values: number, zeros: number, scratch: number, out: number, B: number, H: number, n: number, K: number, d: number): void {
    const f = this.f, E = H * d;
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const bh = b * H + h;
        this.gemm(att + bh * n * K, n, K, values + bh * K * d, zeros, scratch, d);
        for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) f[out + (b * n + i) * E + h * d + c] = f[scratch + i * d + c];
      }
    }
  }

  /** Softmax over the first `len` of each of `rows` rows `stride` apart from offset o; the rest of each row set to 0. */
  softmax(o: number, rows: number, len: number, stride: number): void {
    if (this.g && (rows * stride) % 4 === 0) {
      this.g.softmax(o * 4, rows, len, stride);
      return;
    }
    softmaxRows(this.f, o, rows, len, stride, (a, n) => this.exp(a, n));
  }

  /** LayerNorm of n rows of E floats from offset x to offset out (may be x); times f[g..], plus f[b..] when g >= 0. */
  layerNorm(x: number, n: number, E: number, eps: number, out: number, g = -1, b = -1): void {
    if (this.g && E % 4 === 0) {
      this.g.layerNorm(x * 4, n, E, eps, out * 4, g >= 0 ? g * 4 : 0, b >= 0 ? b * 4 : 0, g >= 0 ? 1 : 0);
      return;
    }
    const f = this.f;
    for (let r = 0; r < n; r++) {
      const o = x + r * E, t = out + r * E;
      const [mean, rstd] = rowMeanRstd(f, o, E, eps);
      for (let c = 0; c < E; c++) f[t + c] = g >= 0 ? (f[o + c] - mean) * rstd * f[g + c] + f[b + c] : (f[o + c] - mean) * rstd;
    }
  }

  /** The kernel (null without WebAssembly SIMD); offsets given to it are in bytes. */
  get kernel(): Gemm | null {
    return this.g;
  }

  /** Softmax gradient in place: f[g row] = f[att row] (f[g row] - sum(att g)) for rows `stride` apart (att 0 in any padding). */
  softmaxBackward(att: number, g: number, rows: number, stride: number): void {
    if (this.g && stride % 4 === 0) {
      this.g.softmaxBackward(att * 4, g * 4, rows, stride);
      return;
    }
    const f = this.f;
    for (let r = 0; r < rows; r++) {
      const ao = att + r * stride, go = g + r * stride;
      let s = 0;
      for (let j = 0; j < stride; j++) s += f[ao + j] * f[go + j];
      for (let j = 0; j < stride; j++) f[go + j] = f[ao + j] * (f[go + j] - s);
    }
  }

  /** f[a..a+n) = exp(f[a..a+n)). */
  exp(a: number, n: number): void {
    let k = 0;
    if (this.g) { k = n & ~3; this.g.exp(a * 4, k); }
    const f = this.f;
    for (; k < n; k++) f[a + k] = Math.exp(f[a + k]);
  }
}

/** Softmax rows in plain loops (exp given). */
export function softmaxRows(f: Float32Array, o: number, rows: number, len: number, stride: number, exp: (a: number, n: number) => void): void {
  for (let r = 0; r < rows; r++) {
    const ro = o + r * stride;
    let mx = -Infinity;
    for (let i = 0; i < len; i++) if (f[ro + i] > mx) mx = f[ro + i];
    for (let i = 0; i < len; i++) f[ro + i] -= mx;
  }
  exp(o, rows * stride);
  for (let r = 0; r < rows; r++) {
    const ro = o + r * stride;
    let s = 0;
    for (let i = 0; i < len; i++) s += f[ro + i];
    const inv = 1 / s;
    for (let i = 0; i < len; i++) f[ro + i] *= inv;
    for (let i = len; i < stride; i++) f[ro + i] = 0;
  }
}
