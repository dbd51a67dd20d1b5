/**
 * A small software rasteriser on plain typed arrays: RGB bytes, a depth buffer (camera z, metres) and a layer id per
 * pixel (0 background, then object / partner / furniture), so that the object box and joint occlusion can be read
 * back after drawing. Triangles (flat colour, optional two-colour pattern) and shaded capsules; no allocation per
 * pixel.
 */

/** Layer ids written into `Raster.layer`. */
export const LAYER = { background: 0, object: 1, partner: 2, furniture: 3 } as const;

/** A two-colour pattern: returns the mix in [0, 1] of the second colour at surface coordinates (s, t) in metres. */
export type PatternFn = (s: number, t: number) => number;

export interface Paint {
  /** Base colour, 0..255. */
  r: number; g: number; b: number;
  /** Optional second colour mixed in by `pattern`. */
  r2?: number; g2?: number; b2?: number;
  pattern?: PatternFn;
}

export class Raster {
  readonly width: number;
  readonly height: number;
  /** RGB, interleaved, row-major. */
  readonly rgb: Uint8Array;
  /** Camera-frame depth in metres; +Infinity where nothing was drawn. */
  readonly depth: Float32Array;
  /** Layer id per pixel (LAYER). */
  readonly layer: Uint8Array;

  /**
   * A cleared raster. `scratch` lets the depth and layer buffers be reused from an earlier raster of the same size
   * (they are not part of any result); the RGB buffer is always new.
   */
  constructor(width: number, height: number, scratch?: Raster) {
    this.width = width;
    this.height = height;
    this.rgb = new Uint8Array(width * height * 3);
    const reuse = scratch && scratch.width === width && scratch.height === height;
    this.depth = reuse ? scratch.depth.fill(Infinity) : new Float32Array(width * height).fill(Infinity);
    this.layer = reuse ? scratch.layer.fill(0) : new Uint8Array(width * height);
  }

