/**
 * ControlNet OpenPose guidance maps and OpenPose JSON, for one or several people.
 *
 * Drawing follows ControlNet's `draw_bodypose` exactly (sd-webui-controlnet HEAD variant, see
 * reference/openpose-and-servers.md §3): black background; per person, the 17 limbs in ControlNet's order, each a
 * filled convex ellipse polygon (`ellipse2Poly` + `fillConvexPoly`, LINE_8) in floor(0.6 * colour), then a filled
 * circle at every present keypoint in its full colour. Limb half-width and joint radius are 4 px at a 512-px short
 * side and scale with the image. Pure: no I/O.
 */
import type { RasterImage } from '../skeleton/calculators/crop.ts';
import { cocoToOpenPose, openPoseToCoco, type Keypoint } from '../skeleton/topology.ts';
import type { OpenPoseFile } from '../data/formats.ts';
import { FormatError } from '../errors.ts';
import { blankCanvas, ellipse2Poly, fillCircle, fillConvexPoly } from './cv-draw.ts';
import {
  JOINT_RADIUS, KEYPOINT_THRESHOLD, LIMB_DIM, OPENPOSE_COLOURS, OPENPOSE_LIMBS, REFERENCE_SIDE, STICK_WIDTH,
} from './constants.ts';

/** Options of drawOpenPoseMap. */
export interface OpenPoseMapOptions {
  /**
   * Limb half-width in pixels. Default: STICK_WIDTH (4) scaled by min(width, height) / 512, rounded, at least 1
   * (4 px on a 512-px short side, ControlNet's detect resolution).
   */
  stickWidth?: number;
  /** Joint circle radius in pixels. Default: JOINT_RADIUS (4) scaled like stickWidth. */
  jointRadius?: number;
  /** Keypoints with c below this are not drawn [0.3]. The neck exists when both shoulders reach it. */
  threshold?: number;
}

/** Stroke sizes for an image: [stickWidth, jointRadius] (4 and 4 at a 512-px short side). */
export function openPoseStrokeSizes(width: number, height: number): [number, number] {
  const s = Math.min(width, height) / REFERENCE_SIDE;
  return [Math.max(1, Math.round(STICK_WIDTH * s)), Math.max(1, Math.round(JOINT_RADIUS * s))];
}

/**
 * COCO-17 -> OpenPose-18 points with presence: a point is present when c >= threshold; the neck (mean of the
 * shoulders) when both shoulders are present. Returns null for absent points.
 */
export function openPosePoints(coco: readonly Keypoint[], threshold = KEYPOINT_THRESHOLD): Array<[number, number] | null> {
  const op = cocoToOpenPose(coco, Number.NEGATIVE_INFINITY);
  const shouldersOk = coco[5][2] >= threshold && coco[6][2] >= threshold;
  return op.map((p, k) => {
    const present = k === 1 ? shouldersOk : p[2] >= threshold && p[2] > 0;
    return present && Number.isFinite(p[0]) && Number.isFinite(p[1]) ? [p[0], p[1]] : null;
  });
}

/**
 * Draw the ControlNet OpenPose map of `people` (each COCO-17 keypoints in image pixels) on a black
 * `width` x `height` RGB canvas.
 * @returns RGB raster, 3 channels, row-major, top-left origin.
 */
export function drawOpenPoseMap(people: readonly Keypoint[][], width: number, height: number, opts: OpenPoseMapOptions = {}): RasterImage<Uint8Array> {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`drawOpenPoseMap(): width and height must be positive integers, got ${width}x${height}`);
  }
  const [autoStick, autoRadius] = openPoseStrokeSizes(width, height);
  const stickWidth = opts.stickWidth ?? autoStick;
  const radius = opts.jointRadius ?? autoRadius;
  const canvas = blankCanvas(width, height, 3);
  for (const person of people) {
    const pts = openPosePoints(person, opts.threshold ?? KEYPOINT_THRESHOLD);
    OPENPOSE_LIMBS.forEach(([a, b], i) => {
      const pa = pts[a];
      const pb = pts[b];
      if (!pa || !pb) return;
      drawLimb(canvas, pa, pb, stickWidth, OPENPOSE_COLOURS[i].map((c) => Math.trunc(c * LIMB_DIM)));
    });
    pts.forEach((p, k) => {
      if (p) fillCircle(canvas, [Math.trunc(p[0]), Math.trunc(p[1])], radius, OPENPOSE_COLOURS[k]);
    });
  }
  return canvas;
}

const RAD_TO_DEG = 180 / Math.PI;

/** One limb as ControlNet draws it: the ellipse between two points, axes (length/2, stickWidth). */
function drawLimb(canvas: RasterImage<Uint8Array>, a: [number, number], b: [number, number], stickWidth: number, colour: number[]): void {
  const mx = (a[0] + b[0]) / 2;
  const my = (a[1] + b[1]) / 2;
  const length = Math.sqrt((a[1] - b[1]) ** 2 + (a[0] - b[0]) ** 2);
  const angle = Math.trunc(Math.atan2(a[1] - b[1], a[0] - b[0]) * RAD_TO_DEG);
  const poly = ellipse2Poly([Math.trunc(mx), Math.trunc(my)], [Math.trunc(length / 2), stickWidth], angle, 0, 360, 1);
  fillConvexPoly(canvas, poly, colour);
}

/**
 * OpenPose / ControlNet pose JSON for `people` (COCO-17, image pixels): 18 points per person in pixel coordinates,
 * a present point as [x, y, 1], a missing one as [0, 0, 0] (the encoding ControlNet reads back).
 */
export function toOpenPoseJson(people: readonly Keypoint[][], width: number, height: number, threshold = KEYPOINT_THRESHOLD): OpenPoseFile {
  return {
    people: people.map((person) => ({
      pose_keypoints_2d: openPosePoints(person, threshold).flatMap((p) => (p ? [round3(p[0]), round3(p[1]), 1] : [0, 0, 0])),
      face_keypoints_2d: null,
      hand_left_keypoints_2d: null,
      hand_right_keypoints_2d: null,
    })),
    canvas_width: width,
    canvas_height: height,
  };
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Read OpenPose JSON into COCO-17 keypoints in pixels, one array per person. Coordinates are taken as normalised
 * (and multiplied by the canvas size) when every present x and y lies in [-1, 1], as ControlNet's editors decide.
 * A point with c <= 0 is missing ([0, 0, 0]); others keep their confidence (clamped to 1). The neck is dropped.
 */
export function fromOpenPoseJson(file: OpenPoseFile): Keypoint[][] {
  const { canvas_width: w, canvas_height: h } = file;
  const triples = file.people.map((person, n) => {
    const k = person.pose_keypoints_2d;
    if (!Array.isArray(k) || k.length !== 54) {
      throw new FormatError(`OpenPose JSON people.${n}.pose_keypoints_2d must hold 18 x,y,c triples (54 numbers), got ${Array.isArray(k) ? k.length : typeof k}`);
    }
    return Array.from({ length: 18 }, (_, i): Keypoint => [k[3 * i], k[3 * i + 1], k[3 * i + 2]]);
  });
  const present = (p: Keypoint): boolean => p[2] > 0;
  const normalised = triples.every((pts) => pts.every((p) => !present(p) || (Math.abs(p[0]) <= 1 && Math.abs(p[1]) <= 1)));
  return triples.map((pts) => openPoseToCoco(pts.map((p): Keypoint => {
    if (!present(p)) return [0, 0, 0];
    return normalised ? [p[0] * w, p[1] * h, Math.min(1, p[2])] : [p[0], p[1], Math.min(1, p[2])];
  })));
}
