/**
 * ROI-Align of a box on a feature map (pure, no tensors): each of the g x g bins averages s x s bilinear samples
 * (Mask R-CNN / torchvision `roi_align` with aligned=True, sampling_ratio s). Map cell (i, j) has its centre at
 * (j + 0.5, i + 0.5) in map units; samples outside [-1, size] are zero, as in torchvision.
 */

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
  const [x1, y1, x2, y2] = box;
  const bw = (x2 - x1) / g, bh = (y2 - y1) / g;
  const norm = 1 / (s * s);
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      const o = (r * g + c) * C;
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
          const cols = flip ? [w - 1 - x0, w - 1 - xx1] : [x0, xx1];
          const w00 = (1 - fy) * (1 - fx) * norm, w01 = (1 - fy) * fx * norm, w10 = fy * (1 - fx) * norm, w11 = fy * fx * norm;
          const a = (y0 * w + cols[0]) * C, b = (y0 * w + cols[1]) * C, d = (yy1 * w + cols[0]) * C, e = (yy1 * w + cols[1]) * C;
          for (let k = 0; k < C; k++) out[o + k] += w00 * map[a + k] + w01 * map[b + k] + w10 * map[d + k] + w11 * map[e + k];
        }
      }
    }
  }
  return out;
}

/**
 * The same ROI-Align as a linear map: weights [g * g, h * w] such that `weights x map[h * w, C]` equals
 * `roiAlign(map, h, w, C, box, g, s)`. A batched matMul of these matrices with a feature map is ROI-Align inside a
 * tfjs graph, with gradients to the map (for backbones trained with the model).
 */
export function roiAlignMatrix(h: number, w: number, box: readonly number[], g: number, s = 2): Float32Array {
  const out = new Float32Array(g * g * h * w);
  const [x1, y1, x2, y2] = box;
  const bw = (x2 - x1) / g, bh = (y2 - y1) / g;
  const norm = 1 / (s * s);
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      const o = (r * g + c) * h * w;
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
          out[o + y0 * w + x0] += (1 - fy) * (1 - fx) * norm;
          out[o + y0 * w + xx1] += (1 - fy) * fx * norm;
          out[o + yy1 * w + x0] += fy * (1 - fx) * norm;
          out[o + yy1 * w + xx1] += fy * fx * norm;
        }
      }
    }
  }
  return out;
}
