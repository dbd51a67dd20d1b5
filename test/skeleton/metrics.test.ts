import { describe, expect, it } from 'vitest';
import {
  comparePaired, evaluateBestOf, evaluateSkeletons, jensenShannonDistance, sampleScores, standardError, jointOverlaps, objectCoverage, spdSample, topNHit, type MetricSample,
} from '../../src/skeleton/metrics.ts';

const EPS = 1e-9;
type P = [number, number, number];
const far: P = [5000, 5000, 2];
const invalid: P = [0, 0, 0];

/** 17 keypoints, all far away unless overridden. */
function kps(over: Record<number, P> = {}, base: P = far): P[] {
  return Array.from({ length: 17 }, (_, j) => over[j] ?? [...base] as P);
}

describe('objectCoverage (+1 px convention, normalised by the object area)', () => {
  const cases = [
    { name: 'joint box covers a corner', obj: [100, 100, 109, 109], box: [95, 95, 105, 105], want: 36 / 100 },
    { name: 'joint box contains the object', obj: [10, 10, 19, 19], box: [0, 0, 50, 50], want: 1 },
    { name: 'touching edges still count one pixel row', obj: [0, 0, 9, 9], box: [9, 0, 20, 9], want: 10 / 100 },
    { name: 'disjoint', obj: [0, 0, 9, 9], box: [20, 20, 30, 30], want: 0 },
  ];
  for (const c of cases) it(c.name, () => expect(objectCoverage(c.obj, c.box)).toBeCloseTo(c.want, 12));
});

describe('jointOverlaps', () => {
  it('uses side sqrt(w h)/factor of the tight person box and -1 for invalid joints', () => {
    // person 80x80 -> side 10 at factor 8; joint at (100,100) -> box [95,105]^2 over object [100,109]^2 -> 36/100
    const o = jointOverlaps([[100, 100], [0, 0]], [true, false], [0, 0, 80, 80], [100, 100, 109, 109], 1, 8);
    expect(o[0]).toBeCloseTo(0.36, 12);
    expect(o[1]).toBe(-1);
  });
  it('scales the object box about its centre', () => {
    // object [0,100]^2 at 0.1 -> [45,55]^2 (area 121); a joint box [0,20]^2 misses it
    const o = jointOverlaps([[10, 10]], [true], [0, 0, 20, 20], [0, 0, 100, 100], 0.1, 1);
    expect(o[0]).toBe(0);
  });
});

describe('jensenShannonDistance (scipy, base 2)', () => {
  const cases = [
    { name: 'identical', p: [0.2, 0.8], q: [0.2, 0.8], want: 0 },
    { name: 'disjoint supports give 1', p: [1, 0], q: [0, 1], want: 1 },
    { name: 'unnormalised inputs are normalised', p: [2, 0], q: [0, 5], want: 1 },
  ];
  for (const c of cases) it(c.name, () => expect(jensenShannonDistance(c.p, c.q)).toBeCloseTo(c.want, 12));
  it('matches the formula on a generic pair', () => {
    const p = [0.7, 0.2, 0.1], q = [0.1, 0.3, 0.6];
    const m = p.map((v, i) => (v + q[i]) / 2);
    const kl = (a: number[]) => a.reduce((s, v, i) => s + v * Math.log2(v / m[i]), 0);
    expect(jensenShannonDistance(p, q)).toBeCloseTo(Math.sqrt((kl(p) + kl(q)) / 2), 12);
  });
});

