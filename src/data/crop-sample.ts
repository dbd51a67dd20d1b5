/**
 * The paper's training input for one (person, object box) sample: the person crop (tight box doubled, squared,
 * x1.25, warped to 256x256) with the official train-time augmentation: scale 1 + 0.25 clip(N, -1, 1); rotation
 * 30 deg clip(N, -2, 2) with probability 0.6; per-channel colour scale U[0.8, 1.2]; horizontal flip with
 * probability 0.5 swapping left/right joints. Joints come out in crop units (crop pixels / size), the object box in
 * crop pixels clipped to [0, size] (its four corners mapped, as the official code does). Pure: no file access.
 */
import { CROP_SIZE, personCrop, warpAffine, applyAffine, type Affine, type RasterImage } from '../skeleton/calculators/crop.ts';
import { flipKeypoints, type Keypoint } from '../skeleton/topology.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Rng } from './rng.ts';

/** One draw of the train-time augmentation. */
export interface Augmentation {
  scale: number;
  /** Degrees. */
  rotation: number;
  /** Per-channel colour multipliers. */
  colour: [number, number, number];
  flip: boolean;
}

export const NO_AUGMENTATION: Augmentation = { scale: 1, rotation: 0, colour: [1, 1, 1], flip: false };

/** Draw the official augmentation. */
export function drawAugmentation(rng: Rng): Augmentation {
  const clip = (v: number, a: number) => Math.max(-a, Math.min(a, v));
  const scale = 1 + 0.25 * clip(rng.normal(), 1);
  const rotation = rng.next() <= 0.6 ? 30 * clip(rng.normal(), 2) : 0;
  const colour: [number, number, number] = [rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)];
  return { scale, rotation, colour, flip: rng.next() < 0.5 };
}

/** What a training step needs for one sample. */
export interface TrainCrop {
  /** RGB floats in [0, 1], [size * size * 3]. */
  image: Float32Array;
  size: number;
  /** Joints in crop units [17 * 2] (x / size, y / size); 0 where not labelled. */
  joints: Float32Array;
  /** Labelled (COCO v > 0). */
  valid: Uint8Array;
  /** Labelled and inside the crop. */
  trunc: Uint8Array;
  /** Object box in crop pixels, clipped to [0, size]. */
  objectBox: Box;
  /** Crop pixels -> pixels of the original (unflipped) image. */
  toImage: Affine;
  augmentation: Augmentation;
}

export interface CropInput {
  imageSize: [number, number];
  personBox: Box;
  objectBox: Box;
  /** COCO-17 [x, y, c]; c > 0 is labelled. */
  keypoints: Keypoint[];
}

/**
 * Crop targets without pixels (joints, masks, object box, maps) for a sample and an augmentation; null when the
 * person box lies outside the image.
 */
export function cropTargets(s: CropInput, aug: Augmentation = NO_AUGMENTATION, size = CROP_SIZE): Omit<TrainCrop, 'image'> | null {
  const [W, H] = s.imageSize;
  let person = s.personBox, object = s.objectBox, kps = s.keypoints;
  if (aug.flip) {
    person = flipBox(person, W);
    object = flipBox(object, W);
    kps = flipKeypoints(kps, W);
  }
  const crop = personCrop(person, W, H, size, aug.scale, aug.rotation);
  if (!crop) return null;
  const joints = new Float32Array(34), valid = new Uint8Array(17), trunc = new Uint8Array(17);
  for (let j = 0; j < 17; j++) {
    if (!(kps[j][2] > 0)) continue;
    const [u, v] = applyAffine(crop.toCrop, kps[j][0], kps[j][1]);
    joints[j * 2] = u / size;
    joints[j * 2 + 1] = v / size;
    valid[j] = 1;
    trunc[j] = u >= 0 && v >= 0 && u < size && v < size ? 1 : 0;
  }
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const [x, y] of [[object[0], object[1]], [object[2], object[1]], [object[0], object[3]], [object[2], object[3]]]) {
    const [u, v] = applyAffine(crop.toCrop, x, y);
    x1 = Math.min(x1, u); y1 = Math.min(y1, v); x2 = Math.max(x2, u); y2 = Math.max(y2, v);
  }
  const c = (v: number) => Math.max(0, Math.min(size, v));
  const objectBox: Box = [c(x1), c(y1), c(x2), c(y2)];
  // crop -> flipped image -> original image (x -> W - 1 - x)
  const t = crop.toImage;
  const toImage: Affine = aug.flip ? [-t[0], -t[1], W - 1 - t[2], t[3], t[4], t[5]] : t;
  return { size, joints, valid, trunc, objectBox, toImage, augmentation: aug };
}

/** The full training crop: pixels plus targets. */
export function cropTrainingSample(image: RasterImage<Uint8Array>, s: CropInput, aug: Augmentation = NO_AUGMENTATION, size = CROP_SIZE): TrainCrop | null {
  const t = cropTargets(s, aug, size);
  if (!t) return null;
  const warped = warpAffine(image, t.toImage, size);
  const px = warped.data;
  const [cr, cg, cb] = aug.colour;
  for (let i = 0; i < px.length; i += 3) {
    px[i] = Math.min(1, (px[i] * cr) / 255);
    px[i + 1] = Math.min(1, (px[i + 1] * cg) / 255);
    px[i + 2] = Math.min(1, (px[i + 2] * cb) / 255);
  }
  return { image: px, ...t };
}

/** Mirror a box in an image of width W (official convention: x -> W - 1 - x). */
export function flipBox(b: Box, W: number): Box {
  return [W - 1 - b[2], b[1], W - 1 - b[0], b[3]];
}
