/**
 * Inpainting masks (1 channel, 255 = repaint, 0 = keep, at the image's size) and the masked image the inpainting
 * model is fed. Pure: no I/O.
 */
import type { RasterImage } from '../skeleton/calculators/crop.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { MASKED_FILL, MASK_ON } from './constants.ts';

/** Options of the mask builders. */
export interface MaskOptions {
  /** Grow the region by this many pixels on every side [box: 0; hull: 10 % of the hull's larger side, >= 8]. */
  grow?: number;
  /** Soften the edge: a linear ramp from 255 to 0 over this many pixels outside the (grown) region [0]. */
  feather?: number;
}

/** Value of a pixel whose centre lies `d` pixels outside the grown region (d <= 0: inside). */
function ramp(d: number, feather: number): number {
  if (d <= 0) return MASK_ON;
  if (feather <= 0 || d >= feather) return 0;
  return Math.round(MASK_ON * (1 - d / feather));
}

function checkSize(fn: string, width: number, height: number): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`${fn}(): width and height must be positive integers, got ${width}x${height}`);
  }
}

function checkOpts(fn: string, o: MaskOptions): void {
  for (const k of ['grow', 'feather'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${fn}(): ${k} must be a number >= 0, got ${v}`);
  }
}

/**
 * The person box as a mask: a pixel is 255 when its centre (x + 0.5, y + 0.5) lies inside the box grown by `grow`,
 * fading linearly to 0 over `feather` pixels outside it.
 * @returns 1-channel raster [height, width].
 */
export function personMask(box: Box, width: number, height: number, opts: MaskOptions = {}): RasterImage<Uint8Array> {
  checkSize('personMask', width, height);
  checkOpts('personMask', opts);
  const grow = opts.grow ?? 0;
  const feather = opts.feather ?? 0;
  const [x1, y1, x2, y2] = [box[0] - grow, box[1] - grow, box[2] + grow, box[3] + grow];
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    const dy = cy < y1 ? y1 - cy : cy > y2 ? cy - y2 : 0;
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      const dx = cx < x1 ? x1 - cx : cx > x2 ? cx - x2 : 0;
      // inside when both distances are 0 (a centre exactly on the edge counts as inside)
      const d = dx === 0 && dy === 0 ? 0 : Math.hypot(dx, dy);
      data[y * width + x] = ramp(d, feather);
    }
  }
  return { data, width, height, channels: 1 };
}

/** Convex hull (Andrew's monotone chain), no repeated or collinear points. */
export function convexHull(points: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const p = [...points].map((q): [number, number] => [q[0], q[1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: number[], a: number[], b: number[]): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Array<[number, number]> = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Array<[number, number]> = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Distance from (x, y) to the segment a-b. */
function segmentDistance(x: number, y: number, a: readonly number[], b: readonly number[]): number {
  const vx = b[0] - a[0];
  const vy = b[1] - a[1];
  const len2 = vx * vx + vy * vy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - a[0]) * vx + (y - a[1]) * vy) / len2)) : 0;
  return Math.hypot(x - (a[0] + t * vx), y - (a[1] + t * vy));
}

/**
 * The skeleton's convex hull as a mask: keypoints with c > 0, their hull grown by `grow` pixels (a rounded
 * outline), feathered like personMask. Fewer than one valid keypoint gives an all-zero mask.
 * @returns 1-channel raster [height, width].
 */
export function hullMask(keypoints: readonly Keypoint[], width: number, height: number, opts: MaskOptions = {}): RasterImage<Uint8Array> {
  checkSize('hullMask', width, height);
  checkOpts('hullMask', opts);
  const data = new Uint8Array(width * height);
  const pts = keypoints.filter((k) => k[2] > 0 && Number.isFinite(k[0]) && Number.isFinite(k[1])).map((k): [number, number] => [k[0], k[1]]);
  if (pts.length === 0) return { data, width, height, channels: 1 };
  const hull = convexHull(pts);
  const xs = hull.map((p) => p[0]);
  const ys = hull.map((p) => p[1]);
  const side = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const grow = opts.grow ?? Math.max(8, 0.1 * side);
  const feather = opts.feather ?? 0;
  const reach = grow + feather;
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - reach - 1));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs) + reach + 1));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - reach - 1));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys) + reach + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      let pos = false;
      let neg = false;
      let d = Infinity;
      for (let i = 0; i < hull.length; i++) {
        const a = hull[i];
        const b = hull[(i + 1) % hull.length];
        // inside a convex polygon: the point is on the same side of every edge
        const cross = (b[0] - a[0]) * (cy - a[1]) - (b[1] - a[1]) * (cx - a[0]);
        if (cross > 0) pos = true;
        if (cross < 0) neg = true;
        d = Math.min(d, segmentDistance(cx, cy, a, b));
      }
      const inside = hull.length >= 3 && !(pos && neg);
      data[y * width + x] = ramp(inside ? 0 : d - grow, feather);
    }
  }
  return { data, width, height, channels: 1 };
}

/**
 * The masked image as the inpainting model sees it: pixels whose mask value is >= 128 (the mask binarised at 0.5,
 * as diffusers does) are set to MASKED_FILL grey (0 in the model's [-1, 1] units); the rest is the image.
 * @returns RGB raster of the image's size.
 */
export function maskedImage(image: RasterImage<Uint8Array>, mask: RasterImage<Uint8Array>, fill = MASKED_FILL): RasterImage<Uint8Array> {
  if (mask.width !== image.width || mask.height !== image.height || mask.channels !== 1) {
    throw new RangeError(`maskedImage(): mask must be 1 channel ${image.width}x${image.height}, got ${mask.channels} channel(s) ${mask.width}x${mask.height}`);
  }
  const ch = image.channels;
  const data = Uint8Array.from(image.data);
  for (let i = 0; i < mask.data.length; i++) {
    if (mask.data[i] >= 128) for (let c = 0; c < ch; c++) data[i * ch + c] = fill;
  }
  return { data, width: image.width, height: image.height, channels: ch };
}
