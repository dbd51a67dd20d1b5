import { describe, expect, it } from 'vitest';
import { cropTargets, cropTrainingSample, drawAugmentation, flipBox, NO_AUGMENTATION, type CropInput } from '../../src/data/crop-sample.ts';
import { Rng } from '../../src/data/rng.ts';
import { applyAffine, personCrop } from '../../src/skeleton/calculators/crop.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

const EPS = 1e-4;
const W = 200, H = 160;
const kps: Keypoint[] = Array.from({ length: 17 }, (_, j): Keypoint => [80 + (j % 2 ? 10 : -10) + j, 40 + j * 5, j === 3 ? 0 : 1]);
const sample: CropInput = { imageSize: [W, H], personBox: [60, 30, 120, 130], objectBox: [100, 90, 130, 120], keypoints: kps };

/** An image with a 3x3 red marker at the left wrist (joint 9) and a blue one at the right wrist (10). */
function markedImage() {
  const data = new Uint8Array(W * H * 3).fill(100);
  for (const [j, c] of [[9, [255, 0, 0]], [10, [0, 0, 255]]] as const) {
    const [x, y] = kps[j];
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
      const o = ((Math.round(y) + dy) * W + Math.round(x) + dx) * 3;
      data[o] = c[0]; data[o + 1] = c[1]; data[o + 2] = c[2];
    }
  }
  return { data, width: W, height: H, channels: 3 };
}

function pixelAt(img: Float32Array, size: number, u: number, v: number): number[] {
  const o = (Math.floor(v) * size + Math.floor(u)) * 3;
  return [img[o], img[o + 1], img[o + 2]];
}

describe('training crop', () => {
  it('without augmentation: joints are the paper crop coordinates / 256, the object box maps by its corners', () => {
    const t = cropTargets(sample)!;
    const crop = personCrop(sample.personBox, W, H)!;
    for (let j = 0; j < 17; j++) {
      if (j === 3) { expect(t.valid[j]).toBe(0); continue; }
      const [u, v] = applyAffine(crop.toCrop, kps[j][0], kps[j][1]);
      expect(Math.abs(t.joints[j * 2] - u / 256)).toBeLessThan(EPS);
      expect(Math.abs(t.joints[j * 2 + 1] - v / 256)).toBeLessThan(EPS);
      expect(t.trunc[j]).toBe(1);
    }
    const [u1, v1] = applyAffine(crop.toCrop, 100, 90);
    const [u2, v2] = applyAffine(crop.toCrop, 130, 120);
    expect(t.objectBox.map((x) => +x.toFixed(3))).toEqual([u1, v1, u2, v2].map((x) => +x.toFixed(3)));
  });

  const augs = [
    { name: 'identity', aug: NO_AUGMENTATION },
    { name: 'flip', aug: { ...NO_AUGMENTATION, flip: true } },
    { name: 'scale 1.2, rotation 25', aug: { ...NO_AUGMENTATION, scale: 1.2, rotation: 25 } },
    { name: 'flip, scale 0.8, rotation -40, colour', aug: { scale: 0.8, rotation: -40, colour: [1.1, 0.9, 1] as [number, number, number], flip: true } },
  ];
  for (const c of augs) {
    it(`${c.name}: the pixels under each wrist joint show that wrist's marker (flip swaps left and right)`, () => {
      const t = cropTrainingSample(markedImage(), sample, c.aug)!;
      const red = [1, 0, 0], blue = [0, 0, 1];
      // after a flip the crop's left wrist (9) is the image's right wrist (blue)
      const want9 = c.aug.flip ? blue : red, want10 = c.aug.flip ? red : blue;
      for (const [j, want] of [[9, want9], [10, want10]] as const) {
        const px = pixelAt(t.image, 256, t.joints[j * 2] * 256, t.joints[j * 2 + 1] * 256);
        const k = c.aug.colour;
        for (let ch = 0; ch < 3; ch++) expect(px[ch]).toBeCloseTo(Math.min(1, want[ch] * k[ch]), 1);
      }
      // crop -> image map sends each joint back to its image position
      for (const j of [0, 5, 9, 16]) {
        const src = c.aug.flip ? [W - 1 - kps[j === 9 ? 10 : j === 5 ? 6 : j === 16 ? 15 : j][0], 0] : [kps[j][0], 0];
        const [x] = applyAffine(t.toImage, t.joints[j * 2] * 256, t.joints[j * 2 + 1] * 256);
        expect(Math.abs(c.aug.flip ? W - 1 - x - src[0] : x - src[0])).toBeLessThan(1e-3);
      }
    });
  }

  it('draws the official augmentation ranges', () => {
    const rng = new Rng(4);
    let rotated = 0, flipped = 0;
    for (let i = 0; i < 2000; i++) {
      const a = drawAugmentation(rng);
      expect(a.scale).toBeGreaterThanOrEqual(0.75); expect(a.scale).toBeLessThanOrEqual(1.25);
      expect(Math.abs(a.rotation)).toBeLessThanOrEqual(60);
      for (const k of a.colour) { expect(k).toBeGreaterThanOrEqual(0.8); expect(k).toBeLessThanOrEqual(1.2); }
      if (a.rotation !== 0) rotated++;
      if (a.flip) flipped++;
    }
    expect(rotated / 2000).toBeCloseTo(0.6, 1);
    expect(flipped / 2000).toBeCloseTo(0.5, 1);
  });

  it('flipBox mirrors with the official W - 1 - x convention', () => {
    expect(flipBox([10, 5, 30, 25], 100)).toEqual([69, 5, 89, 25]);
  });
});
