/**
 * The official Person-in-Place skeleton metrics (`V_COCO.matching_bbox` / `V_COCO.evaluate` / `test.py`),
 * reproduced with their quirks so that numbers compare with the paper's tables, plus the literal top-N.
 *
 * Ingredients (reference/paper.md §4):
 * - joint box: a square of side sqrt(w h) / bboxFactor centred on a joint, (w, h) the TIGHT person box, image pixels;
 * - object box: scaled about its centre by `objFactor`;
 * - overlap = intersection / area(object box), both with the +1 px convention (w = x2 - x1 + 1), i.e. coverage of
 *   the object box, not an IoU; a joint whose (GT) visibility is < 0.7 scores -1.
 *
 * Top-N (objFactor 1, bboxFactor 8): walk the GT-valid joints by GT distance to the object centre, nearest first;
 * a hit when any walked PREDICTED joint's box overlaps the object. The official loop breaks at `top_n == N + 1`, so
 * it checks N+1 joints (2, 4, 6 for N = 1, 3, 5). The literal variant checks N joints.
 * SPD (objFactor 0.1, bboxFactor 1): JS distance (base 2) between softmax(GT overlaps) and softmax(predicted
 * overlaps) over the GT-valid joints. NaN results are skipped but still counted in the denominator.
 * Denominators: samples minus samples with no valid GT joint.
 */
import type { Keypoint } from './topology.ts';

/** One scored sample: GT and prediction in original image pixels. */
export interface MetricSample {
  /** Tight person box [x1, y1, x2, y2] (its w, h size the joint boxes). */
  personBox: readonly number[];
  /** Object box [x1, y1, x2, y2]. */
  objectBox: readonly number[];
  /** 17 GT keypoints [x, y, v]; v > 0 means annotated (COCO visibility or a [0, 1] score). */
  gt: readonly Keypoint[] | readonly (readonly number[])[];
  /** 17 predicted keypoints [x, y, c] (c is ignored: the GT valid flag decides what is scored). */
  pred: readonly Keypoint[] | readonly (readonly number[])[];
}

/** Official top-N settings. */
export const TOPN_OBJ_FACTOR = 1;
export const TOPN_BBOX_FACTOR = 8;
/** Official SPD settings. */
export const SPD_OBJ_FACTOR = 0.1;
export const SPD_BBOX_FACTOR = 1;
/** Visibility threshold of `Object_IoU` (joints below it score -1). */
export const VIS_THRESHOLD = 0.7;

/** Scale a box about its centre (the official `obj_bbox_factor`). */
function scaleAbout(b: readonly number[], f: number): [number, number, number, number] {
  const cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
  const hw = ((b[2] - b[0]) * f) / 2, hh = ((b[3] - b[1]) * f) / 2;
  return [cx - hw, cy - hh, cx + hw, cy + hh];
}

/**
 * Coverage of the object box by a joint box with the +1 px convention:
 * inter = max(0, min(x2) - max(x1) + 1) * max(0, min(y2) - max(y1) + 1); result = inter / ((ox2-ox1+1)(oy2-oy1+1)).
 */
export function objectCoverage(obj: readonly number[], box: readonly number[]): number {
  const iw = Math.max(0, Math.min(obj[2], box[2]) - Math.max(obj[0], box[0]) + 1);
  const ih = Math.max(0, Math.min(obj[3], box[3]) - Math.max(obj[1], box[1]) + 1);
  const area = (obj[2] - obj[0] + 1) * (obj[3] - obj[1] + 1);
  return (iw * ih) / area;
}

/**
 * Per-joint overlap of `Object_IoU`: coverage of the (scaled) object box by each joint's box of side
 * sqrt(w h)/bboxFactor; -1 where `valid[j]` is false.
 */
export function jointOverlaps(
  joints: readonly (readonly number[])[], valid: readonly boolean[], personBox: readonly number[], objectBox: readonly number[],
  objFactor: number, bboxFactor: number,
): number[] {
  const side = Math.sqrt((personBox[2] - personBox[0]) * (personBox[3] - personBox[1])) / bboxFactor;
  const obj = scaleAbout(objectBox, objFactor);
  return joints.map((p, j) => {
    if (!valid[j]) return -1;
    const h = side / 2;
    return objectCoverage(obj, [p[0] - h, p[1] - h, p[0] + h, p[1] + h]);
  });
}

/** GT-valid flags (official: visibility >= 0.7 after the COCO 0/1/2 -> valid mapping; here v > 0). */
export function validFlags(gt: MetricSample['gt']): boolean[] {
  return gt.map((k) => k[2] > 0);
}

/** Joint indices sorted by GT distance to the object-box centre (invalid joints last at 1e6), nearest first. */
export function jointsByObjectDistance(gt: MetricSample['gt'], valid: readonly boolean[], objectBox: readonly number[]): number[] {
  const cx = (objectBox[0] + objectBox[2]) / 2, cy = (objectBox[1] + objectBox[3]) / 2;
  const d = gt.map((k, j) => (valid[j] ? Math.hypot(k[0] - cx, k[1] - cy) : 1e6));
  return d.map((_, j) => j).sort((a, b) => d[a] - d[b] || a - b);
}

