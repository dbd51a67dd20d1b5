/**
 * ROI-Align of a box on a feature map (pure, no tensors): each of the g x g bins averages s x s bilinear samples
 * (Mask R-CNN / torchvision `roi_align` with aligned=True, sampling_ratio s). Map cell (i, j) has its centre at
 * (j + 0.5, i + 0.5) in map units; samples outside [-1, size] are zero, as in torchvision.
 */

/** One bilinear sample of a bin: the four neighbouring cells and their weights (already divided by s * s). */
type BinSample = (bin: number, y0: number, y1: number, x0: number, x1: number, w00: number, w01: number, w10: number, w11: number) => void;

/** Visit every bilinear sample of every bin of `box` on an h x w map (bins row-major). */
function forEachSample(h: number, w: number, box: readonly number[], g: number, s: number, visit: BinSample): void {
  const [x1, y1, x2, y2] = box;
  const bw = (x2 - x1) / g, bh = (y2 - y1) / g;
  const norm = 1 / (s * s);
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      for (let sy = 0; sy < s; sy++) {
        let y = y1 + (r + (sy + 0.5) / s) * bh - 0.5;
        if (y < -1 || y > h) continue;
        y = Math.min(Math.max(y, 0), h - 1);
        const y0 = Math.floor(y), yy1 = Math.min(y0 + 1, h - 1), fy = y - y0;
        for (let sx = 0; sx < s; sx++) {
          let x = x1 + (c + (sx + 0.5) / s) * bw - 0.5;
          if (x < -1 || x > w) continue;
          x = Math.min(Math.max(x, 0), w - 1);
          const x0 = Math.floor(x), xx1 = Math.min(x0 + 1, w - 1), fx = x - x0;
          visit(r * g + c, y0, yy1, x0, xx1, (1 - fy) * (1 - fx) * norm, (1 - fy) * fx * norm, fy * (1 - fx) * norm, fy * fx * norm);
        }
      }
    }
  }
}

/**
 * @param map feature map [h, w, C], row-major (HWC)
 * @param box [x1, y1, x2, y2] in map units (0..w, 0..h)
 * @param g bins per side (8 -> 64 tokens)
 * @param flip read the map mirrored horizontally (x -> w - x), for flip augmentation on cached features
 * @returns [g * g * C], token-major (bin row, bin col, channel)
 */
export function roiAlign(
  map: Float32Array, h: number, w: number, C: number, box: readonly number[], g: number, s = 2,
  flip = false, out = new Float32Array(g * g * C),
): Float32Array {
  out.fill(0);
  forEachSample(h, w, box, g, s, (bin, y0, y1, x0, x1, w00, w01, w10, w11) => {
    const c0 = flip ? w - 1 - x0 : x0, c1 = flip ? w - 1 - x1 : x1;
    const o = bin * C;
    const a = (y0 * w + c0) * C, b = (y0 * w + c1) * C, d = (y1 * w + c0) * C, e = (y1 * w + c1) * C;
    for (let k = 0; k < C; k++) out[o + k] += w00 * map[a + k] + w01 * map[b + k] + w10 * map[d + k] + w11 * map[e + k];
  });
  return out;
}

/**
 * The same ROI-Align as a linear map: weights [g * g, h * w] such that `weights x map[h * w, C]` equals
 * `roiAlign(map, h, w, C, box, g, s)`. A batched matMul of these matrices with a feature map is ROI-Align inside a
 * tfjs graph, with gradients to the map (for backbones trained with the model).
 */
export function roiAlignMatrix(h: number, w: number, box: readonly number[], g: number, s = 2): Float32Array {
  const out = new Float32Array(g * g * h * w);
  forEachSample(h, w, box, g, s, (bin, y0, y1, x0, x1, w00, w01, w10, w11) => {
    const o = bin * h * w;
    out[o + y0 * w + x0] += w00;
    out[o + y0 * w + x1] += w01;
    out[o + y1 * w + x0] += w10;
    out[o + y1 * w + x1] += w11;
  });
  return out;
}
