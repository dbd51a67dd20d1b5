/**
 * A pixel-exact port of the OpenCV drawing primitives ControlNet's OpenPose maps are made of (non-antialiased,
 * LINE_8, shift 0): `ellipse2Poly`, `fillConvexPoly` (outline with `line`, then scanline fill), `line` (clipped
 * 8-connected Bresenham) and the filled midpoint `circle`. Pure TypeScript on interleaved 8-bit rasters; no I/O.
 *
 * The integer arithmetic follows OpenCV's `modules/imgproc/src/drawing.cpp` step by step (fixed point with
 * XY_SHIFT = 16, `cvRound` = round half to even, the float32 degree sine table), so the same inputs light the same
 * pixels. All coordinates are integer pixels, origin top-left.
 */
import type { RasterImage } from '../skeleton/calculators/crop.ts';

/** A 2D integer point [x, y] in pixels. */
export type IPoint = [number, number];
/** A colour with one value per channel of the canvas (e.g. [r, g, b]), each 0..255. */
export type Colour = readonly number[];

const XY_SHIFT = 16;
const XY_ONE = 1 << XY_SHIFT;

/**
 * sin(i degrees) for i = 0..450, like OpenCV's `SinTable` (cos(a) = SIN_TABLE[450 - a]): OpenCV's table holds the
 * sines rounded to 7 decimals as float32 literals, and those roundings decide pixels, so they are reproduced here.
 */
const SIN_TABLE: Float32Array = (() => {
  const t = new Float32Array(451);
  for (let i = 0; i <= 450; i++) t[i] = Math.round(Math.sin((i * Math.PI) / 180) * 1e7) / 1e7;
  return t;
})();

/** OpenCV's cvRound: round to nearest, ties to even (the SSE2 default rounding mode). */
export function cvRound(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Arithmetic right shift by XY_SHIFT of a (possibly negative, possibly > 2^31) integer held in a double. */
const shr = (v: number): number => Math.floor(v / XY_ONE);

/**
 * cv::ellipse2Poly(center, axes, angle, arcStart, arcEnd, delta): the ellipse outline as integer points, angles in
 * whole degrees, consecutive duplicates dropped.
 */
export function ellipse2Poly(center: IPoint, axes: IPoint, angle: number, arcStart = 0, arcEnd = 360, delta = 1): IPoint[] {
  if (!(delta > 0 && delta <= 180)) throw new RangeError(`ellipse2Poly(): delta must be in (0, 180], got ${delta}`);
  angle = Math.trunc(angle);
  while (angle < 0) angle += 360;
  while (angle > 360) angle -= 360;
  if (arcStart > arcEnd) [arcStart, arcEnd] = [arcEnd, arcStart];
  while (arcStart < 0) { arcStart += 360; arcEnd += 360; }
  while (arcEnd > 360) { arcEnd -= 360; arcStart -= 360; }
  if (arcEnd - arcStart > 360) { arcStart = 0; arcEnd = 360; }
  // sincos(): alpha = cos(angle), beta = sin(angle), both float32
  const alpha = SIN_TABLE[450 - angle];
  const beta = SIN_TABLE[angle];
  const pts: IPoint[] = [];
  let prevX = Number.NaN;
  let prevY = Number.NaN;
  for (let i = arcStart; i < arcEnd + delta; i += delta) {
    let a = i;
    if (a > arcEnd) a = arcEnd;
    if (a < 0) a += 360;
    const x = axes[0] * SIN_TABLE[450 - a];
    const y = axes[1] * SIN_TABLE[a];
    const px = cvRound(center[0] + x * alpha - y * beta);
    const py = cvRound(center[1] + x * beta + y * alpha);
    if (px !== prevX || py !== prevY) {
      pts.push([px, py]);
      prevX = px;
      prevY = py;
    }
  }
  if (pts.length === 1) return [[center[0], center[1]], [center[0], center[1]]];
  return pts;
}

/** Set pixels x1..x2 (inclusive) of row y to `colour` (ICV_HLINE); the caller clips. */
function hline(img: RasterImage<Uint8Array>, y: number, x1: number, x2: number, colour: Colour): void {
  const ch = img.channels;
  let o = (y * img.width + x1) * ch;
  for (let x = x1; x <= x2; x++) for (let c = 0; c < ch; c++) img.data[o++] = colour[c];
}

/**
 * cv::clipLine for an image of size w x h: clips the segment in place; false when nothing of it is inside.
 */
export function clipLine(w: number, h: number, p1: IPoint, p2: IPoint): boolean {
  if (w <= 0 || h <= 0) return false;
  const right = w - 1;
  const bottom = h - 1;
  let [x1, y1] = p1;
  let [x2, y2] = p2;
  let c1 = +(x1 < 0) + +(x1 > right) * 2 + +(y1 < 0) * 4 + +(y1 > bottom) * 8;
  let c2 = +(x2 < 0) + +(x2 > right) * 2 + +(y2 < 0) * 4 + +(y2 > bottom) * 8;
  if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
    let a: number;
    if (c1 & 12) {
      a = c1 < 8 ? 0 : bottom;
      x1 += Math.trunc(((a - y1) * (x2 - x1)) / (y2 - y1));
      y1 = a;
      c1 = +(x1 < 0) + +(x1 > right) * 2;
    }
    if (c2 & 12) {
      a = c2 < 8 ? 0 : bottom;
      x2 += Math.trunc(((a - y2) * (x2 - x1)) / (y2 - y1));
      y2 = a;
      c2 = +(x2 < 0) + +(x2 > right) * 2;
    }
    if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
      if (c1) {
        a = c1 === 1 ? 0 : right;
        y1 += Math.trunc(((a - x1) * (y2 - y1)) / (x2 - x1));
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        a = c2 === 1 ? 0 : right;
        y2 += Math.trunc(((a - x2) * (y2 - y1)) / (x2 - x1));
        x2 = a;
        c2 = 0;
      }
    }
  }
  p1[0] = x1; p1[1] = y1; p2[0] = x2; p2[1] = y2;
  return (c1 | c2) === 0;
}

