/**
 * The optimised forms compute the reference function (test/skeleton/reference-model.ts) on the same weights:
 * Diffuser.denoise (shared and per-sample conditions, inference and training), one training step's loss and
 * gradients, the sampler's small-batch and tensor paths (official and DDIM, pins, extra condition tokens), and the
 * SIMD kernel against plain loops.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { Diffuser, type ConditionInputs } from '../../src/skeleton/diffuser.ts';
import { conditionInputs } from '../../src/skeleton/evaluate.ts';
import { runSampler, type SampleOptions } from '../../src/skeleton/sampler.ts';
import { hoiLoss, makeBatch, type SampleSource } from '../../src/skeleton/train.ts';
import { cosineAlphaBar } from '../../src/skeleton/schedule.ts';
import { createGemm, setSimdEnabled } from '../../src/tensor/simd-gemm.ts';
import { prepareCondition, smallBatchDenoiser, type ConditionRow } from '../../src/skeleton/small-batch.ts';
import { withPins } from '../../src/skeleton/diffuser.ts';
import { mulberry32 } from '../../src/random.ts';
import type { AttentionKind, ModelConfig } from '../../src/skeleton/types.ts';
import { referenceDenoise } from './reference-model.ts';
import { feats, randomModel, small } from './fixtures.ts';

await initBackend('wasm');

const TOL = 1e-5;


const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i])); return d; };

const extraFor = (c: ModelConfig, n: number, seed: number) => {
  const r = mulberry32(seed);
  return c.extraTokens ? Float32Array.from({ length: n * c.extraTokens * c.embedDim }, () => r() - 0.5) : undefined;
};

const configs: Array<{ name: string; c: ModelConfig }> = [
  ...(['associative', 'plain', 'none'] as AttentionKind[]).map((k) => ({ name: k, c: small(k, { personPosition: true }) })),
  { name: 'associative, h2h extra tokens', c: small('associative', { extraTokens: 3 }) },
  { name: 'associative, 8 heads of 4', c: small('associative', { embedDim: 32, heads: 8, depth: 2 }) },
];

describe('Diffuser.denoise equals the reference formulation', () => {
  for (const { name, c } of configs) {
    for (const training of [false, true]) {
      it(`${name}, ${training ? 'training (batch statistics)' : 'inference'}: shared and per-sample conditions`, () => {
        const m = randomModel(c, 3);
        const f = feats(1, 3, c).map((x) => ({ ...x, personBox: [0.3, 0.2, 0.7, 0.8] as [number, number, number, number] }));
        const x = tf.randomNormal([3, 17, 2], 0, 1, 'float32', 2);
        const temb = m.timeEmbedding([100, 5, 700]);
        for (const inp of [conditionInputs(m, f.slice(0, 1), extraFor(c, 1, 4)), conditionInputs(m, f, extraFor(c, 3, 4))]) {
          const shared = inp.global.shape[0] === 1;
          const got = m.denoise(x, m.condition(inp, shared), temb, training);
          const ref = referenceDenoise(m, x, inp, temb, training);
          expect(maxDiff(got.x0.dataSync(), ref.x0.dataSync())).toBeLessThan(TOL);
          if (training && c.attention === 'associative') {
            expect(maxDiff(got.bn!.mean.dataSync(), ref.bn!.mean.dataSync())).toBeLessThan(TOL);
            expect(maxDiff(got.bn!.variance.dataSync(), ref.bn!.variance.dataSync())).toBeLessThan(TOL);
          }
        }
        m.dispose();
      });
    }
  }
});

describe('one training step equals the reference formulation', () => {
  for (const { name, c } of configs.filter((x) => x.c.attention !== 'none')) {
    it(`${name}: loss and every gradient`, () => {
      const m = randomModel(c, 5);
      const r = mulberry32(6);
      const data = feats(7, 6, c).map((f, i) => ({
        ...f, personBox: [0.3, 0.2, 0.7, 0.8] as [number, number, number, number],
        joints: Float32Array.from({ length: 34 }, () => r() - 0.5), mask: new Float32Array(17).fill(i % 3 ? 1 : 0),
        ...(c.extraTokens ? { extra: extraFor(c, 1, 10 + i) } : {}),
      }));
      const source: SampleSource = { size: data.length, example: (i) => data[i] };
      const batch = makeBatch(m, source, [0, 1, 2, 3, 4, 5], mulberry32(8), { flip: false, jparam: 'code' }, cosineAlphaBar(c.timesteps));
      const vars = [...m.params.vars.values()];
      const got = tf.variableGrads(() => hoiLoss(m, batch as Parameters<typeof hoiLoss>[1], 1, true).total, vars);
      const ref = tf.variableGrads(() => {
        const o = referenceDenoise(m, batch.xt, batch.inputs, m.timeEmbedding(batch.t), true);
        return tf.add(tf.mean(tf.mul(tf.abs(tf.sub(batch.x0, o.x0)), batch.weights)), tf.mean(tf.abs(tf.sub(o.conf, batch.mask)))) as tf.Scalar;
      }, vars);
      expect(Math.abs(got.value.dataSync()[0] - ref.value.dataSync()[0])).toBeLessThan(TOL);
      for (const k of Object.keys(ref.grads)) {
        const scale = Math.max(1e-3, tf.max(tf.abs(ref.grads[k])).dataSync()[0]);
        expect(maxDiff(got.grads[k].dataSync(), ref.grads[k].dataSync()) / scale, k).toBeLessThan(1e-3);
      }
      m.dispose();
    });
  }
});

describe('the sampler: small-batch path = tensor path = reference', () => {
  /** The model with denoise replaced by the reference formulation on the given inputs. */
  const referenceModel = (m: Diffuser, inputs: ConditionInputs): Diffuser => Object.assign(Object.create(m) as Diffuser, {
    denoise: (xt: tf.Tensor, _cond: unknown, temb: tf.Tensor, training = false) => ({ x0: referenceDenoise(m, xt, inputs, temb, training).x0 }),
  });
  const cases: Array<{ name: string; c: ModelConfig; conditions: 1 | 'per-sample'; o: Omit<SampleOptions, 'path'> }> = [
    { name: 'official', c: small('associative', { personPosition: true }), conditions: 1, o: { samples: 3, seed: 1 } },
    { name: 'official with pins', c: small('associative', { personPosition: true }), conditions: 1, o: { samples: 2, seed: 2, pins: [{ joint: 9, u: 0.4, v: 0.6 }, { joint: 0, u: 0.5, v: 0.1 }] } },
    { name: 'ddim eta 0', c: small('associative'), conditions: 1, o: { samples: 2, seed: 3, sampler: { kind: 'ddim', iterations: 6 } } },
    { name: 'ddim eta 1 with pins', c: small('associative'), conditions: 1, o: { samples: 3, seed: 4, sampler: { kind: 'ddim', iterations: 6, eta: 1 }, pins: [{ joint: 10, u: -0.2, v: 0.3 }] } },
    { name: 'h2h extra tokens, per-sample conditions', c: small('associative', { extraTokens: 3 }), conditions: 'per-sample', o: { samples: 4, seed: 5 } },
    { name: 'h2h extra tokens, ddim with pins', c: small('associative', { extraTokens: 3 }), conditions: 1, o: { samples: 2, seed: 6, sampler: { kind: 'ddim', iterations: 5, eta: 1 }, pins: [{ joint: 9, u: 0.4, v: 0.6 }] } },
    { name: '8 heads of 4', c: small('associative', { embedDim: 32, heads: 8 }), conditions: 1, o: { samples: 2, seed: 7 } },
  ];
  for (const k of cases) {
    it(k.name, () => {
      const m = randomModel(k.c, 11);
      const n = k.conditions === 1 ? 1 : k.o.samples;
      // per-sample: two distinct conditions alternating (as generate's mirror samples)
      const fs = feats(12, 2, k.c).map((f) => ({ ...f, personBox: [0.3, 0.2, 0.7, 0.8] as [number, number, number, number] }));
      const ex = extraFor(k.c, 2, 13);
      const T = k.c.extraTokens * k.c.embedDim;
      const rows = Array.from({ length: n }, (_, i) => i % 2);
      const extra = ex ? Float32Array.from(rows.flatMap((i) => Array.from(ex.subarray(i * T, (i + 1) * T)))) : undefined;
      const inputs = conditionInputs(m, rows.map((i) => fs[i]), extra);
      const fast = runSampler(m, inputs, { ...k.o, path: 'small' });
      const tensor = runSampler(m, inputs, { ...k.o, path: 'tensor' });
      const ref = runSampler(referenceModel(m, inputs), inputs, { ...k.o, path: 'tensor' });
      expect(maxDiff(fast.joints, ref.joints)).toBeLessThan(TOL);
      expect(maxDiff(tensor.joints, ref.joints)).toBeLessThan(TOL);
      expect(fast.confidence).toHaveLength(tensor.confidence.length);
      expect(maxDiff(fast.confidence, tensor.confidence)).toBeLessThan(1e-6); // float32 rounding of the same sigmoid
      for (const p of k.o.pins ?? []) {
        for (let s = 0; s < k.o.samples; s++) expect([fast.joints[s * 34 + 2 * p.joint], fast.joints[s * 34 + 2 * p.joint + 1]]).toEqual([Math.fround(p.u), Math.fround(p.v)]);
      }
      // without the SIMD kernel the small-batch path falls back to plain loops, same function
      setSimdEnabled(false);
      try {
        expect(maxDiff(runSampler(m, inputs, { ...k.o, path: 'small' }).joints, ref.joints)).toBeLessThan(TOL);
      } finally {
        setSimdEnabled(true);
      }
      m.dispose();
    });
  }
  it.each([
    ['person box, pins, category and action', small('associative', { personPosition: true, pinInput: true })],
    ['extra tokens', small('associative', { extraTokens: 3 })],
    ['8 heads of 4', small('associative', { embedDim: 32, heads: 8 })],
  ])('the typed-array condition equals Diffuser.condition + prepareCondition: %s', (_, c) => {
    const m = randomModel(c, 31);
    for (const simd of [true, false]) {
      setSimdEnabled(simd);
      try {
        let inputs = conditionInputs(m, feats(32, 1, c).map((f) => ({ ...f, personBox: [0.3, 0.2, 0.7, 0.8] as [number, number, number, number] })), extraFor(c, 1, 33));
        if (c.pinInput) inputs = withPins(inputs, [{ joint: 9, u: 0.4, v: 0.6 }]);
        const row = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, (t as tf.Tensor).dataSync()])) as unknown as ConditionRow;
        const fast = smallBatchDenoiser(m).prepare(row);
        const cond = m.condition(inputs, true);
        const ref = prepareCondition(m, cond);
        for (const k of ['base', 'Mq', 'cq', 'V'] as const) {
          expect(fast.cond[k]).toHaveLength(ref[k].length);
          const scale = Math.max(1, ...Array.from(ref[k], Math.abs));
          expect(maxDiff(fast.cond[k], ref[k]) / scale).toBeLessThan(1e-5);
        }
        expect(maxDiff(fast.conf, cond.conf.dataSync())).toBeLessThan(1e-6);
        tf.dispose([cond.icond, cond.conf, ...Object.values(cond.keys).filter((t): t is tf.Tensor => t instanceof tf.Tensor), ...Object.values(inputs)]);
      } finally {
        setSimdEnabled(true);
      }
    }
    expect(() => smallBatchDenoiser(m).prepare({ global: new Float32Array(3), roi: new Float32Array(0), geom: new Float32Array(0) })).toThrow(/global must have 8 values, got 3/);
    m.dispose();
  });
  it('the small-batch path follows weight updates (assign) and needs the associative attention', () => {
    const c = small('associative');
    const m = randomModel(c, 21);
    const inputs = conditionInputs(m, feats(22, 1, c));
    const a = runSampler(m, inputs, { samples: 1, seed: 1, path: 'small' }).joints;
    const w = m.params.get('head.fc.b');
    w.assign(tf.add(w, 0.25));
    const b = runSampler(m, inputs, { samples: 1, seed: 1, path: 'small' }).joints;
    expect(maxDiff(b, runSampler(m, inputs, { samples: 1, seed: 1, path: 'tensor' }).joints)).toBeLessThan(TOL);
    expect(maxDiff(a, b)).toBeGreaterThan(0.01);
    m.dispose();
    const p = new Diffuser(small('plain'), 1);
    expect(() => runSampler(p, conditionInputs(p, feats(1, 1, p.config)), { samples: 1, seed: 1, path: 'small' })).toThrow(/associative/);
    p.dispose();
  });
});