  /**
   * Fill a triangle given in screen space (pixels, depth in metres) with a depth test. `s`/`t` are per-vertex surface
   * coordinates for the paint's pattern; `shade` multiplies the colour (lighting).
   */
  fillTriangle(
    x0: number, y0: number, z0: number, x1: number, y1: number, z1: number, x2: number, y2: number, z2: number,
    paint: Paint, shade: number, layer: number,
    s0 = 0, t0 = 0, s1 = 0, t1 = 0, s2 = 0, t2 = 0,
  ): void {
    if (z0 <= 0.05 || z1 <= 0.05 || z2 <= 0.05) return;
    const W = this.width, H = this.height;
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(area) < 1e-9) return;
    let minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
    let maxX = Math.min(W - 1, Math.ceil(Math.max(x0, x1, x2)));
    let minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    let maxY = Math.min(H - 1, Math.ceil(Math.max(y0, y1, y2)));
    if (minX > maxX || minY > maxY) return;
    const inv = 1 / area;
    const pat = paint.pattern;
    const r1 = shade * paint.r, g1 = shade * paint.g, b1 = shade * paint.b;
    const r2 = shade * (paint.r2 ?? paint.r), g2 = shade * (paint.g2 ?? paint.g), b2 = shade * (paint.b2 ?? paint.b);
    const { rgb, depth, layer: lay } = this;
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      for (let px = minX; px <= maxX; px++) {
        const cx = px + 0.5;
        // barycentric weights of vertices 0, 1, 2
        const w0 = ((x1 - cx) * (y2 - cy) - (x2 - cx) * (y1 - cy)) * inv;
        if (w0 < 0) continue;
        const w1 = ((x2 - cx) * (y0 - cy) - (x0 - cx) * (y2 - cy)) * inv;
        if (w1 < 0) continue;
        const w2 = 1 - w0 - w1;
        if (w2 < 0) continue;
        const z = w0 * z0 + w1 * z1 + w2 * z2;
        const i = py * W + px;
        if (z >= depth[i]) continue;
        depth[i] = z;
        lay[i] = layer;
        const o = i * 3;
        if (pat) {
          const m = pat(w0 * s0 + w1 * s1 + w2 * s2, w0 * t0 + w1 * t1 + w2 * t2);
          rgb[o] = clamp255(r1 + (r2 - r1) * m);
          rgb[o + 1] = clamp255(g1 + (g2 - g1) * m);
          rgb[o + 2] = clamp255(b1 + (b2 - b1) * m);
        } else {
          rgb[o] = clamp255(r1);
          rgb[o + 1] = clamp255(g1);
          rgb[o + 2] = clamp255(b1);
        }
      }
    }
  }

  /**
   * Fill a shaded capsule (a tapered cylinder with round ends) between screen points a and b with pixel radii ra, rb.
   * `mPerPx` converts a pixel radius to metres of depth so the surface bulges towards the camera. The light is a
   * direction in camera space (x right, y down, z forward; pointing from the surface to the light).
   */
  fillCapsule(
    ax: number, ay: number, az: number, bx: number, by: number, bz: number, ra: number, rb: number, mPerPx: number,
    paint: Paint, light: readonly number[], ambient: number, layer: number,
  ): void {
    if (az <= 0.05 || bz <= 0.05) return;
    const W = this.width, H = this.height;
    const rmax = Math.max(ra, rb);
    const minX = Math.max(0, Math.floor(Math.min(ax, bx) - rmax));
    const maxX = Math.min(W - 1, Math.ceil(Math.max(ax, bx) + rmax));
    const minY = Math.max(0, Math.floor(Math.min(ay, by) - rmax));
    const maxY = Math.min(H - 1, Math.ceil(Math.max(ay, by) + rmax));
    if (minX > maxX || minY > maxY) return;
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const { rgb, depth, layer: lay } = this;
    const lx = light[0], ly = light[1], lz = light[2];
    const diffuse = 1 - ambient;
    const pat = paint.pattern;
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      for (let px = minX; px <= maxX; px++) {
        const cx = px + 0.5;
        let t = len2 > 1e-9 ? ((cx - ax) * dx + (cy - ay) * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const qx = cx - (ax + t * dx), qy = cy - (ay + t * dy);
        const d2 = qx * qx + qy * qy;
        const r = ra + (rb - ra) * t;
        if (d2 >= r * r) continue;
        const i = py * W + px;
        const nz = Math.sqrt(1 - d2 / (r * r));
        const z = az + (bz - az) * t - nz * r * mPerPx;
        if (z >= depth[i]) continue;
        depth[i] = z;
        lay[i] = layer;
        // normal (qx/r, qy/r, -nz) in camera space; lambert + ambient
        const ndl = (qx * lx + qy * ly) / r - nz * lz;
        const sh = ambient + diffuse * (ndl > 0 ? ndl : 0);
        const o = i * 3;
        const m = pat ? pat(t, Math.atan2(qy, qx)) : 0;
        const cr = paint.r + ((paint.r2 ?? paint.r) - paint.r) * m;
        const cg = paint.g + ((paint.g2 ?? paint.g) - paint.g) * m;
        const cb = paint.b + ((paint.b2 ?? paint.b) - paint.b) * m;
        rgb[o] = clamp255(cr * sh);
        rgb[o + 1] = clamp255(cg * sh);
        rgb[o + 2] = clamp255(cb * sh);
      }
    }
  }

  /** Darken background pixels inside a convex or simple polygon (screen points) by `amount` (0..1), e.g. a shadow. */
  shadePolygon(xs: readonly number[], ys: readonly number[], amount: number, onlyLayer = 0): void {
    const n = xs.length;
    if (n < 3) return;
    const minY = Math.max(0, Math.floor(Math.min(...ys)));
    const maxY = Math.min(this.height - 1, Math.ceil(Math.max(...ys)));
    const k = 1 - amount;
    const cross: number[] = [];
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      cross.length = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const yi = ys[i], yj = ys[j];
        if ((yi > cy) !== (yj > cy)) cross.push(xs[i] + ((cy - yi) / (yj - yi)) * (xs[j] - xs[i]));
      }
      cross.sort((a, b) => a - b);
      for (let c = 0; c + 1 < cross.length; c += 2) {
        const x0 = Math.max(0, Math.ceil(cross[c] - 0.5));
        const x1 = Math.min(this.width - 1, Math.floor(cross[c + 1] - 0.5));
        for (let px = x0; px <= x1; px++) {
          const i = py * this.width + px;
          if (this.layer[i] !== onlyLayer) continue;
          const o = i * 3;
          this.rgb[o] = this.rgb[o] * k;
          this.rgb[o + 1] = this.rgb[o + 1] * k;
          this.rgb[o + 2] = this.rgb[o + 2] * k;
        }
      }
    }
  }

  /** Bounding box `[x1, y1, x2, y2]` (pixel edges) of the pixels of `layer`, or null when there are none. */
  layerBox(layer: number): [number, number, number, number] | null {
    const r = this.layerStats(layer);
    return r.area ? r.box : null;
  }

  /** Pixel count and bounding box of `layer` in one pass. */
  layerStats(layer: number): { area: number; box: [number, number, number, number] } {
    const { width: W, height: H, layer: lay } = this;
    let x1 = W, y1 = H, x2 = -1, y2 = -1, area = 0;
    for (let y = 0; y < H; y++) {
      const row = y * W;
      for (let x = 0; x < W; x++) {
        if (lay[row + x] !== layer) continue;
        area++;
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        if (y > y2) y2 = y;
      }
    }
    return { area, box: [x1, y1, x2 + 1, y2 + 1] };
  }

  /** Number of pixels of `layer`. */
  layerArea(layer: number): number {
    let n = 0;
    for (let i = 0; i < this.layer.length; i++) if (this.layer[i] === layer) n++;
    return n;
  }
}

export function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v | 0;
}
