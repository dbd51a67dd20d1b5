/**
 * Boxes. The project's box is `[x1, y1, x2, y2]` in pixels; COCO's is `[x, y, w, h]`.
 */
import { UsageError } from '../../errors.ts';

/** `[x1, y1, x2, y2]` in image pixels. */
export type Box = [number, number, number, number];
/** COCO `[x, y, w, h]`. */
export type XywhBox = [number, number, number, number];

export const xywhToXyxy = ([x, y, w, h]: readonly number[]): Box => [x, y, x + w, y + h];
export const xyxyToXywh = ([x1, y1, x2, y2]: readonly number[]): XywhBox => [x1, y1, x2 - x1, y2 - y1];
export const boxWidth = (b: readonly number[]): number => b[2] - b[0];
export const boxHeight = (b: readonly number[]): number => b[3] - b[1];
export const boxCenter = (b: readonly number[]): [number, number] => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

/** Area of the intersection of two boxes (0 when they do not overlap). */
export function intersectionArea(a: readonly number[], b: readonly number[]): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Plain intersection over union. */
export function iou(a: readonly number[], b: readonly number[]): number {
  const inter = intersectionArea(a, b);
  const union = boxWidth(a) * boxHeight(a) + boxWidth(b) * boxHeight(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Parse and check a box given as "x1,y1,x2,y2" (or an array). Rejects anything that is not four finite numbers,
 * inverted or empty boxes, and (when `image` is given) boxes that lie entirely outside the image.
 */
export function parseBox(value: unknown, name: string, image?: { width: number; height: number }): Box {
  let parts: unknown[];
  if (typeof value === 'string') parts = value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  else if (Array.isArray(value)) parts = value;
  else throw new UsageError(`${name} must be four numbers x1,y1,x2,y2, got ${JSON.stringify(value)}`);
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  if (parts.length !== 4 || !parts.every((p) => typeof p === 'number' && Number.isFinite(p))) {
    throw new UsageError(`${name} must be four finite numbers x1,y1,x2,y2, got ${shown}`);
  }
  const box = parts as Box;
  if (box[2] <= box[0] || box[3] <= box[1]) {
    throw new UsageError(`${name} must have x2 > x1 and y2 > y1 (a non-empty, non-inverted box), got ${shown}`);
  }
  if (image && (box[2] <= 0 || box[3] <= 0 || box[0] >= image.width || box[1] >= image.height)) {
    throw new UsageError(`${name} ${shown} lies outside the ${image.width}x${image.height} image`);
  }
  return box;
}

/** Clip a box to the image rectangle. */
export function clipBox(b: readonly number[], width: number, height: number): Box {
  return [Math.max(0, b[0]), Math.max(0, b[1]), Math.min(width, b[2]), Math.min(height, b[3])];
}

/** Scale a box about its centre by `factor` (width and height). */
export function scaleBox(b: readonly number[], factor: number): Box {
  const [cx, cy] = boxCenter(b);
  const hw = (boxWidth(b) * factor) / 2;
  const hh = (boxHeight(b) * factor) / 2;
  return [cx - hw, cy - hh, cx + hw, cy + hh];
}
