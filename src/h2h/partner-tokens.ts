/**
 * The partner condition of human-to-human mode: the partner's skeleton as 17 extra condition tokens of the diffuser
 * (ModelConfig.extraTokens = 17), appended to the ROI tokens of the partner's box in the pose-object attention, so
 * that each new joint can attend to each partner joint (hand to hand, arm around a shoulder).
 *
 * Token j (one per COCO joint of the partner), E = embedDim channels, all crop units of the NEW person's crop:
 *   [0, 17)   one-hot joint identity j
 *   17        confidence c_j of the joint (0 when it is missing: below PARTNER_MIN_CONFIDENCE or far outside the crop)
 *   18, 19    p_j (u_j - 0.5), p_j (v_j - 0.5)               position of the joint in the new person's crop
 *   20..27    p_j sin/cos(pi 2^k u_j), p_j sin/cos(pi 2^k v_j), k = 0, 1   (Fourier position)
 *   28, 29    p_j (2 s_j - 1), p_j (2 t_j - 1)               position inside the partner's box (its pose shape)
 *   30..E     0
 * with p_j = 1 for a present joint and 0 for a missing one (positions are not scaled by the confidence, so the
 * detector's scores and the data set's visibility flags give the same geometry).
 * Tokens are fixed features (no weights): the diffuser's shared LayerNorm and key/value projections learn to read
 * them, like the object tokens. Pure TypeScript; shapes in the doc comments.
 */
import { NUM_JOINTS, FLIP_INDEX, type Keypoint } from '../skeleton/topology.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import { applyAffine, CROP_SIZE, personCrop, type Affine } from '../skeleton/calculators/crop.ts';

/** Number of partner tokens (ModelConfig.extraTokens of an h2h model). */
export const PARTNER_TOKENS = NUM_JOINTS;
/** Channels the token layout uses; embedDim must be at least this. */
export const PARTNER_TOKEN_FEATURES = 30;
/** Partner joints below this confidence count as missing. */
export const PARTNER_MIN_CONFIDENCE = 0.2;
/** Joints farther than this outside the crop ([0, 1] +- margin) count as missing. */
export const PARTNER_CROP_MARGIN = 0.5;

/**
 * Partner tokens [17 * E] (token-major) from the partner's joints in the new person's crop units and the partner
 * box in the same units.
 * @param joints 17 `[u, v, c]`, u and v in crop units ([0, 1] inside the crop), c in [0, 1]
 * @param box the partner box `[x1, y1, x2, y2]` in crop units
 * @param embedDim E (>= PARTNER_TOKEN_FEATURES)
 */
export function partnerTokens(joints: readonly Keypoint[], box: readonly number[], embedDim: number, out = new Float32Array(PARTNER_TOKENS * embedDim)): Float32Array {
  if (joints.length !== NUM_JOINTS) throw new RangeError(`partnerTokens(): expected 17 joints, got ${joints.length}`);
  if (embedDim < PARTNER_TOKEN_FEATURES) throw new RangeError(`partnerTokens(): embedDim must be >= ${PARTNER_TOKEN_FEATURES}, got ${embedDim}`);
  out.fill(0);
  const bw = Math.max(1e-6, box[2] - box[0]);
  const bh = Math.max(1e-6, box[3] - box[1]);
  for (let j = 0; j < NUM_JOINTS; j++) {
    const o = j * embedDim;
    const [u, v, c0] = joints[j];
    const inside = u > -PARTNER_CROP_MARGIN && u < 1 + PARTNER_CROP_MARGIN && v > -PARTNER_CROP_MARGIN && v < 1 + PARTNER_CROP_MARGIN;
    const present = c0 >= PARTNER_MIN_CONFIDENCE && inside && Number.isFinite(u) && Number.isFinite(v);
    out[o + j] = 1;
    if (!present) continue;
    out[o + 17] = Math.min(1, c0);
    const c = 1;
    out[o + 18] = c * (u - 0.5);
    out[o + 19] = c * (v - 0.5);
    let k = o + 20;
    for (let f = 0; f < 2; f++) {
      const w = Math.PI * 2 ** f;
      out[k++] = c * Math.sin(w * u); out[k++] = c * Math.cos(w * u);
      out[k++] = c * Math.sin(w * v); out[k++] = c * Math.cos(w * v);
    }
    out[o + 28] = c * (2 * (u - box[0]) / bw - 1);
    out[o + 29] = c * (2 * (v - box[1]) / bh - 1);
  }
  return out;
}

/**
 * Horizontal flip of the partner in crop units (u -> 1 - u, left/right joints swapped, box mirrored), for flip
 * augmentation of the new person's crop.
 */
export function flipPartner(joints: readonly Keypoint[], box: readonly number[]): { joints: Keypoint[]; box: Box } {
  return {
    joints: FLIP_INDEX.map((src): Keypoint => [1 - joints[src][0], joints[src][1], joints[src][2]]),
    box: [1 - box[2], box[1], 1 - box[0], box[3]],
  };
}

/**
 * The partner's joints and box in the crop units of the new person's crop (the paper's crop of `personBox`,
 * `toCrop` / CROP_SIZE), ready for partnerTokens. Pass the crop's `toCrop` when it carries train-time scale or
 * rotation.
 */
export function partnerInCrop(
  partner: { box: readonly number[]; keypoints: readonly Keypoint[] }, toCrop: Affine, size = CROP_SIZE,
): { joints: Keypoint[]; box: Box } {
  const joints = partner.keypoints.map(([x, y, c]): Keypoint => {
    const [u, v] = applyAffine(toCrop, x, y);
    return [u / size, v / size, c];
  });
  const [b0, b1, b2, b3] = partner.box;
  const corners = [[b0, b1], [b2, b1], [b0, b3], [b2, b3]].map(([x, y]) => applyAffine(toCrop, x, y));
  const us = corners.map((p) => p[0] / size);
  const vs = corners.map((p) => p[1] / size);
  return { joints, box: [Math.min(...us), Math.min(...vs), Math.max(...us), Math.max(...vs)] };
}

/**
 * Partner tokens [17 * E] for a new person in `personBox` of a `width` x `height` image (no augmentation); with
 * `mirror` those of the mirror image of the crop (flipPartner, as training's flip augmentation).
 * Throws a RangeError when the person box gives no crop.
 */
export function partnerCondition(
  partner: { box: readonly number[]; keypoints: readonly Keypoint[] }, personBox: Box, width: number, height: number, embedDim: number, mirror = false,
): Float32Array {
  const crop = personCrop(personBox, width, height);
  if (!crop) throw new RangeError(`partnerCondition(): person box [${personBox.join(',')}] lies outside the ${width}x${height} image`);
  const p = partnerInCrop(partner, crop.toCrop, crop.size);
  const q = mirror ? flipPartner(p.joints, p.box) : p;
  return partnerTokens(q.joints, q.box, embedDim);
}