/**
 * Top-N hit for one sample (paper §4.2). `literal` false (official) checks the N+1 nearest joints; true checks N.
 * Returns null for a sample with no valid GT joint (excluded from the denominator).
 */
export function topNHit(s: MetricSample, n: number, literal = false): boolean | null {
  const valid = validFlags(s.gt);
  if (!valid.some(Boolean)) return null;
  const order = jointsByObjectDistance(s.gt, valid, s.objectBox);
  const overlaps = jointOverlaps(s.pred, valid, s.personBox, s.objectBox, TOPN_OBJ_FACTOR, TOPN_BBOX_FACTOR);
  const walk = literal ? n : n + 1;
  for (let i = 0; i < walk && i < order.length; i++) if (overlaps[order[i]] > 0) return true;
  return false;
}

/** Plain softmax with `exp` (no max shift, as in the official code). */
function softmax(xs: readonly number[]): number[] {
  const e = xs.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** scipy `rel_entr(x, y)`: x log(x/y) for x > 0, 0 for x = 0, inf where y = 0 < x. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * `scipy.spatial.distance.jensenshannon(p, q, base)`: normalise p and q, m = (p+q)/2,
 * js = (sum rel_entr(p, m) + sum rel_entr(q, m)) / ln(base); returns sqrt(js / 2) (NaN when js/2 < 0 by rounding).
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[], base = 2): number {
  const sp = p.reduce((a, b) => a + b, 0), sq = q.reduce((a, b) => a + b, 0);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp, qi = q[i] / sq, m = (pi + qi) / 2;
    js += relEntr(pi, m) + relEntr(qi, m);
  }
  js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/**
 * SPD of one sample (paper §4.3): G = softmax(GT overlaps), P = softmax(predicted overlaps) over the GT-valid
 * joints (object box at 10 %, joint box side sqrt(w h)); JS distance base 2. Null when no joint is valid.
 */
export function spdSample(s: MetricSample): number | null {
  const valid = validFlags(s.gt);
  if (!valid.some(Boolean)) return null;
  const g = jointOverlaps(s.gt, valid, s.personBox, s.objectBox, SPD_OBJ_FACTOR, SPD_BBOX_FACTOR);
  const p = jointOverlaps(s.pred, valid, s.personBox, s.objectBox, SPD_OBJ_FACTOR, SPD_BBOX_FACTOR);
  const idx = valid.flatMap((v, j) => (v ? [j] : []));
  return jensenShannonDistance(softmax(idx.map((j) => g[j])), softmax(idx.map((j) => p[j])), 2);
}

/** Aggregate metrics in percent (top-N) and SPD (lower is better). */
export interface MetricsResult {
  /** Samples given. */
  samples: number;
  /** Samples with at least one valid GT joint (the denominator). */
  scored: number;
  top1: number; top3: number; top5: number;
  spd: number;
  /** Literal top-N (N joints checked instead of the official N+1). */
  top1_literal: number; top3_literal: number; top5_literal: number;
  /** SPD values that came out NaN (skipped, still counted in the denominator, as the official code does). */
  spd_nan: number;
  /**
   * Standard error of each figure (its spread over samples / sqrt(scored); top-N in points): how far another set of
   * as many scenes from the same source could move it. Two models differing by less than about twice this on one
   * set are not told apart by it.
   */
  standard_error: { top1: number; top3: number; top5: number; spd: number };
}

/**
 * Score predictions against GT with the official top-1/3/5 and SPD and the literal top-N.
 * Top-N = hits / scored * 100; SPD = sum of non-NaN values / scored.
 */
export function evaluateSkeletons(samples: readonly MetricSample[]): MetricsResult {
  return summarizeScores(samples.length, sampleScores(samples));
}

/** The official figures of per-sample scores (`sampleScores`) of `samples` inputs. */
export function summarizeScores(samples: number, scores: ReadonlyArray<SampleScore | null>): MetricsResult {
  let scored = 0, spdSum = 0, spdSq = 0, spdNan = 0;
  const hits = [0, 0, 0], lit = [0, 0, 0];
  for (const s of scores) {
    if (!s) continue;
    scored++;
    if (s.spdNan) spdNan++;
    spdSum += s.spd; spdSq += s.spd * s.spd;
    [s.hit1, s.hit3, s.hit5].forEach((h, k) => { if (h) hits[k]++; });
    [s.literal1, s.literal3, s.literal5].forEach((h, k) => { if (h) lit[k]++; });
  }
  const pct = (h: number) => (scored ? (100 * h) / scored : NaN);
  return {
    samples, scored,
    top1: pct(hits[0]), top3: pct(hits[1]), top5: pct(hits[2]),
    spd: scored ? spdSum / scored : NaN,
    top1_literal: pct(lit[0]), top3_literal: pct(lit[1]), top5_literal: pct(lit[2]),
    spd_nan: spdNan,
    // a NaN SPD counts as 0, as it does in the mean; a hit is 1, a miss 0 (in points: times 100)
    standard_error: {
      top1: 100 * standardError(hits[0], hits[0], scored), top3: 100 * standardError(hits[1], hits[1], scored),
      top5: 100 * standardError(hits[2], hits[2], scored), spd: standardError(spdSum, spdSq, scored),
    },
  };
}

