/**
 * Which hand does the interaction: the one whose wrist is nearer the object. Training pairs each example with the
 * pose hypothesis of that hand; `generate --hand` puts the samples with the asked-for hand first.
 */
import { J } from '../topology.ts';

/** The person's own left or right (COCO's left_wrist / right_wrist). */
export type Hand = 'left' | 'right';

export const HANDS: readonly Hand[] = ['left', 'right'];

/** The wrist joint of a hand. */
export function wristOf(hand: Hand): number {
  return hand === 'left' ? J.left_wrist : J.right_wrist;
}

/**
 * The hand that interacts (0 = left, 1 = right): the valid wrist nearer the object box centre (joints [17*2] and box
 * in the same units); the left one when neither wrist is annotated.
 */
export function interactingHand(joints: ArrayLike<number>, mask: ArrayLike<number>, objectBox: readonly number[]): 0 | 1 {
  const cx = (objectBox[0] + objectBox[2]) / 2, cy = (objectBox[1] + objectBox[3]) / 2;
  const d = (j: number) => (mask[j] > 0 ? Math.hypot(joints[2 * j] - cx, joints[2 * j + 1] - cy) : Infinity);
  return d(J.right_wrist) < d(J.left_wrist) ? 1 : 0;
}
