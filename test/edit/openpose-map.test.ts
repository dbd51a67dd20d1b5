import { describe, expect, it } from 'vitest';
import { drawOpenPoseMap, fromOpenPoseJson, openPoseStrokeSizes, toOpenPoseJson } from '../../src/edit/openpose-map.ts';
import { OPENPOSE_COLOURS, OPENPOSE_LIMBS } from '../../src/edit/constants.ts';
import { parseOpenPoseFile } from '../../src/data/formats.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';
import type { RasterImage } from '../../src/skeleton/calculators/crop.ts';

const EPS = 1e-9;
const px = (img: RasterImage<Uint8Array>, x: number, y: number): number[] => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const none = (): Keypoint[] => Array.from({ length: 17 }, (): Keypoint => [0, 0, 0]);

/** A person with only the two shoulders: COCO 5 (left) at (60,30), COCO 6 (right) at (20,30); neck at (40,30). */
function shouldersOnly(): Keypoint[] {
  const k = none();
  k[5] = [60, 30, 1];
  k[6] = [20, 30, 1];
  return k;
}

describe('ControlNet drawing convention', () => {
  it('limb order and colours are ControlNet\'s (17 limbs, 18 colours, first and last)', () => {
    expect(OPENPOSE_LIMBS).toHaveLength(17);
    expect(OPENPOSE_LIMBS[0]).toEqual([1, 2]);
    expect(OPENPOSE_LIMBS[12]).toEqual([1, 0]);
    expect(OPENPOSE_LIMBS[16]).toEqual([15, 17]);
    expect(OPENPOSE_COLOURS[0]).toEqual([255, 0, 0]);
    expect(OPENPOSE_COLOURS[17]).toEqual([255, 0, 85]);
  });

  it.each([
    [512, 512, 4, 4], [640, 480, 4, 4], [1024, 768, 6, 6], [2048, 1024, 8, 8], [256, 256, 2, 2], [64, 64, 1, 1],
  ])('stroke sizes at %sx%s: stick %s, radius %s', (w, h, s, r) => expect(openPoseStrokeSizes(w, h)).toEqual([s, r]));
});

describe('drawOpenPoseMap: hand-computed pixels', () => {
  const img = drawOpenPoseMap([shouldersOnly()], 100, 64, { stickWidth: 4, jointRadius: 4 });
  const limb0 = [153, 0, 0]; // floor(0.6 * [255, 0, 0]), neck - right shoulder
  const limb1 = [153, 51, 0]; // floor(0.6 * [255, 85, 0]), neck - left shoulder
  it.each([
    ['background corner', 0, 0, [0, 0, 0]],
    ['background corner 2', 99, 63, [0, 0, 0]],
    ['limb 0 top tip', 30, 26, limb0],
    ['limb 0 top row left end', 25, 26, limb0],
    ['left of limb 0 top row', 24, 26, [0, 0, 0]],
    ['limb 0 row 27 right end, under nothing', 37, 27, limb0],
    ['limb 0 bottom row right end', 35, 34, limb0],
    ['right of limb 0 bottom row', 36, 34, [0, 0, 0]],
    ['gap between the limbs', 44, 26, [0, 0, 0]],
    ['limb 1 top row', 45, 26, limb1],
    ['limb 1 right end', 60 + 5, 34, [0, 0, 0]],
    ['neck joint full colour', 40, 30, [255, 85, 0]],
    ['neck joint row 27 (x 38..42)', 38, 27, [255, 85, 0]],
    ['neck joint tip', 40, 26, [255, 85, 0]],
    ['right shoulder joint (colour 2)', 20, 30, [255, 170, 0]],
    ['right shoulder joint left edge', 16, 30, [255, 170, 0]],
    ['left shoulder joint (colour 5)', 60, 30, [85, 255, 0]],
    ['left shoulder joint right edge', 64, 30, [85, 255, 0]],
    ['limb 1 end beyond the joint', 65, 30, [0, 0, 0]],
  ])('%s (%s, %s)', (_name, x, y, want) => expect(px(img, x as number, y as number)).toEqual(want));

  it('is black except for the two limbs and three joints', () => {
    const colours = new Set<string>();
    for (let i = 0; i < img.data.length; i += 3) colours.add(`${img.data[i]},${img.data[i + 1]},${img.data[i + 2]}`);
    expect([...colours].sort()).toEqual(['0,0,0', '153,0,0', '153,51,0', '255,170,0', '255,85,0', '85,255,0'].sort());
  });

  it('a vertical limb (neck - nose, 90 degrees) is the horizontal one turned', () => {
    const k = shouldersOnly();
    k[0] = [40, 10, 1];
    const m = drawOpenPoseMap([k], 100, 64, { stickWidth: 4, jointRadius: 4 });
    const nose = [0, 0, 153]; // floor(0.6 * [0, 0, 255])
    expect(px(m, 40, 18)).toEqual(nose);
    expect(px(m, 36, 15)).toEqual(nose); // column x = 36 spans rows 15..25
    expect(px(m, 36, 14)).toEqual([0, 0, 0]);
    expect(px(m, 35, 20)).toEqual([0, 0, 0]);
    expect(px(m, 40, 10)).toEqual([255, 0, 0]); // nose joint, colour 0
  });

  it('keypoints below the threshold and the neck without both shoulders are not drawn', () => {
    const k = shouldersOnly();
    k[6][2] = 0.2;
    const m = drawOpenPoseMap([k], 100, 64, { stickWidth: 4, jointRadius: 4 });
    expect(px(m, 40, 30)).toEqual([0, 0, 0]); // no neck
    expect(px(m, 20, 30)).toEqual([0, 0, 0]); // no right shoulder
    expect(px(m, 60, 30)).toEqual([85, 255, 0]);
  });

  it('several people: each drawn in the same colours; the later person is on top', () => {
    const a = shouldersOnly();
    const b = shouldersOnly().map((p): Keypoint => [p[0] + 30, p[1], p[2]]);
    const m = drawOpenPoseMap([a, b], 100, 64, { stickWidth: 4, jointRadius: 4 });
    expect(px(m, 70, 30)).toEqual([255, 85, 0]); // b's neck
    expect(px(m, 50, 30)).toEqual([255, 170, 0]); // b's right shoulder joint over a's limb 1
    expect(px(m, 40, 30)).toEqual([255, 85, 0]); // a's neck
  });

  it('scales the stick with the image: a 1024-px map has 8-px limbs', () => {
    const k = shouldersOnly().map((p): Keypoint => [p[0] * 10, p[1] * 10 + 200, p[2]]);
    const m = drawOpenPoseMap([k], 1024, 1024);
    // limb 0 centre (300, 500), half-width 8: rows 492..508 lit at x = 300, 491 and 509 not
    expect(px(m, 300, 492)).toEqual([153, 0, 0]);
    expect(px(m, 300, 508)).toEqual([153, 0, 0]);
    expect(px(m, 300, 491)).toEqual([0, 0, 0]);
    expect(px(m, 300, 509)).toEqual([0, 0, 0]);
  });

  it('rejects a bad size', () => {
    expect(() => drawOpenPoseMap([], 0, 10)).toThrow(/positive integers/);
  });
});

