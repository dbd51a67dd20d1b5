/**
 * The paper's person crop and its exact inverse.
 *
 * Recipe (official code, `V_COCO.py` + `process_bbox` + `gen_trans_from_patch_cv`):
 * 1. start from the tight person box; 2. double it about its centre; 3. clip it to the image (official `-1` pixel
 * convention); 4. make it square by enlarging the short side; 5. scale by 1.25; 6. warp to `size` x `size`
 * (256 by default), optionally with a train-time scale and rotation about the crop centre.
 */
import type { Box, XywhBox } from './box.ts';

/** Side of the square network input. */
export const CROP_SIZE = 256;
/** Margin factor applied after squaring (process_bbox). */
export const CROP_MARGIN = 1.25;

/** A 2x3 affine matrix, row-major: [a, b, c, d, e, f] maps (x, y) to (a x + b y + c, d x + e y + f). */
export type Affine = [number, number, number, number, number, number];

/** The crop region (in image pixels) and the affine maps between image and crop. */
export interface PersonCrop {
  /** The square region in image pixels, `[x, y, w, h]`, before train-time scaling. */
  region: XywhBox;
  /** Output side in pixels. */
  size: number;
  /** Image pixels -> crop pixels. */
  toCrop: Affine;
  /** Crop pixels -> image pixels (the exact inverse of `toCrop`). */
  toImage: Affine;
}

/**
 * The square crop region of the paper for a tight person box `[x1, y1, x2, y2]` in an image of the given size.
 * Returns null when the clipped box is empty (the official code drops such samples).
 */
export function personCropRegion(person: Box, width: number, height: number): XywhBox | null {
  // 2. double the box about its centre: [x - w/2, y - h/2, 2w, 2h]
  const w0 = person[2] - person[0];
  const h0 = person[3] - person[1];
  const x = person[0] - w0 / 2;
  const y = person[1] - h0 / 2;
  const w = 2 * w0;
  const h = 2 * h0;
  // 3. clip (process_bbox keeps its -1 pixel convention, measured from the clipped corner)
  const x1 = Math.max(0, x);
  const y1 = Math.max(0, y);
  const x2 = Math.min(width - 1, x1 + Math.max(0, w - 1));
  const y2 = Math.min(height - 1, y1 + Math.max(0, h - 1));
  if (!(w * h > 0 && x2 >= x1 && y2 >= y1)) return null;
  let bw = x2 - x1;
  let bh = y2 - y1;
  const cx = x1 + bw / 2;
  const cy = y1 + bh / 2;
  // 4. square (aspect 1) by enlarging the short side; 5. margin
  if (bw > bh) bh = bw;
  else if (bw < bh) bw = bh;
  bw *= CROP_MARGIN;
  bh *= CROP_MARGIN;
  return [cx - bw / 2, cy - bh / 2, bw, bh];
}

/**
 * Affine maps for a crop region warped to `size` x `size`, with train-time `scale` (>1 zooms out) and rotation
 * `rotDeg` about the region centre (gen_trans_from_patch_cv).
 */
export function cropTransform(region: XywhBox, size = CROP_SIZE, scale = 1, rotDeg = 0): PersonCrop {
  const [rx, ry, rw, rh] = region;
  const cx = rx + rw / 2;
  const cy = ry + rh / 2;
  const r = (rotDeg * Math.PI) / 180;
  const cs = Math.cos(r);
  const sn = Math.sin(r);
  const sx = (rw * scale) / size;
  const sy = (rh * scale) / size;
  // image = c + R * S * (u - size/2)
  const a = cs * sx, b = -sn * sy, d = sn * sx, e = cs * sy;
  const half = size / 2;
  const toImage: Affine = [a, b, cx - a * half - b * half, d, e, cy - d * half - e * half];
  return { region, size, toCrop: invertAffine(toImage), toImage };
}

/** The paper's crop for a person box: region + transform. Null when the box is not inside the image at all. */
export function personCrop(person: Box, width: number, height: number, size = CROP_SIZE, scale = 1, rotDeg = 0): PersonCrop | null {
  const region = personCropRegion(person, width, height);
  return region ? cropTransform(region, size, scale, rotDeg) : null;
}

/** Apply a 2x3 affine to a point. */
export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Inverse of a 2x3 affine. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new RangeError('invertAffine(): singular matrix');
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** An interleaved float or byte image. */
export interface RasterImage<T extends Float32Array | Uint8Array = Float32Array | Uint8Array> {
  data: T;
  width: number;
  height: number;
  channels: number;
}

/**
 * Bilinear warp (cv2.warpAffine with INTER_LINEAR and a zero border): output pixel (u, v) samples the source at
 * `toImage(u, v)`. Returns floats in the source's value range.
 */
export function warpAffine(src: RasterImage, toImage: Affine, outW: number, outH = outW): RasterImage<Float32Array> {
  const { data, width, height, channels: ch } = src;
  const out = new Float32Array(outW * outH * ch);
  const [a, b, c, d, e, f] = toImage;
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      const x = a * u + b * v + c;
      const y = d * u + e * v + f;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const o = (v * outW + u) * ch;
      for (let dy = 0; dy <= 1; dy++) {
        const yy = y0 + dy;
        if (yy < 0 || yy >= height) continue;
        const wy = dy ? fy : 1 - fy;
        for (let dx = 0; dx <= 1; dx++) {
          const xx = x0 + dx;
          if (xx < 0 || xx >= width) continue;
          const w = wy * (dx ? fx : 1 - fx);
          if (w === 0) continue;
          const s = (yy * width + xx) * ch;
          for (let k = 0; k < ch; k++) out[o + k] += w * data[s + k];
        }
      }
    }
  }
  return { data: out, width: outW, height: outH, channels: ch };
}