describe('top-N: official (N+1 joints) and literal (N joints)', () => {
  // person 80x80 -> joint box side 10; object [100,100,109,109], centre (104.5,104.5)
  const personBox = [0, 0, 80, 80];
  const objectBox = [100, 100, 109, 109];
  // GT: joint 9 nearest to the object, joint 10 second, joint 7 third; all others far
  const gt = kps({ 9: [104, 104, 2], 10: [120, 104, 2], 7: [140, 104, 2] });
  const onObject: P = [104, 104, 1];
  const cases: Array<{ name: string; pred: P[]; n: number; official: boolean; literal: boolean }> = [
    { name: 'nearest joint on the object: hit both ways', pred: kps({ 9: onObject }), n: 1, official: true, literal: true },
    { name: 'only the 2nd nearest on the object: official top-1 hits (quirk), literal misses', pred: kps({ 10: onObject }), n: 1, official: true, literal: false },
    { name: 'only the 3rd nearest on the object: top-1 misses both ways', pred: kps({ 7: onObject }), n: 1, official: false, literal: false },
    { name: 'only the 3rd nearest on the object: top-3 hits both ways', pred: kps({ 7: onObject }), n: 3, official: true, literal: true },
    { name: 'a far joint on the object does not count for top-5', pred: kps({ 16: onObject }), n: 5, official: false, literal: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s: MetricSample = { personBox, objectBox, gt, pred: c.pred };
      expect(topNHit(s, c.n, false)).toBe(c.official);
      expect(topNHit(s, c.n, true)).toBe(c.literal);
    });
  }
  it('an invalid GT joint is never scored even if the prediction hits', () => {
    const g = kps({ 9: [104, 104, 0] }, invalid);
    g[10] = [120, 104, 2];
    expect(topNHit({ personBox, objectBox, gt: g, pred: kps({ 9: onObject }) }, 1)).toBe(false);
  });
});

describe('SPD', () => {
  it('hand-computed: one GT joint covering the 10% object, prediction elsewhere', () => {
    // person 100x100 -> joint box side 100; object [0,100]^2 -> 10% [45,55]^2.
    // GT joint 0 at (50,50) covers it fully (1.0); joint 1 far (0). Prediction: both far -> 0, 0. Others invalid.
    const gt = kps({ 0: [50, 50, 2], 1: [500, 500, 2] }, invalid);
    const pred = kps({ 0: [500, 500, 1], 1: [500, 500, 1] }, invalid);
    const G = [Math.E / (Math.E + 1), 1 / (Math.E + 1)];
    const Q = [0.5, 0.5];
    const m = G.map((v, i) => (v + Q[i]) / 2);
    const js = (G.reduce((s, v, i) => s + v * Math.log2(v / m[i]), 0) + Q.reduce((s, v, i) => s + v * Math.log2(v / m[i]), 0)) / 2;
    expect(spdSample({ personBox: [0, 0, 100, 100], objectBox: [0, 0, 100, 100], gt, pred })).toBeCloseTo(Math.sqrt(js), 12);
  });
  it('is 0 for a perfect prediction and null with no valid joint', () => {
    const gt = kps({ 0: [50, 50, 2] });
    expect(spdSample({ personBox: [0, 0, 100, 100], objectBox: [0, 0, 100, 100], gt, pred: gt })).toBeLessThan(EPS);
    expect(spdSample({ personBox: [0, 0, 100, 100], objectBox: [0, 0, 100, 100], gt: kps({}, invalid), pred: gt })).toBeNull();
  });
});

/** One object, the GT left wrist on it: a prediction there (hit), one far from it (miss), a GT with no valid joint. */
const scene = { personBox: [0, 0, 80, 80], objectBox: [100, 100, 109, 109] };
const hit: MetricSample = { ...scene, gt: kps({ 9: [104, 104, 2] }), pred: kps({ 9: [104, 104, 1] }) };
const miss: MetricSample = { ...scene, gt: kps({ 9: [104, 104, 2] }), pred: kps() };
const empty: MetricSample = { ...scene, gt: kps({}, invalid), pred: kps() };

describe('evaluateSkeletons', () => {
  it('excludes samples with no valid joint from the denominators', () => {
    const r = evaluateSkeletons([hit, miss, empty]);
    expect(r.samples).toBe(3);
    expect(r.scored).toBe(2);
    expect(r.top1).toBeCloseTo(50, 9);
    expect(r.top1_literal).toBeCloseTo(50, 9);
    expect(r.spd).toBeGreaterThan(0);
    // one hit, one miss: the sample standard deviation is sqrt(0.5), over sqrt(2) samples -> 0.5 (50 points)
    expect(r.standard_error.top1).toBeCloseTo(50, 9);
    // the hit's SPD is 0, the miss's s: standard error |s| / 2, i.e. half the mean's distance between them
    expect(r.standard_error.spd).toBeCloseTo(r.spd, 9);
  });

  it('standard errors shrink with the square root of the samples, and need two samples', () => {
    const small = evaluateSkeletons([hit, miss, hit, miss]);
    const large = evaluateSkeletons(Array.from({ length: 25 }, () => [hit, miss, hit, miss]).flat());
    expect(large.top1).toBeCloseTo(small.top1, 9);
    // sample variance: 4 values -> 1/3, 100 values -> 25/99
    expect(small.standard_error.top1).toBeCloseTo(100 * Math.sqrt(1 / 3 / 4), 9);
    expect(large.standard_error.top1).toBeCloseTo(100 * Math.sqrt(25 / 99 / 100), 9);
    expect(Number.isNaN(evaluateSkeletons([hit]).standard_error.spd)).toBe(true);
    expect(evaluateSkeletons([hit, hit]).standard_error.top1).toBe(0);
  });
});

