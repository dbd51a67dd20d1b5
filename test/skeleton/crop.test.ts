import { describe, expect, it } from 'vitest';
import { applyAffine, CROP_SIZE, personCrop, personCropRegion, warpAffine } from '../../src/skeleton/calculators/crop.ts';
import { parseBox } from '../../src/skeleton/calculators/box.ts';
import { UsageError } from '../../src/errors.ts';

const EPS = 1e-4;

describe('person crop', () => {
  const cases: Array<{ name: string; box: [number, number, number, number]; w: number; h: number; scale?: number; rot?: number }> = [
    { name: 'centred tall box', box: [200, 100, 300, 400], w: 640, h: 480 },
    { name: 'box at the left edge (clipped)', box: [0, 50, 80, 300], w: 640, h: 480 },
    { name: 'wide box', box: [100, 200, 500, 260], w: 640, h: 480 },
    { name: 'with train-time scale and rotation', box: [200, 100, 300, 400], w: 640, h: 480, scale: 1.2, rot: 25 },
  ];
  for (const c of cases) {
    it(`${c.name}: round-trips points within 1e-4 px`, () => {
      const crop = personCrop(c.box, c.w, c.h, CROP_SIZE, c.scale ?? 1, c.rot ?? 0)!;
      expect(crop).not.toBeNull();
      for (const [x, y] of [[c.box[0], c.box[1]], [250.5, 123.25], [0, 0], [c.w, c.h]]) {
        const [u, v] = applyAffine(crop.toCrop, x, y);
        const [x2, y2] = applyAffine(crop.toImage, u, v);
        expect(Math.abs(x2 - x)).toBeLessThan(EPS);
        expect(Math.abs(y2 - y)).toBeLessThan(EPS);
      }
    });
  }
  it('doubles, squares and scales by 1.25 about the centre', () => {
    const r = personCropRegion([200, 100, 300, 400], 640, 480)!;
    // doubled: [150, -50, 200, 600] -> clipped y to [0, 479] (x2 = min(639, 150 + 199) = 349), h = 479
    expect(r[2]).toBeCloseTo(479 * 1.25, 6);
    expect(r[3]).toBeCloseTo(479 * 1.25, 6);
    expect(r[0] + r[2] / 2).toBeCloseTo(150 + 199 / 2, 6);
    expect(r[1] + r[3] / 2).toBeCloseTo(479 / 2, 6);
  });
  it('maps the crop centre to the region centre', () => {
    const crop = personCrop([200, 100, 300, 400], 640, 480)!;
    const [x, y] = applyAffine(crop.toImage, 128, 128);
    expect(x).toBeCloseTo(crop.region[0] + crop.region[2] / 2, 6);
    expect(y).toBeCloseTo(crop.region[1] + crop.region[3] / 2, 6);
  });
  it('returns null for a box outside the image', () => {
    expect(personCropRegion([700, 500, 800, 600], 640, 480)).toBeNull();
  });
  it('warps an image bilinearly (identity transform keeps pixels)', () => {
    const src = { data: Float32Array.from({ length: 4 * 4 }, (_, i) => i), width: 4, height: 4, channels: 1 };
    const out = warpAffine(src, [1, 0, 0, 0, 1, 0], 4);
    expect(Array.from(out.data)).toEqual(Array.from(src.data));
    const half = warpAffine(src, [1, 0, 0.5, 0, 1, 0], 2);
    expect(half.data[0]).toBeCloseTo(0.5);
  });
});

describe('parseBox', () => {
  const img = { width: 640, height: 480 };
  it('accepts x1,y1,x2,y2', () => expect(parseBox('1,2,30,40', '--person', img)).toEqual([1, 2, 30, 40]));
  const bad: Array<[string, unknown]> = [
    ['three numbers', '1,2,3'], ['NaN', '1,2,NaN,4'], ['inverted', '30,2,1,40'], ['empty', '1,2,1,40'],
    ['outside the image', '700,10,800,40'], ['not numbers', 'a,b,c,d'], ['empty field', '1,,3,4'], ['not a string', 5],
  ];
  for (const [name, v] of bad) {
    it(`rejects ${name} with a one-line UsageError`, () => {
      expect(() => parseBox(v, '--person', img)).toThrow(UsageError);
      try { parseBox(v, '--person', img); } catch (e) { expect((e as Error).message).not.toContain('\n'); expect((e as Error).message).toContain('--person'); }
    });
  }
});
