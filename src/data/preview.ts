/**
 * Contact sheet of synthetic samples for a person to look at: a grid of scenes, each with the (erased) person's
 * skeleton, the person box (green), the object box (red) and, in h2h scenes, the partner's skeleton (cyan), labelled
 * with action/category.
 */
import { LIMBS } from '../skeleton/topology.ts';
import type { SynthSample } from './types.ts';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, drawText } from './glyphs.ts';

export interface ContactSheet {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/** Limb colours (left warm, right cool, trunk/face yellow). */
const LIMB_COLOURS: ReadonlyArray<readonly [number, number, number]> = LIMBS.map(([a, b]) => {
  const left = [1, 3, 5, 7, 9, 11, 13, 15];
  const right = [2, 4, 6, 8, 10, 12, 14, 16];
  if (left.includes(a) && left.includes(b)) return [255, 120, 0] as const;
  if (right.includes(a) && right.includes(b)) return [0, 160, 255] as const;
  return [255, 230, 0] as const;
});

export function contactSheet(samples: readonly SynthSample[], cols = 4, cell = 256, gap = 4, labels = true): ContactSheet {
  const rows = Math.ceil(samples.length / cols);
  const W = cols * cell + (cols + 1) * gap, H = rows * cell + (rows + 1) * gap;
  const out = new Uint8Array(W * H * 3).fill(255);
  samples.forEach((s, n) => {
    const ox = gap + (n % cols) * (cell + gap), oy = gap + Math.floor(n / cols) * (cell + gap);
    const k = cell / Math.max(s.width, s.height);
    const cw = Math.round(s.width * k), ch = Math.round(s.height * k);
    // box-filtered downscale
    for (let y = 0; y < ch; y++) {
      const sy0 = Math.floor(y / k), sy1 = Math.max(sy0 + 1, Math.floor((y + 1) / k));
      for (let x = 0; x < cw; x++) {
        const sx0 = Math.floor(x / k), sx1 = Math.max(sx0 + 1, Math.floor((x + 1) / k));
        let r = 0, g = 0, b = 0, c = 0;
        for (let sy = sy0; sy < sy1 && sy < s.height; sy++) for (let sx = sx0; sx < sx1 && sx < s.width; sx++) {
          const i = (sy * s.width + sx) * 3;
          r += s.rgb[i]; g += s.rgb[i + 1]; b += s.rgb[i + 2]; c++;
        }
        const o = ((oy + y) * W + ox + x) * 3;
        out[o] = r / c; out[o + 1] = g / c; out[o + 2] = b / c;
      }
    }
    const put = (x: number, y: number, col: readonly number[]) => {
      if (x < 0 || y < 0 || x >= cw || y >= ch) return;
      const o = ((oy + y) * W + ox + x) * 3;
      out[o] = col[0]; out[o + 1] = col[1]; out[o + 2] = col[2];
    };
    const line = (x0: number, y0: number, x1: number, y1: number, col: readonly number[], w = 1) => {
      const steps = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))) + 1;
      for (let i = 0; i <= steps; i++) {
        const x = x0 + ((x1 - x0) * i) / steps, y = y0 + ((y1 - y0) * i) / steps;
        for (let dy = -w + 1; dy < w; dy++) for (let dx = -w + 1; dx < w; dx++) put(Math.round(x) + dx, Math.round(y) + dy, col);
      }
    };
    const rect = (b: readonly number[], col: readonly number[]) => {
      const [x1, y1, x2, y2] = b.map((v) => v * k);
      line(x1, y1, x2, y1, col); line(x2, y1, x2, y2, col); line(x2, y2, x1, y2, col); line(x1, y2, x1, y1, col);
    };
    s.people.forEach((p) => {
      rect(p.box, p.drawn ? [0, 220, 220] : [40, 220, 60]);
      for (const o of p.objects) rect(o.box, [230, 30, 30]);
      LIMBS.forEach(([a, b], li) => {
        const ka = p.keypoints[a], kb = p.keypoints[b];
        if (ka[2] === 0 || kb[2] === 0) return;
        const col = p.drawn ? [0, 230, 230] : LIMB_COLOURS[li];
        line(ka[0] * k, ka[1] * k, kb[0] * k, kb[1] * k, col, 2);
      });
      for (const kp of p.keypoints) {
        if (kp[2] === 0) continue;
        const col = kp[2] === 1 ? [120, 120, 120] : [255, 255, 255];
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (dx * dx + dy * dy <= 5) put(Math.round(kp[0] * k) + dx, Math.round(kp[1] * k) + dy, col);
      }
    });
    if (labels) {
      const text = `${s.template.action}/${s.template.category}`;
      const w = Math.min(cw, text.length * GLYPH_ADVANCE + 4);
      // a darkened strip behind white text
      for (let y = 0; y < GLYPH_HEIGHT + 4 && y < ch; y++) for (let x = 0; x < w; x++) {
        const o = ((oy + y) * W + ox + x) * 3;
        out[o] *= 0.35; out[o + 1] *= 0.35; out[o + 2] *= 0.35;
      }
      drawText(text, 2, 2, cw - 4, (x, y) => put(x, y, [255, 255, 255]));
    }
  });
  return { data: out, width: W, height: H, channels: 3 };
}