describe('OpenPose JSON', () => {
  const person = (): Keypoint[] => Array.from({ length: 17 }, (_, i): Keypoint => [10 + i * 3.25, 20 + i * 2, 0.9]);

  it('writes 18 points with the neck, [x, y, 1] present and [0, 0, 0] missing', () => {
    const k = person();
    k[16] = [5, 5, 0.1];
    const f = toOpenPoseJson([k], 640, 480);
    expect(f.canvas_width).toBe(640);
    expect(f.canvas_height).toBe(480);
    const p = f.people[0].pose_keypoints_2d;
    expect(p).toHaveLength(54);
    expect(p.slice(0, 3)).toEqual([10, 20, 1]); // nose
    expect(p.slice(3, 6)).toEqual([(k[5][0] + k[6][0]) / 2, (k[5][1] + k[6][1]) / 2, 1]); // neck
    expect(p.slice(6, 9)).toEqual([k[6][0], k[6][1], 1]); // OpenPose 2 = right shoulder = COCO 6
    expect(p.slice(30, 33)).toEqual([0, 0, 0]); // OpenPose 10 = right ankle = COCO 16, below threshold
    expect(() => parseOpenPoseFile(JSON.parse(JSON.stringify(f)))).not.toThrow();
  });

  it('round-trips pixels (confidence becomes 1)', () => {
    const k = person();
    const back = fromOpenPoseJson(toOpenPoseJson([k, k], 640, 480));
    expect(back).toHaveLength(2);
    back[1].forEach((p, i) => {
      expect(Math.abs(p[0] - k[i][0])).toBeLessThan(EPS);
      expect(Math.abs(p[1] - k[i][1])).toBeLessThan(EPS);
      expect(p[2]).toBe(1);
    });
  });

  it('reads normalised coordinates (every |x|, |y| <= 1) as fractions of the canvas', () => {
    const f = toOpenPoseJson([person()], 640, 480);
    const norm = {
      ...f,
      people: f.people.map((p) => ({ pose_keypoints_2d: p.pose_keypoints_2d.map((v, i) => (i % 3 === 0 ? v / 640 : i % 3 === 1 ? v / 480 : v)) })),
    };
    const back = fromOpenPoseJson(norm);
    back[0].forEach((p, i) => {
      expect(Math.abs(p[0] - person()[i][0])).toBeLessThan(1e-6);
      expect(Math.abs(p[1] - person()[i][1])).toBeLessThan(1e-6);
    });
  });

  it('keeps real OpenPose confidences and treats c = 0 as missing', () => {
    const pose = Array.from({ length: 54 }, (_, i) => (i % 3 === 2 ? 0.7 : 100 + i));
    pose[2] = 0; // nose missing
    const back = fromOpenPoseJson({ canvas_width: 640, canvas_height: 480, people: [{ pose_keypoints_2d: pose }] });
    expect(back[0][0]).toEqual([0, 0, 0]);
    expect(back[0][6]).toEqual([106, 107, 0.7]); // COCO 6 right shoulder = OpenPose 2
  });

  it('draws the same map from the JSON as from the keypoints', () => {
    const k = person().map((p): Keypoint => [p[0] * 4, p[1] * 4, 1]);
    const a = drawOpenPoseMap([k], 320, 240);
    const b = drawOpenPoseMap(fromOpenPoseJson(toOpenPoseJson([k], 320, 240)), 320, 240);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });
});