/** cv::line with LINE_8 and thickness 1 (the LineIterator walk, left to right, clipped to the image). */
export function line(img: RasterImage<Uint8Array>, pt1: IPoint, pt2: IPoint, colour: Colour): void {
  const { width: w, height: h, channels: ch } = img;
  const p1: IPoint = [pt1[0], pt1[1]];
  const p2: IPoint = [pt2[0], pt2[1]];
  if (p1[0] < 0 || p1[0] >= w || p2[0] < 0 || p2[0] >= w || p1[1] < 0 || p1[1] >= h || p2[1] < 0 || p2[1] >= h) {
    if (!clipLine(w, h, p1, p2)) return;
  }
  let dx = p2[0] - p1[0];
  let dy = p2[1] - p1[1];
  let sx = p1[0];
  let sy = p1[1];
  if (dx < 0) { dx = -dx; dy = -dy; sx = p2[0]; sy = p2[1]; } // leftToRight: start at the left end
  let stepY = 1;
  if (dy < 0) { dy = -dy; stepY = -1; }
  const vert = dy > dx;
  if (vert) [dx, dy] = [dy, dx];
  // 8-connectivity: the major axis advances every step, the minor one when err < 0 (before the update)
  let err = dx - (dy + dy);
  const plusDelta = dx + dx;
  const minusDelta = -(dy + dy);
  const count = dx + 1;
  let x = sx;
  let y = sy;
  for (let i = 0; i < count; i++) {
    const o = (y * w + x) * ch;
    for (let c = 0; c < ch; c++) img.data[o + c] = colour[c];
    const minor = err < 0;
    err += minusDelta + (minor ? plusDelta : 0);
    if (vert) { y += stepY; if (minor) x += 1; } else { x += 1; if (minor) y += stepY; }
  }
}

/**
 * cv::fillConvexPoly(img, pts, colour, LINE_8, shift 0): the outline drawn with `line`, then the interior filled
 * scanline by scanline with fixed-point edge walking.
 */