describe('the SIMD kernel', () => {
  const g = createGemm(1 << 20);
  it('is available here (Node has WebAssembly SIMD)', () => { expect(g).not.toBeNull(); });
  it.each([[1, 4, 4], [17, 32, 96], [17, 32, 20], [3, 7, 36], [17, 536, 4], [5, 1, 64]])('gemm n=%i K=%i M=%i equals plain loops', (n, K, M) => {
    const f = new Float32Array(g!.memory.buffer);
    const r = mulberry32(n * 1000 + K * 10 + M);
    const x = 0, w = n * K, b = w + K * M, out = b + M;
    for (let i = 0; i < out; i++) f[i] = r() - 0.5;
    g!.gemm(x * 4, n, K, w * 4, b * 4, out * 4, M);
    let d = 0;
    for (let i = 0; i < n; i++) for (let m = 0; m < M; m++) {
      let s = f[b + m];
      for (let k = 0; k < K; k++) s += f[x + i * K + k] * f[w + k * M + m];
      d = Math.max(d, Math.abs(s - f[out + i * M + m]));
    }
    expect(d).toBeLessThan(1e-5);
  });
  it('softmax over strided rows matches plain loops and zeroes the padding', () => {
    const rows = 12, len = 17, stride = 20;
    const f = new Float32Array(g!.memory.buffer, 0, rows * stride);
    const r = mulberry32(3);
    const src = Float32Array.from({ length: rows * stride }, () => (r() - 0.5) * 20);
    f.set(src);
    g!.softmax(0, rows, len, stride);
    for (let i = 0; i < rows; i++) {
      const row = Array.from(src.subarray(i * stride, i * stride + len));
      const mx = Math.max(...row);
      const e = row.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < len; j++) expect(Math.abs(f[i * stride + j] - e[j] / s)).toBeLessThan(1e-6);
      for (let j = len; j < stride; j++) expect(f[i * stride + j]).toBe(0);
    }
  });
  it('exp matches Math.exp to float32 precision over the softmax and GELU range', () => {
    const f = new Float32Array(g!.memory.buffer, 0, 4096);
    const src = Float32Array.from({ length: 4096 }, (_, i) => -80 + (i / 4096) * 160);
    f.set(src);
    g!.exp(0, 4096);
    for (let i = 0; i < 4096; i++) {
      const e = Math.exp(src[i]);
      if (e < 3e38) expect(Math.abs(f[i] - e) / e).toBeLessThan(5e-7);
    }
  });
  it('layerNorm matches a float64 LayerNorm (with and without gamma/beta, in place)', () => {
    const E = 32, n = 5;
    const f = new Float32Array(g!.memory.buffer, 0, 4096);
    const r = mulberry32(5);
    const x = Float32Array.from({ length: n * E }, () => r() * 4 - 1);
    const gam = Float32Array.from({ length: E }, () => r() + 0.5), bet = Float32Array.from({ length: E }, () => r() - 0.5);
    f.set(x, 0); f.set(gam, 1024); f.set(bet, 1536);
    g!.layerNorm(0, n, E, 1e-5, 512 * 4, 0, 0, 0);
    g!.layerNorm(0, n, E, 1e-6, 0, 1024 * 4, 1536 * 4, 1); // in place
    for (let row = 0; row < n; row++) {
      const v = Array.from(x.subarray(row * E, (row + 1) * E));
      const mean = v.reduce((a, b) => a + b, 0) / E;
      const vr = v.reduce((a, b) => a + (b - mean) ** 2, 0) / E;
      for (let c = 0; c < E; c++) {
        expect(Math.abs(f[512 + row * E + c] - (v[c] - mean) / Math.sqrt(vr + 1e-5))).toBeLessThan(2e-6);
        expect(Math.abs(f[row * E + c] - ((v[c] - mean) / Math.sqrt(vr + 1e-6) * gam[c] + bet[c]))).toBeLessThan(4e-6);
      }
    }
  });
  it('gelu matches x sigmoid(1.702 x)', () => {
    const f = new Float32Array(g!.memory.buffer, 0, 4096);
    const src = Float32Array.from({ length: 1024 }, (_, i) => -12 + (i / 1024) * 24);
    f.set(src);
    g!.gelu(0, 1024, 2048 * 4);
    for (let i = 0; i < 1024; i++) expect(Math.abs(f[i] - src[i] / (1 + Math.exp(-1.702 * src[i])))).toBeLessThan(2e-6);
  });
});
