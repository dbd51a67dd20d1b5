/** The tight person box implied by a skeleton. */
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { KEYPOINT_BOX_PAD } from './constants.ts';

/**
 * Tight person box `[x1, y1, x2, y2]` around the keypoints with confidence >= `minScore`, padded for the head top
 * and the feet (KEYPOINT_BOX_PAD, fractions of the keypoint extent's height). Null with fewer than two such points.
 */
export function keypointBox(kps: readonly Keypoint[], minScore = 0.3): Box | null {
  const pts = kps.filter((k) => k[2] >= minScore);
  if (pts.length < 2) return null;
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const [x, y] of pts) {
    x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x); y2 = Math.max(y2, y);
  }
  const h = Math.max(y2 - y1, (x2 - x1) * 0.5, 1);
  const [side, top, bottom] = KEYPOINT_BOX_PAD;
  return [x1 - side * h, y1 - top * h, x2 + side * h, y2 + bottom * h];
}
