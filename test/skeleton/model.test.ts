import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { Diffuser, GEOM_DIM } from '../../src/skeleton/diffuser.ts';
import { conditionInputs } from '../../src/skeleton/evaluate.ts';
import { runSampler, sampleSkeletons, rankSamples, validateSamplerConfig } from '../../src/skeleton/sampler.ts';
import { deserializeModel, parseModelMeta, serializeModel } from '../../src/skeleton/model-io.ts';
import { feats, small } from './fixtures.ts';
import { FormatError, UsageError } from '../../src/errors.ts';

const EPS = 1e-4;

await initBackend('wasm');

describe('Diffuser', () => {
  for (const kind of ['associative', 'plain', 'none'] as const) {
    it(`${kind}: x0 has shape [B,17,2] and the shared-condition path equals the per-sample path`, () => {
      const c = small(kind);
      const m = new Diffuser(c, 3);
      // make W and BN non-trivial so the associative path is really exercised
      if (kind === 'associative') {
        m.params.get('oa.W').assign(tf.randomNormal(m.params.get('oa.W').shape, 0, 0.3, 'float32', 1));
        m.params.get('oa.bn.var').assign(tf.fill(m.params.get('oa.bn.var').shape, 2));
      }
      const f = feats(1, 1, c);
      const x = tf.randomNormal([3, 17, 2], 0, 1, 'float32', 2);
      const one = conditionInputs(m, f);
      const three = conditionInputs(m, [f[0], f[0], f[0]]);
      const temb = m.timeEmbedding([100]);
      const shared = m.denoise(x, m.condition(one, true), temb).x0;
      const perSample = m.denoise(x, m.condition(three, false), temb).x0;
      expect(shared.shape).toEqual([3, 17, 2]);
      const diff = tf.max(tf.abs(tf.sub(shared, perSample))).dataSync()[0];
      expect(diff).toBeLessThan(EPS);
      m.dispose();
    });
  }
  it('accepts extra condition tokens (human-to-human) and rejects their absence', () => {
    const c = small('associative', { extraTokens: 3 });
    const m = new Diffuser(c, 1);
    expect(m.params.get('oa.W').shape).toEqual([4 * (4 + 3), 4 * (4 + 3)]);
    const inp = conditionInputs(m, feats(2, 2, c), new Float32Array(2 * 3 * 16).fill(0.1));
    expect(m.denoise(tf.zeros([2, 17, 2]), m.condition(inp), m.timeEmbedding([5, 6])).x0.shape).toEqual([2, 17, 2]);
    const noExtra = conditionInputs(m, feats(2, 2, c));
    expect(() => m.condition(noExtra)).toThrow(/extra tokens/);
    m.dispose();
  });
});

describe('person-box condition', () => {
  it('changes the prediction with the person box and is required when configured', () => {
    const c = small('associative', { personPosition: true });
    const m = new Diffuser(c, 4);
    m.params.get('pbox.w').assign(tf.randomNormal(m.params.get('pbox.w').shape, 0, 0.5, 'float32', 5));
    const f = feats(6, 1, c)[0];
    const x = tf.randomNormal([1, 17, 2], 0, 1, 'float32', 7);
    const temb = m.timeEmbedding([100]);
    const y = (pb: [number, number, number, number]) => m.denoise(x, m.condition(conditionInputs(m, [{ ...f, personBox: pb }])), temb).x0.dataSync();
    const a = y([0.3, 0.2, 0.7, 0.8]), b = y([0.35, 0.2, 0.65, 0.8]);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(() => conditionInputs(m, [f])).toThrow(/personBox/);
    m.dispose();
  });
});

