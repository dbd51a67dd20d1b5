/**
 * A detected partner's joint confidences on the data set's levels.
 *
 * The h2h model is trained on partners whose joints carry the data set's visibility as confidence: 1 for a visible
 * joint, 0.6 for a hidden one (h2h-data-node.ts VISIBILITY_CONFIDENCE), and it uses that level (with the data set's
 * partner, hiding nothing — every hidden joint given as 1 — lowers the hand check from 93.9 % to 90.9 %). A detector
 * gives a score anywhere in 0.2-1 for a found joint (MoveNet: mostly 0.4-0.9, visible and hidden alike), which the
 * model reads as a skeleton of half-hidden joints. So before a detected partner becomes the model's condition each
 * found joint is put on one of the two levels: seen (score >= DETECTED_SEEN_SCORE) -> 1, else 0.6; a joint below
 * PARTNER_MIN_CONFIDENCE stays missing. Positions are unchanged. The detector's own scores stay in its output
 * (`pinplace detect`, the partner written by `pinplace h2h`).
 *
 * MoveNet's score separates the data set's visible from its hidden joints only weakly (on the 2,400 training partners
 * a score >= 0.5 holds for 91 % of the visible and 73 % of the hidden joints), so the level mostly says "found and
 * confident" rather than "not occluded"; what it fixes is the scale. Pure TypeScript.
 */
import type { Keypoint } from '../skeleton/topology.ts';
import { PARTNER_MIN_CONFIDENCE } from './partner-tokens.ts';

/** A detected joint with at least this score is given the data set's visible level (1). */
export const DETECTED_SEEN_SCORE = 0.5;
/** The data set's level for a hidden joint (h2h-data-node.ts VISIBILITY_CONFIDENCE[1]). */
export const HIDDEN_LEVEL = 0.6;

/** The level of one detector score: 1, HIDDEN_LEVEL, or the score itself below PARTNER_MIN_CONFIDENCE (missing). */
export function detectedLevel(score: number): number {
  if (!(score >= PARTNER_MIN_CONFIDENCE)) return Number.isFinite(score) ? Math.max(0, score) : 0;
  return score >= DETECTED_SEEN_SCORE ? 1 : HIDDEN_LEVEL;
}

/** A detected skeleton with its scores on the data set's levels (new keypoints; positions unchanged). */
export function detectedLevels(keypoints: readonly Keypoint[]): Keypoint[] {
  return keypoints.map(([x, y, c]): Keypoint => [x, y, detectedLevel(c)]);
}
