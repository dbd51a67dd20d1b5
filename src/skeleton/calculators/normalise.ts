/**
 * Image pixels <-> crop units of the diffuser (paper §2.1): joints become `toCrop(x, y) / 256` (each in [0, 1) of
 * the crop); the object box's corners are mapped, clipped to [0, 256] and divided by 256. Back to the image, the
 * official code multiplies by 255 (not 256) before `toImage`; `fromCropUnits` keeps that quirk optional.
 */
import { applyAffine, CROP_SIZE, personCrop, type PersonCrop } from './crop.ts';
import { FLIP_INDEX, NUM_JOINTS } from '../topology.ts';
import type { Box } from './box.ts';

/** Targets of one sample in crop units. */
export interface CropTargets {
  crop: PersonCrop;
  /** [17 * 2] joints in crop units (invalid joints at the crop centre). */
  joints: Float32Array;
  /** m_j = valid (v > 0) and inside the crop. */
  mask: Float32Array;
  /** Object box in crop units, clipped to [0, 1]. */
  objectBox: [number, number, number, number];
  /** Tight person box in crop units (not clipped). */
  personBox: [number, number, number, number];
}

/** Object box (image pixels) -> crop units, clipped to the crop. Null when nothing of it is inside the crop. */
export function objectBoxToCrop(crop: PersonCrop, box: readonly number[]): [number, number, number, number] | null {
  const xs: number[] = [], ys: number[] = [];
  for (const [x, y] of [[box[0], box[1]], [box[2], box[1]], [box[0], box[3]], [box[2], box[3]]]) {
    const [u, v] = applyAffine(crop.toCrop, x, y);
    xs.push(u); ys.push(v);
  }
  const S = crop.size;
  const c = (v: number) => Math.min(S, Math.max(0, v)) / S;
  const b: [number, number, number, number] = [c(Math.min(...xs)), c(Math.min(...ys)), c(Math.max(...xs)), c(Math.max(...ys))];
  return b[2] > b[0] && b[3] > b[1] ? b : null;
}

/** The tight person box in crop units (the crop is axis-aligned without train-time rotation). */
export function personBoxToCrop(crop: PersonCrop, box: readonly number[]): [number, number, number, number] {
  const [u1, v1] = applyAffine(crop.toCrop, box[0], box[1]);
  const [u2, v2] = applyAffine(crop.toCrop, box[2], box[3]);
  const S = crop.size;
  return [Math.min(u1, u2) / S, Math.min(v1, v2) / S, Math.max(u1, u2) / S, Math.max(v1, v2) / S];
}

/**
 * Crop-unit targets for a person (tight box) with keypoints [x, y, v] and an object box, in an image of the given size.
 * Null when the person crop is empty or the object box lies outside the crop.
 */
export function toCropUnits(
  imageSize: readonly [number, number], personBox: Box, objectBox: readonly number[], keypoints: readonly (readonly number[])[],
): CropTargets | null {
  const crop = personCrop(personBox, imageSize[0], imageSize[1], CROP_SIZE);
  if (!crop) return null;
  const ob = objectBoxToCrop(crop, objectBox);
  if (!ob) return null;
  const joints = new Float32Array(NUM_JOINTS * 2);
  const mask = new Float32Array(NUM_JOINTS);
  for (let j = 0; j < NUM_JOINTS; j++) {
    const k = keypoints[j];
    const [u, v] = applyAffine(crop.toCrop, k[0], k[1]);
    const inside = u >= 0 && u < CROP_SIZE && v >= 0 && v < CROP_SIZE;
    const valid = k[2] > 0;
    joints[2 * j] = valid ? u / CROP_SIZE : 0.5;
    joints[2 * j + 1] = valid ? v / CROP_SIZE : 0.5;
    mask[j] = valid && inside ? 1 : 0;
  }
  return { crop, joints, mask, objectBox: ob, personBox: personBoxToCrop(crop, personBox) };
}

/** Crop units -> image pixels (`scale` 256 by default; the official code uses 255). */
export function fromCropUnits(crop: PersonCrop, joints: ArrayLike<number>, scale = CROP_SIZE): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let j = 0; j < joints.length / 2; j++) out.push(applyAffine(crop.toImage, joints[2 * j] * scale, joints[2 * j + 1] * scale));
  return out;
}

/** Horizontal flip in crop units: x -> 1 - x with left/right joints swapped. */
export function flipJoints(joints: Float32Array, mask?: Float32Array): { joints: Float32Array; mask?: Float32Array } {
  const j2 = new Float32Array(joints.length);
  const m2 = mask ? new Float32Array(mask.length) : undefined;
  for (let j = 0; j < NUM_JOINTS; j++) {
    const s = FLIP_INDEX[j];
    j2[2 * j] = 1 - joints[2 * s];
    j2[2 * j + 1] = joints[2 * s + 1];
    if (m2 && mask) m2[j] = mask[s];
  }
  return { joints: j2, mask: m2 };
}

/** Horizontal flip of a box in crop units. */
export function flipBox(b: readonly number[]): [number, number, number, number] {
  return [1 - b[2], b[1], 1 - b[0], b[3]];
}
