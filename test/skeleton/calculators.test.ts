import { describe, expect, it } from 'vitest';
import { roiAlign } from '../../src/skeleton/calculators/roi-align.ts';
import { flipBox, flipJoints, fromCropUnits, objectBoxToCrop, toCropUnits } from '../../src/skeleton/calculators/normalise.ts';
import { personCrop } from '../../src/skeleton/calculators/crop.ts';
import type { Box } from '../../src/skeleton/calculators/box.ts';

const EPS = 1e-4;

describe('roiAlign', () => {
  const h = 4, w = 4, C = 2;
  // channel 0 = x index of the cell, channel 1 = constant 3
  const map = new Float32Array(h * w * C);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { map[(y * w + x) * C] = x; map[(y * w + x) * C + 1] = 3; }
  const cases = [
    { name: 'constant channel stays constant', box: [0.5, 0.5, 3.5, 3.5], g: 2, ch: 1, want: [3, 3, 3, 3] },
    // bins of a box [1,1,3,3] with g = 2: centres x = 1.5 and 2.5 -> map coordinate x - 0.5 = 1 and 2
    { name: 'linear ramp is sampled at the bin centres', box: [1, 1, 3, 3], g: 2, ch: 0, want: [1, 2, 1, 2] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = roiAlign(map, h, w, C, c.box, c.g, 2);
      const got = Array.from({ length: c.g * c.g }, (_, t) => out[t * C + c.ch]);
      got.forEach((v, i) => expect(v).toBeCloseTo(c.want[i], 5));
    });
  }
  it('flip reads the mirrored map (x -> w - x)', () => {
    const out = roiAlign(map, h, w, C, [1, 1, 3, 3], 2, 2, true);
    // mirrored ramp: value at map x is (w - 1 - x)
    expect(out[0]).toBeCloseTo(2, 5);
    expect(out[C]).toBeCloseTo(1, 5);
  });
});

describe('crop units', () => {
  const size: [number, number] = [640, 480];
  const person: Box = [200, 100, 300, 400];
  const kps = Array.from({ length: 17 }, (_, j) => [210 + j * 5, 120 + j * 15, j === 3 ? 0 : 2]);
  it('joints round-trip through crop units (scale 256)', () => {
    const t = toCropUnits(size, person, [250, 200, 290, 240], kps)!;
    const back = fromCropUnits(t.crop, t.joints);
    for (let j = 0; j < 17; j++) {
      if (j === 3) continue;
      expect(Math.abs(back[j][0] - kps[j][0])).toBeLessThan(EPS);
      expect(Math.abs(back[j][1] - kps[j][1])).toBeLessThan(EPS);
    }
    expect(t.mask[3]).toBe(0);
    expect(t.mask[0]).toBe(1);
    t.objectBox.forEach((v) => { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); });
  });
  it('an object box outside the crop gives null', () => {
    const crop = personCrop(person, 640, 480)!;
    expect(objectBoxToCrop(crop, [630, 470, 639, 479])).toBeNull();
    expect(toCropUnits(size, person, [630, 470, 639, 479], kps)).toBeNull();
  });
  it('flip twice is the identity and swaps left/right', () => {
    const j = new Float32Array(34).map((_, i) => (i * 0.37) % 1);
    const m = new Float32Array(17).map((_, i) => i % 2);
    const once = flipJoints(j, m);
    expect(once.joints[2 * 1]).toBeCloseTo(1 - j[2 * 2], 6); // left eye <- mirrored right eye
    const twice = flipJoints(once.joints, once.mask);
    twice.joints.forEach((v, i) => expect(v).toBeCloseTo(j[i], 6));
    expect(Array.from(twice.mask!)).toEqual(Array.from(m));
    expect(flipBox([0.1, 0.2, 0.3, 0.4])).toEqual([0.7, 0.2, 0.9, 0.4].map((v, i) => (i === 0 ? 1 - 0.3 : i === 2 ? 1 - 0.1 : v)));
  });
});
