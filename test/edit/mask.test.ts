import { describe, expect, it } from 'vitest';
import { convexHull, hullMask, maskedImage, personMask } from '../../src/edit/mask.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';
import type { RasterImage } from '../../src/skeleton/calculators/crop.ts';

const at = (m: RasterImage<Uint8Array>, x: number, y: number): number => m.data[y * m.width + x];
const count = (m: RasterImage<Uint8Array>, v = 255): number => m.data.reduce((n, p) => n + (p === v ? 1 : 0), 0);

describe('personMask', () => {
  it.each([
    ['plain box: pixel centres in [2,6] x [3,8]', {}, 4 * 5],
    ['grown by 1', { grow: 1 }, 6 * 7],
    ['grown by 0.4 (no pixel centre gained)', { grow: 0.4 }, 4 * 5],
  ])('%s', (_n, opts, n) => {
    const m = personMask([2, 3, 6, 8], 10, 10, opts);
    expect(m.channels).toBe(1);
    expect(m.data).toHaveLength(100);
    expect(count(m)).toBe(n);
    expect(count(m) + count(m, 0)).toBe(100);
  });

  it('feathers linearly outside the box', () => {
    const m = personMask([2, 3, 6, 8], 10, 10, { feather: 2 });
    expect(at(m, 5, 5)).toBe(255);
    expect(at(m, 6, 5)).toBe(191); // 0.5 px out: 255 * 0.75
    expect(at(m, 7, 5)).toBe(64); // 1.5 px out: 255 * 0.25
    expect(at(m, 8, 5)).toBe(0);
  });

  it('clips a box that leaves the image', () => {
    const m = personMask([-5, -5, 3, 3], 6, 6);
    expect(count(m)).toBe(9);
  });

  it('rejects a negative grow', () => {
    expect(() => personMask([0, 0, 1, 1], 4, 4, { grow: -1 })).toThrow(/grow must be a number >= 0/);
  });
});

describe('hullMask', () => {
  const square: Keypoint[] = [[10, 10, 1], [30, 10, 1], [30, 30, 1], [10, 30, 1], [20, 20, 1], [0, 0, 0]];
  it('the hull of the valid keypoints, exact with grow 0', () => {
    const m = hullMask(square, 40, 40, { grow: 0 });
    expect(at(m, 20, 20)).toBe(255);
    expect(at(m, 10, 20)).toBe(255); // centre 10.5 inside
    expect(at(m, 9, 20)).toBe(0); // centre 9.5 outside
    expect(at(m, 2, 2)).toBe(0); // the c = 0 point at the origin is ignored
    expect(count(m)).toBe(20 * 20);
  });
  it('grows by a rounded margin', () => {
    const m = hullMask(square, 40, 40, { grow: 2 });
    expect(at(m, 8, 20)).toBe(255); // 1.5 px out
    expect(at(m, 7, 20)).toBe(0); // 2.5 px out
    expect(at(m, 8, 8)).toBe(0); // corner: 2.12 px out
    expect(at(m, 9, 9)).toBe(255); // corner: 0.71 px out
  });
  it('convexHull drops inner and collinear points', () => {
    expect(convexHull([[0, 0], [2, 0], [1, 0], [2, 2], [0, 2], [1, 1]])).toHaveLength(4);
  });
  it('no valid keypoint: an empty mask', () => {
    expect(count(hullMask([[1, 1, 0]], 8, 8), 0)).toBe(64);
  });
});

describe('maskedImage', () => {
  it('greys out the repaint region (mask >= 128) and keeps the rest', () => {
    const image = { data: new Uint8Array(4 * 3).fill(200), width: 2, height: 2, channels: 3 };
    const mask = { data: Uint8Array.from([255, 128, 127, 0]), width: 2, height: 2, channels: 1 };
    const out = maskedImage(image, mask);
    expect(Array.from(out.data)).toEqual([128, 128, 128, 128, 128, 128, 200, 200, 200, 200, 200, 200]);
    expect(image.data[0]).toBe(200);
  });
  it('rejects a mask of another size', () => {
    const image = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 };
    expect(() => maskedImage(image, { data: new Uint8Array(1), width: 1, height: 1, channels: 1 })).toThrow(/mask must be 1 channel 2x2/);
  });
});
