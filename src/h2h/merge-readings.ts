/**
 * Merging two readings of one person's keypoints (MoveNet on a crop and on its mirror image, detect-node.ts).
 *
 * A single-person keypoint model decides the whole figure's left/right labelling from how it reads the figure's
 * facing (face, head, feet). Where that is ambiguous, two looks at the same person can disagree as a whole: one reads
 * the figure as facing the camera, the other as seen from behind, so the same image arm is "left" in one and
 * "right" in the other. A per-joint "keep the more confident" merge of such a pair mixes the two labellings and can
 * put both wrists on the same arm, or a wrist on the wrong arm. So the labellings are made to agree first: the
 * reading with the higher mean confidence sets the labelling, and the other is swapped left-for-right when its paired
 * joints lie closer to the reference's opposite joints. Pure TypeScript; image pixels.
 */
import { FLIP_INDEX, NUM_JOINTS, type Keypoint } from '../skeleton/topology.ts';

/** Paired joints count in the labelling test from this confidence in both readings. */
export const MERGE_MIN_SCORE = 0.2;

/** The same skeleton with every left joint and its right counterpart exchanged (positions and scores move together). */
export function swapLeftRight(k: readonly Keypoint[]): Keypoint[] {
  if (k.length !== NUM_JOINTS) throw new RangeError(`swapLeftRight(): expected 17 keypoints, got ${k.length}`);
  return FLIP_INDEX.map((j): Keypoint => [k[j][0], k[j][1], k[j][2]]);
}

/**
 * Whether readings `a` and `b` of one person label left and right the same way: over the left/right joints found
 * (score >= `minScore`) in both readings together with their counterparts, the summed distance joint-to-same-joint
 * is at most the summed distance joint-to-counterpart. True when no pair is usable (nothing to contradict).
 */
export function sameLeftRight(a: readonly Keypoint[], b: readonly Keypoint[], minScore = MERGE_MIN_SCORE): boolean {
  let same = 0, swapped = 0;
  for (let j = 0; j < NUM_JOINTS; j++) {
    const o = FLIP_INDEX[j];
    if (o === j) continue;
    if (a[j][2] < minScore || a[o][2] < minScore || b[j][2] < minScore || b[o][2] < minScore) continue;
    same += Math.hypot(a[j][0] - b[j][0], a[j][1] - b[j][1]);
    swapped += Math.hypot(a[j][0] - b[o][0], a[j][1] - b[o][1]);
  }
  return same <= swapped;
}

/** Mean score of a reading. */
const meanScore = (k: readonly Keypoint[]): number => k.reduce((s, p) => s + p[2], 0) / k.length;

/**
 * Merge two readings of one person: the more confident reading (mean score; `a` on a tie) sets the left/right
 * labelling, the other is swapped to it when the two disagree (sameLeftRight), then each joint is taken from the
 * reading that scores it higher. Returns 17 new keypoints.
 */
export function mergeReadings(a: readonly Keypoint[], b: readonly Keypoint[], minScore = MERGE_MIN_SCORE): Keypoint[] {
  if (a.length !== NUM_JOINTS || b.length !== NUM_JOINTS) throw new RangeError(`mergeReadings(): expected 17 keypoints each, got ${a.length} and ${b.length}`);
  const [ref, other] = meanScore(b) > meanScore(a) ? [b, a] : [a, b];
  const aligned = sameLeftRight(ref, other, minScore) ? other : swapLeftRight(other);
  return ref.map((k, j): Keypoint => {
    const q = k[2] >= aligned[j][2] ? k : aligned[j];
    return [q[0], q[1], q[2]];
  });
}