export function fillConvexPoly(img: RasterImage<Uint8Array>, v: readonly IPoint[], colour: Colour): void {
  const npts = v.length;
  if (npts <= 0) return;
  const { width, height } = img;
  const delta1 = XY_ONE >> 1;
  const delta2 = XY_ONE >> 1;
  let imin = 0;
  let xmin = v[0][0], xmax = v[0][0], ymin = v[0][1], ymax = v[0][1];
  let p0: IPoint = v[npts - 1];
  for (let i = 0; i < npts; i++) {
    const p = v[i];
    if (p[1] < ymin) { ymin = p[1]; imin = i; }
    ymax = Math.max(ymax, p[1]);
    xmax = Math.max(xmax, p[0]);
    xmin = Math.min(xmin, p[0]);
    line(img, p0, p, colour);
    p0 = p;
  }
  if (npts < 3 || xmax < 0 || ymax < 0 || xmin >= width || ymin >= height) return;
  ymax = Math.min(ymax, height - 1);
  const edge = [
    { idx: imin, di: 1, x: -XY_ONE, dx: 0, ye: ymin },
    { idx: imin, di: npts - 1, x: -XY_ONE, dx: 0, ye: ymin },
  ];
  let edges = npts;
  let y = ymin;
  do {
    for (let i = 0; i < 2; i++) {
      const e = edge[i];
      if (y >= e.ye) {
        let idx0 = e.idx;
        let idx = idx0 + e.di;
        if (idx >= npts) idx -= npts;
        for (; edges-- > 0;) {
          const ty = v[idx][1];
          if (ty > y) {
            const xs = v[idx0][0] * XY_ONE;
            const xe = v[idx][0] * XY_ONE;
            e.ye = ty;
            // C integer division truncates toward zero
            e.dx = Math.trunc(((xe - xs) * 2 + (ty - y)) / (2 * (ty - y)));
            e.x = xs;
            e.idx = idx;
            break;
          }
          idx0 = idx;
          idx += e.di;
          if (idx >= npts) idx -= npts;
        }
      }
    }
    if (edges < 0) break;
    if (y >= 0) {
      const [left, right] = edge[0].x > edge[1].x ? [1, 0] : [0, 1];
      let xx1 = shr(edge[left].x + delta1);
      let xx2 = shr(edge[right].x + delta2);
      if (xx2 >= 0 && xx1 < width) {
        if (xx1 < 0) xx1 = 0;
        if (xx2 >= width) xx2 = width - 1;
        hline(img, y, xx1, xx2, colour);
      }
    }
    edge[0].x += edge[0].dx;
    edge[1].x += edge[1].dx;
  } while (++y <= ymax);
}

/** cv::circle(img, center, radius, colour, thickness -1, LINE_8): the filled integer midpoint circle. */
export function fillCircle(img: RasterImage<Uint8Array>, center: IPoint, radius: number, colour: Colour): void {
  const { width: w, height: h } = img;
  const [cx, cy] = center;
  let err = 0;
  let dx = radius;
  let dy = 0;
  let plus = 1;
  let minus = (radius << 1) - 1;
  const span = (y: number, x1: number, x2: number): void => {
    if (y < 0 || y >= h) return;
    const a = Math.max(x1, 0);
    const b = Math.min(x2, w - 1);
    if (a <= b) hline(img, y, a, b, colour);
  };
  while (dx >= dy) {
    const y11 = cy - dy, y12 = cy + dy, y21 = cy - dx, y22 = cy + dx;
    const x11 = cx - dx, x12 = cx + dx, x21 = cx - dy, x22 = cx + dy;
    if (x11 < w && x12 >= 0 && y21 < h && y22 >= 0) {
      span(y11, x11, x12);
      span(y12, x11, x12);
      if (x21 < w && x22 >= 0) {
        span(y21, x21, x22);
        span(y22, x21, x22);
      }
    }
    dy++;
    err += plus;
    plus += 2;
    if (err > 0) {
      err -= minus;
      dx -= 1;
      minus -= 2;
    }
  }
}

/** A black canvas of the given size and channel count. */
export function blankCanvas(width: number, height: number, channels = 3): RasterImage<Uint8Array> {
  return { data: new Uint8Array(width * height * channels), width, height, channels };
}
