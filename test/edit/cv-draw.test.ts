import { describe, expect, it } from 'vitest';
import { blankCanvas, clipLine, cvRound, ellipse2Poly, fillCircle, fillConvexPoly, line, type IPoint } from '../../src/edit/cv-draw.ts';
import type { RasterImage } from '../../src/skeleton/calculators/crop.ts';

/** The lit pixels of row y of a 1-channel canvas as [first, last] runs. */
function runs(img: RasterImage<Uint8Array>, y: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  for (let x = 0; x <= img.width; x++) {
    const on = x < img.width && img.data[y * img.width + x] !== 0;
    if (on && start < 0) start = x;
    if (!on && start >= 0) { out.push([start, x - 1]); start = -1; }
  }
  return out;
}

describe('cvRound (round half to even)', () => {
  it.each([
    [2.5, 2], [3.5, 4], [-2.5, -2], [-3.5, -4], [0.49999, 0], [0.5, 0], [1.5, 2], [2.51, 3], [-0.6, -1],
  ])('cvRound(%s) = %s', (v, want) => expect(cvRound(v)).toBe(want));
});

describe('ellipse2Poly', () => {
  it('axis-aligned ellipse: first vertices hand-computed (y reaches 0.5 px only after 7.18 degrees)', () => {
    const p = ellipse2Poly([50, 50], [10, 4], 0, 0, 360, 1);
    expect(p[0]).toEqual([60, 50]);
    // 4 sin(7 deg) = 0.487 -> 50; 4 sin(8 deg) = 0.557 -> 51; 10 cos(8 deg) = 9.90 -> 60
    expect(p[1]).toEqual([60, 51]);
    // no consecutive duplicates, closed back at the start
    for (let i = 1; i < p.length; i++) expect(p[i]).not.toEqual(p[i - 1]);
    expect(p[p.length - 1]).toEqual([60, 50]);
    // extremes
    expect(Math.min(...p.map((q) => q[0]))).toBe(40);
    expect(Math.max(...p.map((q) => q[1]))).toBe(54);
  });
  it('rotation by 90 degrees swaps the axes exactly', () => {
    const p = ellipse2Poly([50, 50], [10, 4], 90, 0, 360, 1);
    expect(p[0]).toEqual([50, 60]);
    expect(Math.min(...p.map((q) => q[0]))).toBe(46);
    expect(Math.max(...p.map((q) => q[0]))).toBe(54);
  });
  it('45 degrees: the first vertex is centre + 10 (cos45, sin45) rounded', () => {
    expect(ellipse2Poly([50, 50], [10, 4], 45)[0]).toEqual([57, 57]);
  });
  it('negative angles wrap like OpenCV (-90 == 270)', () => {
    expect(ellipse2Poly([20, 20], [7, 3], -90)).toEqual(ellipse2Poly([20, 20], [7, 3], 270));
  });
  it('a zero-size ellipse is the centre twice', () => {
    expect(ellipse2Poly([5, 6], [0, 0], 0)).toEqual([[5, 6], [5, 6]]);
  });
});

describe('fillCircle (cv2.circle, thickness -1)', () => {
  it('radius 4: the midpoint shape, row by row', () => {
    const img = blankCanvas(21, 21, 1);
    fillCircle(img, [10, 10], 4, [1]);
    // hand-run of OpenCV's Circle(): spans per row 6..14
    const want: Record<number, Array<[number, number]>> = {
      6: [[10, 10]], 7: [[8, 12]], 8: [[7, 13]], 9: [[7, 13]], 10: [[6, 14]],
      11: [[7, 13]], 12: [[7, 13]], 13: [[8, 12]], 14: [[10, 10]],
    };
    for (let y = 0; y < 21; y++) expect(runs(img, y), `row ${y}`).toEqual(want[y] ?? []);
  });
  it('radius 1 is a plus sign', () => {
    const img = blankCanvas(5, 5, 1);
    fillCircle(img, [2, 2], 1, [1]);
    expect([1, 2, 3].map((y) => runs(img, y))).toEqual([[[2, 2]], [[1, 3]], [[2, 2]]]);
  });
  it('clips at the image border', () => {
    const img = blankCanvas(8, 8, 1);
    fillCircle(img, [0, 0], 4, [1]);
    expect(runs(img, 0)).toEqual([[0, 4]]);
    expect(runs(img, 4)).toEqual([[0, 0]]);
    expect(runs(img, 5)).toEqual([]);
  });
});

describe('line (LINE_8)', () => {
  it('shallow line: Bresenham steps after the error turns negative', () => {
    const img = blankCanvas(10, 4, 1);
    line(img, [0, 0], [6, 2], [1]);
    // err starts at dx - 2dy = 2; minor steps follow the steps where err < 0
    expect(runs(img, 0)).toEqual([[0, 1]]);
    expect(runs(img, 1)).toEqual([[2, 4]]);
    expect(runs(img, 2)).toEqual([[5, 6]]);
  });
  it('is drawn left to right whichever end comes first', () => {
    const a = blankCanvas(10, 10, 1);
    const b = blankCanvas(10, 10, 1);
    line(a, [1, 8], [8, 3], [1]);
    line(b, [8, 3], [1, 8], [1]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
  it('clipLine cuts a segment to the image', () => {
    const p1: IPoint = [-5, 5];
    const p2: IPoint = [15, 5];
    expect(clipLine(10, 10, p1, p2)).toBe(true);
    expect([p1, p2]).toEqual([[0, 5], [9, 5]]);
    expect(clipLine(10, 10, [-5, -5], [-1, 20])).toBe(false);
  });
});

describe('fillConvexPoly of an ellipse2Poly limb (ControlNet stick, width 4)', () => {
  it('horizontal limb of length 20: rows hand-computed from the vertices', () => {
    const img = blankCanvas(64, 64, 1);
    fillConvexPoly(img, ellipse2Poly([30, 30], [10, 4], 180), [1]);
    // row y = 30 +- d spans the extreme vertices whose y rounds there:
    // d=0,1: 10 cos(8 deg) = 9.90 -> 20..40; d=2: 10 cos(23) = 9.21 -> 21..39; d=3: 10 cos(39) = 7.77 -> 22..38;
    // d=4: 10 cos(62) = 4.69 -> 25..35
    const want: Record<number, [number, number]> = { 26: [25, 35], 27: [22, 38], 28: [21, 39], 29: [20, 40], 30: [20, 40], 31: [20, 40], 32: [21, 39], 33: [22, 38], 34: [25, 35] };
    for (let y = 0; y < 64; y++) expect(runs(img, y), `row ${y}`).toEqual(want[y] ? [want[y]] : []);
  });
  it('a polygon partly outside the image is clipped, not wrapped', () => {
    const img = blankCanvas(16, 16, 1);
    fillConvexPoly(img, [[-4, -4], [6, -4], [6, 6], [-4, 6]], [1]);
    expect(runs(img, 0)).toEqual([[0, 6]]);
    expect(runs(img, 6)).toEqual([[0, 6]]);
    expect(runs(img, 7)).toEqual([]);
    expect(runs(img, 15)).toEqual([]);
  });
});
