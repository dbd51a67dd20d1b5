/** Find the detected person a user's `--partner` box refers to. */
import { UsageError } from '../errors.ts';
import { boxHeight, boxWidth, intersectionArea, iou, type Box } from '../skeleton/calculators/box.ts';
import type { DetectedPerson, Detections } from './types.ts';

/** A detected person matches a partner box when it covers at least this share of the smaller of the two boxes. */
export const PARTNER_MIN_OVERLAP = 0.3;

/**
 * The detected person that best overlaps `partnerBox` (by IoU, ties by overlap of the smaller box). Throws a one-line
 * UsageError when nobody was detected or nobody overlaps the box.
 */
export function matchPartner(detections: Detections, partnerBox: Box): DetectedPerson {
  const where = detections.image.path || 'the image';
  if (detections.people.length === 0) {
    throw new UsageError(`no person detected in ${where}; give the partner's skeleton with --partner-keypoints FILE`);
  }
  let best: DetectedPerson | null = null;
  let bestValue = 0;
  for (const p of detections.people) {
    const inter = intersectionArea(p.box, partnerBox);
    const small = Math.min(boxWidth(p.box) * boxHeight(p.box), boxWidth(partnerBox) * boxHeight(partnerBox));
    if (small <= 0 || inter / small < PARTNER_MIN_OVERLAP) continue;
    const value = iou(p.box, partnerBox) + 1e-3 * (inter / small);
    if (value > bestValue) { bestValue = value; best = p; }
  }
  if (!best) {
    const boxes = detections.people.map((p) => `[${p.box.map((v) => Math.round(v)).join(',')}]`).join(' ');
    throw new UsageError(`--partner [${partnerBox.join(',')}] overlaps no detected person (people found at ${boxes}); fix the box or pass --partner-keypoints FILE`);
  }
  return best;
}
