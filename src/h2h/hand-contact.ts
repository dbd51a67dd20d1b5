/** The interaction check of human-to-human mode: do the two people's hands meet? */
import { J, type Keypoint } from '../skeleton/topology.ts';
import { boxHeight } from '../skeleton/calculators/box.ts';
import { HAND_CONTACT_TOLERANCE } from './constants.ts';

const WRISTS = [J.left_wrist, J.right_wrist] as const;

/**
 * Smallest distance between a wrist of the new person and a wrist of the partner, in units of the partner box height
 * (COCO-17 has no hand points; the wrist stands for the hand). Partner wrists with c <= 0 are skipped; NaN when the
 * partner has no usable wrist.
 */
export function handDistance(person: readonly Keypoint[], partner: { box: readonly number[]; keypoints: readonly Keypoint[] }): number {
  const h = Math.max(1e-6, boxHeight(partner.box));
  let best = NaN;
  for (const a of WRISTS) {
    for (const b of WRISTS) {
      const q = partner.keypoints[b];
      if (!(q[2] > 0)) continue;
      const d = Math.hypot(person[a][0] - q[0], person[a][1] - q[1]) / h;
      if (!(d >= best)) best = d;
    }
  }
  return best;
}

/** Whether the hands meet: handDistance <= `tolerance` (default 10 % of the partner box height). */
export function handsMeet(person: readonly Keypoint[], partner: { box: readonly number[]; keypoints: readonly Keypoint[] }, tolerance = HAND_CONTACT_TOLERANCE): boolean {
  return handDistance(person, partner) <= tolerance;
}
