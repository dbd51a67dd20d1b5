/**
 * Skeleton baselines for `eval --baseline`:
 * - mean: the training set's mean pose in person-box units ((x - x1)/w, (y - y1)/h of the tight box), placed in the
 *   person box;
 * - nearest: the pose of the training sample nearest in person-object box geometry (object corners in person-box
 *   units), preferring samples of the same category (and action), placed in the person box.
 */
import type { Keypoint } from './topology.ts';
import { NUM_JOINTS } from './topology.ts';

/** What the baselines keep from a training set. */
export interface BaselineStats {
  /** Mean pose [17*2] in person-box units. */
  meanPose: number[];
  /** Training entries for the nearest-neighbour baseline. */
  entries: Array<{ geom: number[]; category: string | null; action: string | null; pose: number[] }>;
}

export interface BaselineSample { personBox: readonly number[]; objectBox: readonly number[]; keypoints?: readonly (readonly number[])[]; category?: string | null; action?: string | null }

/** Object corners in person-box units. */
export function boxGeometry(person: readonly number[], obj: readonly number[]): number[] {
  const w = person[2] - person[0], h = person[3] - person[1];
  return [(obj[0] - person[0]) / w, (obj[1] - person[1]) / h, (obj[2] - person[0]) / w, (obj[3] - person[1]) / h];
}

/** Pose in person-box units (invalid joints take the mean pose's value when given, else NaN). */
function normalisePose(s: BaselineSample, fill?: number[]): number[] {
  const w = s.personBox[2] - s.personBox[0], h = s.personBox[3] - s.personBox[1];
  const out: number[] = [];
  for (let j = 0; j < NUM_JOINTS; j++) {
    const k = s.keypoints![j];
    if (k[2] > 0) out.push((k[0] - s.personBox[0]) / w, (k[1] - s.personBox[1]) / h);
    else out.push(fill ? fill[2 * j] : NaN, fill ? fill[2 * j + 1] : NaN);
  }
  return out;
}

/** Collect the baseline statistics of a training set. */
export function baselineStats(train: BaselineSample[]): BaselineStats {
  const sum = new Float64Array(NUM_JOINTS * 2), cnt = new Float64Array(NUM_JOINTS);
  for (const s of train) {
    const p = normalisePose(s);
    for (let j = 0; j < NUM_JOINTS; j++) if (!Number.isNaN(p[2 * j])) { sum[2 * j] += p[2 * j]; sum[2 * j + 1] += p[2 * j + 1]; cnt[j]++; }
  }
  const meanPose = Array.from(sum, (v, i) => (cnt[i >> 1] ? v / cnt[i >> 1] : 0.5));
  const entries = train.map((s) => ({
    geom: boxGeometry(s.personBox, s.objectBox).map((v) => Math.round(v * 1e4) / 1e4),
    category: s.category ?? null, action: s.action ?? null,
    // 1/1000 of the box (a quarter pixel of the 256 crop): the shipped model's file stays small
    pose: normalisePose(s, meanPose).map((v) => Math.round(v * 1e3) / 1e3),
  }));
  return { meanPose, entries };
}

function place(pose: readonly number[], person: readonly number[]): Keypoint[] {
  const w = person[2] - person[0], h = person[3] - person[1];
  return Array.from({ length: NUM_JOINTS }, (_, j): Keypoint => [person[0] + pose[2 * j] * w, person[1] + pose[2 * j + 1] * h, 1]);
}

/** Mean-pose baseline prediction (image pixels). */
export function meanBaseline(stats: BaselineStats, s: BaselineSample): Keypoint[] {
  return place(stats.meanPose, s.personBox);
}

/** Nearest-neighbour baseline prediction (image pixels): same category and action first, then category, then any. */
export function nearestBaseline(stats: BaselineStats, s: BaselineSample): Keypoint[] {
  const g = boxGeometry(s.personBox, s.objectBox);
  const tiers = [
    stats.entries.filter((e) => e.category === (s.category ?? null) && e.action === (s.action ?? null)),
    stats.entries.filter((e) => e.category === (s.category ?? null)),
    stats.entries,
  ];
  const pool = tiers.find((t) => t.length > 0) ?? [];
  let best = -1, bestD = Infinity;
  pool.forEach((e, i) => {
    const d = (e.geom[0] - g[0]) ** 2 + (e.geom[1] - g[1]) ** 2 + (e.geom[2] - g[2]) ** 2 + (e.geom[3] - g[3]) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  });
  return place(best >= 0 ? pool[best].pose : stats.meanPose, s.personBox);
}