/** Standard error of the mean of n values with the given sum and sum of squares (sample variance; NaN below 2 values). */
export function standardError(sum: number, sumSq: number, n: number): number {
  if (n < 2) return NaN;
  const variance = Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
  return Math.sqrt(variance / n);
}

/**
 * One sample's official scores: top-N hits (official N+1 walk and literal), and SPD (a NaN SPD as 0, as the mean
 * counts it, with `spdNan` set).
 */
export interface SampleScore {
  hit1: boolean; hit3: boolean; hit5: boolean;
  literal1: boolean; literal3: boolean; literal5: boolean;
  spd: number; spdNan: boolean;
}

/** Per-sample official scores in input order; null where the sample has no valid GT joint (outside the denominators). */
export function sampleScores(samples: readonly MetricSample[]): Array<SampleScore | null> {
  return samples.map((s) => {
    const spd = spdSample(s);
    if (spd === null) return null;
    return {
      hit1: !!topNHit(s, 1), hit3: !!topNHit(s, 3), hit5: !!topNHit(s, 5),
      literal1: !!topNHit(s, 1, true), literal3: !!topNHit(s, 3, true), literal5: !!topNHit(s, 5, true),
      spd: Number.isNaN(spd) ? 0 : spd, spdNan: Number.isNaN(spd),
    };
  });
}

/** Mean difference (first minus second) of two predictors' scores on the same samples, with its paired standard error. */
export interface PairedDifference {
  /** Samples scored by both. */
  samples: number;
  /** Top-N differences in points, SPD difference in SPD units. */
  top1: number; top3: number; top5: number; spd: number;
  standard_error: { top1: number; top3: number; top5: number; spd: number };
}

/**
 * Compare two predictors sample by sample on one set. Scene-to-scene difficulty is shared by both, so the standard
 * error of the per-sample differences is usually much smaller than either figure's own: what tells whether one is
 * better on this kind of data rather than on these scenes.
 */
export function comparePaired(a: ReadonlyArray<SampleScore | null>, b: ReadonlyArray<SampleScore | null>): PairedDifference {
  if (a.length !== b.length) throw new RangeError(`comparePaired(): ${a.length} and ${b.length} samples`);
  const keys = ['hit1', 'hit3', 'hit5', 'spd'] as const;
  const sum = [0, 0, 0, 0], sq = [0, 0, 0, 0];
  let n = 0;
  a.forEach((x, i) => {
    const y = b[i];
    if (!x || !y) return;
    n++;
    keys.forEach((k, j) => { const d = Number(x[k]) - Number(y[k]); sum[j] += d; sq[j] += d * d; });
  });
  const mean = (j: number) => (n ? sum[j] / n : NaN);
  const se = (j: number) => standardError(sum[j], sq[j], n);
  return {
    samples: n, top1: 100 * mean(0), top3: 100 * mean(1), top5: 100 * mean(2), spd: mean(3),
    standard_error: { top1: 100 * se(0), top3: 100 * se(1), top5: 100 * se(2), spd: se(3) },
  };
}

/** Best-of-N scores: per input, the best of its N predictions against the ground truth. */
export interface BestOfResult {
  /** Predictions per input. */
  n: number;
  scored: number;
  /** An input is a hit when any of its predictions is (official N+1 walk). */
  top1: number; top3: number; top5: number;
  /** Mean over inputs of the lowest SPD among its predictions. */
  spd: number;
}

/**
 * Best-of-N, an oracle (it looks at the ground truth to choose): how near the nearest of N samples comes, which
 * measures what the samples cover, not what the first one gets. Same denominators and NaN rule as
 * `evaluateSkeletons`.
 */
export function evaluateBestOf(sets: ReadonlyArray<Omit<MetricSample, 'pred'> & { preds: MetricSample['pred'][] }>): BestOfResult {
  let scored = 0, spdSum = 0;
  const hits = { 1: 0, 3: 0, 5: 0 } as Record<number, number>;
  let n = 0;
  for (const s of sets) {
    if (!validFlags(s.gt).some(Boolean)) continue;
    scored++;
    n = Math.max(n, s.preds.length);
    const each = s.preds.map((pred) => ({ ...s, pred }));
    const spds = each.map((m) => spdSample(m)!).filter((v) => !Number.isNaN(v));
    if (spds.length) spdSum += Math.min(...spds);
    for (const k of [1, 3, 5]) if (each.some((m) => topNHit(m, k))) hits[k]++;
  }
  const pct = (h: number) => (scored ? (100 * h) / scored : NaN);
  return { n, scored, top1: pct(hits[1]), top3: pct(hits[3]), top5: pct(hits[5]), spd: scored ? spdSum / scored : NaN };
}