describe('sampler', () => {
  const c = small('associative');
  it('is deterministic for a seed, differs across seeds, ranks, and imposes pins exactly', () => {
    const m = new Diffuser(c, 5);
    const inp = conditionInputs(m, feats(3, 1, c));
    const a = sampleSkeletons(m, inp, { samples: 4, seed: 7, pins: [{ joint: 9, u: 0.25, v: 0.75 }] });
    const b = sampleSkeletons(m, inp, { samples: 4, seed: 7, pins: [{ joint: 9, u: 0.25, v: 0.75 }] });
    const d = sampleSkeletons(m, inp, { samples: 4, seed: 8 });
    expect(a.joints).toEqual(b.joints);
    expect(a.joints).not.toEqual(d.joints);
    expect(a.joints).toHaveLength(4);
    for (const s of a.joints) { expect(s[9][0]).toBeCloseTo(0.25, 6); expect(s[9][1]).toBeCloseTo(0.75, 6); }
    for (let i = 1; i < 4; i++) expect(a.scores[i]).toBeLessThanOrEqual(a.scores[i - 1]);
    const dd = runSampler(m, inp, { samples: 2, seed: 1, sampler: { kind: 'ddim', iterations: 5 } });
    expect(dd.joints.every((v) => Math.abs(v) <= 1.1 + 1e-6)).toBe(true);
    m.dispose();
  });
  it('rankSamples puts the medoid first', () => {
    const xs = new Float32Array(3 * 34);
    xs.fill(0, 0, 34); xs.fill(0.1, 34, 68); xs.fill(1, 68, 102);
    expect(rankSamples(xs, 3, []).joints[0][0]).toEqual([xs[34], xs[35]]);
  });
  it('validateSamplerConfig fills defaults and rejects bad values in one line', () => {
    expect(validateSamplerConfig({})).toMatchObject({ kind: 'official', iterations: 10, fixedT: 100, clamp: 1.1 });
    expect(() => validateSamplerConfig({ iterations: 0 })).toThrow(UsageError);
    expect(() => validateSamplerConfig({ kind: 'x' as 'ddim' })).toThrow(/official or ddim/);
  });
});

describe('model files', () => {
  const c = small('associative');
  it('round-trip through config.json + weights.bin', () => {
    const m = new Diffuser(c, 9);
    const { json, bin } = serializeModel(m, { note: 'test' });
    const meta = parseModelMeta(JSON.parse(json), 'config.json');
    const m2 = deserializeModel(meta, bin, 'weights.bin');
    const inp = conditionInputs(m, feats(4, 1, c));
    const x = tf.randomNormal([2, 17, 2], 0, 1, 'float32', 3);
    const y1 = m.denoise(x, m.condition(inp), m.timeEmbedding([100])).x0.dataSync();
    const y2 = m2.denoise(x, m2.condition(inp), m2.timeEmbedding([100])).x0.dataSync();
    expect(Array.from(y2)).toEqual(Array.from(y1));
    m.dispose(); m2.dispose();
  });
  const m = new Diffuser(c, 9);
  const { json, bin } = serializeModel(m);
  m.dispose();
  const cases: Array<{ name: string; meta: () => unknown; bin: () => Uint8Array; err: RegExp }> = [
    { name: 'wrong format', meta: () => ({ ...JSON.parse(json), format: 'other' }), bin: () => bin, err: /is not a pinplace-skeleton-diffuser model/ },
    { name: 'wrong version', meta: () => ({ ...JSON.parse(json), version: 99 }), bin: () => bin, err: /format version 99/ },
    { name: 'truncated weights', meta: () => JSON.parse(json), bin: () => bin.slice(0, 400), err: /parameter/ },
    { name: 'odd byte count', meta: () => JSON.parse(json), bin: () => bin.slice(0, 401), err: /whole number of float32/ },
    { name: 'non-finite weight', meta: () => JSON.parse(json), bin: () => { const b = bin.slice(); new Float32Array(b.buffer)[0] = NaN; return b; }, err: /non-finite/ },
  ];
  for (const k of cases) {
    it(`rejects ${k.name} with a one-line FormatError`, () => {
      let err: unknown;
      try { deserializeModel(parseModelMeta(k.meta(), 'config.json'), k.bin(), 'weights.bin'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toMatch(k.err);
      expect((err as Error).message).not.toContain('\n');
    });
  }
});

