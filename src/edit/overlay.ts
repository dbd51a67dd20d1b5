/**
 * A picture for people to look at: the image with the person, object (and partner) boxes and the skeleton drawn on
 * it in OpenPose colours. Pure: no I/O.
 */
import type { RasterImage } from '../skeleton/calculators/crop.ts';
import type { RgbImage } from '../io/image.ts';
import type { SkeletonFile } from '../data/formats.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { cvRound, fillCircle, fillConvexPoly, type Colour, type IPoint } from './cv-draw.ts';
import { KEYPOINT_THRESHOLD, OPENPOSE_COLOURS, OPENPOSE_LIMBS } from './constants.ts';
import { openPosePoints } from './openpose-map.ts';

/** Box colours of the overlay (RGB). */
export const OVERLAY_COLOURS = {
  person: [0, 255, 0] as Colour,
  object: [255, 160, 0] as Colour,
  partner: [0, 200, 255] as Colour,
};

/** Fill the axis-aligned rectangle [x1, x2] x [y1, y2] (inclusive, clipped). */
function fillRect(img: RasterImage<Uint8Array>, x1: number, y1: number, x2: number, y2: number, colour: Colour): void {
  const ch = img.channels;
  const a = Math.max(0, x1), b = Math.min(img.width - 1, x2);
  for (let y = Math.max(0, y1); y <= Math.min(img.height - 1, y2); y++) {
    for (let x = a; x <= b; x++) for (let c = 0; c < ch; c++) img.data[(y * img.width + x) * ch + c] = colour[c];
  }
}

/** Outline of a box, `t` pixels thick, inside the box edge. */
export function drawBox(img: RasterImage<Uint8Array>, box: Box, colour: Colour, t: number): void {
  const [x1, y1, x2, y2] = [Math.round(box[0]), Math.round(box[1]), Math.round(box[2]) - 1, Math.round(box[3]) - 1];
  fillRect(img, x1, y1, x2, y1 + t - 1, colour);
  fillRect(img, x1, y2 - t + 1, x2, y2, colour);
  fillRect(img, x1, y1, x1 + t - 1, y2, colour);
  fillRect(img, x2 - t + 1, y1, x2, y2, colour);
}

/** A segment `t` pixels wide (a filled quad). */
export function drawThickLine(img: RasterImage<Uint8Array>, a: readonly number[], b: readonly number[], colour: Colour, t: number): void {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  const nx = (-(b[1] - a[1]) / len) * (t / 2);
  const ny = ((b[0] - a[0]) / len) * (t / 2);
  const quad: IPoint[] = [
    [cvRound(a[0] + nx), cvRound(a[1] + ny)], [cvRound(b[0] + nx), cvRound(b[1] + ny)],
    [cvRound(b[0] - nx), cvRound(b[1] - ny)], [cvRound(a[0] - nx), cvRound(a[1] - ny)],
  ];
  fillConvexPoly(img, quad, colour);
}

/** Draw one skeleton (COCO-17, pixels) in OpenPose colours: full-colour limbs, then joints with a dark rim. */
export function drawSkeleton(img: RasterImage<Uint8Array>, kps: readonly Keypoint[], t: number): void {
  const pts = openPosePoints(kps, KEYPOINT_THRESHOLD);
  OPENPOSE_LIMBS.forEach(([a, b], i) => {
    const pa = pts[a];
    const pb = pts[b];
    if (pa && pb) drawThickLine(img, pa, pb, OPENPOSE_COLOURS[i], t);
  });
  pts.forEach((p, k) => {
    if (!p) return;
    const c: IPoint = [Math.round(p[0]), Math.round(p[1])];
    fillCircle(img, c, t + 1, [0, 0, 0]);
    fillCircle(img, c, t, OPENPOSE_COLOURS[k]);
  });
}

/**
 * The image with boxes (person green, object orange, partner blue) and the skeleton of sample `sample` (and the
 * partner's) drawn on it. Line width scales with the image (2 px at 512).
 * @returns RGB raster of the image's size (a new buffer; the image is not changed).
 */
export function drawOverlay(image: RgbImage, skel: SkeletonFile, sample = 0): RasterImage<Uint8Array> {
  if (!Number.isInteger(sample) || sample < 0 || sample >= skel.samples.length) {
    throw new RangeError(`drawOverlay(): sample must be an integer in [0, ${skel.samples.length - 1}], got ${sample}`);
  }
  const out: RasterImage<Uint8Array> = { data: Uint8Array.from(image.data), width: image.width, height: image.height, channels: 3 };
  const t = Math.max(2, Math.round(Math.min(image.width, image.height) / 256));
  if (skel.object_box) drawBox(out, skel.object_box, OVERLAY_COLOURS.object, t);
  if (skel.partner) drawBox(out, skel.partner.box, OVERLAY_COLOURS.partner, t);
  drawBox(out, skel.person_box, OVERLAY_COLOURS.person, t);
  if (skel.partner) drawSkeleton(out, skel.partner.keypoints, t);
  drawSkeleton(out, skel.samples[sample].keypoints, t);
  return out;
}