describe('sampleScores and comparePaired', () => {
  it('scores each sample as evaluateSkeletons counts it, null where it has no valid joint', () => {
    const set = [hit, miss, empty];
    const scores = sampleScores(set);
    expect(scores[2]).toBeNull();
    expect(scores[0]).toMatchObject({ hit1: true, hit5: true });
    expect(scores[1]).toMatchObject({ hit1: false, hit5: false });
    const r = evaluateSkeletons(set);
    expect((scores[0]!.spd + scores[1]!.spd) / 2).toBeCloseTo(r.spd, 12);
  });

  it('gives the mean per-sample difference and its standard error, over the samples both score', () => {
    const a = sampleScores([hit, hit, miss, hit, empty]), b = sampleScores([miss, hit, miss, miss, empty]);
    const d = comparePaired(a, b);
    expect(d.samples).toBe(4);
    // top-1 differences 1, 0, 0, 1 (times 100): mean 50, sample sd sqrt(1/3), over sqrt(4)
    expect(d.top1).toBeCloseTo(50, 9);
    expect(d.standard_error.top1).toBeCloseTo(100 * Math.sqrt(1 / 3) / 2, 9);
    expect(d.spd).toBeCloseTo((evaluateSkeletons([hit, hit, miss, hit]).spd - evaluateSkeletons([miss, hit, miss, miss]).spd), 12);
    expect(d.spd).toBeLessThan(0);
    // the same predictor against itself differs by nothing, with no spread
    expect(comparePaired(a, a)).toMatchObject({ top1: 0, spd: 0, standard_error: { top1: 0, spd: 0 } });
    expect(() => comparePaired(a, b.slice(1))).toThrow(RangeError);
  });
});

describe('standardError', () => {
  it('is the sample standard deviation over the square root of n', () => {
    const xs = [1, 2, 3, 4, 10];
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(standardError(xs.reduce((a, b) => a + b), xs.reduce((a, b) => a + b * b), xs.length)).toBeCloseTo(sd / Math.sqrt(5), 12);
    expect(standardError(3, 9, 1)).toBeNaN();
  });
});

describe('evaluateBestOf (oracle over N predictions)', () => {
  const personBox = [0, 0, 80, 80], objectBox = [100, 100, 109, 109];
  const gt = kps({ 9: [104, 104, 2], 10: [60, 60, 2] });
  const good = kps({ 9: [104, 104, 1], 10: [60, 60, 1] });
  const bad = kps({ 9: [60, 60, 1], 10: [104, 104, 1] });
  it('scores each input by its best prediction, whatever the order', () => {
    const one = evaluateSkeletons([{ personBox, objectBox, gt, pred: bad }]);
    expect(one.spd).toBeGreaterThan(0.1);
    for (const preds of [[good, bad], [bad, good]]) {
      const r = evaluateBestOf([{ personBox, objectBox, gt, preds }]);
      expect(r.n).toBe(2);
      expect(r.spd).toBeLessThan(EPS);
      expect(r.top1).toBe(100);
    }
  });
  it('with one prediction equals the official metrics, and skips inputs with no valid joint', () => {
    const far17 = kps();
    const sets = [
      { personBox, objectBox, gt, preds: [bad] },
      { personBox, objectBox, gt, preds: [far17] },
      { personBox, objectBox, gt: kps({}, invalid), preds: [good] },
    ];
    const r = evaluateBestOf(sets);
    const o = evaluateSkeletons(sets.map(({ preds, ...s }) => ({ ...s, pred: preds[0] })));
    expect(r.scored).toBe(2);
    expect([r.top1, r.top3, r.top5]).toEqual([o.top1, o.top3, o.top5]);
    expect(r.spd).toBeCloseTo(o.spd, 12);
  });
});
