import { describe, expect, it } from 'vitest';
import { partnerKeypointsFromJson } from '../../src/h2h/partner-keypoints.ts';
import { FormatError } from '../../src/errors.ts';
import { cocoToOpenPose, type Keypoint } from '../../src/skeleton/topology.ts';

const EPS = 1e-9;
const kps = (x0: number): Keypoint[] => Array.from({ length: 17 }, (_, j): Keypoint => [x0 + j, 100 + 10 * j, 0.9]);
const flat = (k: Keypoint[]) => cocoToOpenPose(k).flat();

describe('partnerKeypointsFromJson', () => {
  const a = kps(100);
  const b = kps(400);
  const cases: Array<{ name: string; json: unknown; box?: [number, number, number, number]; want: Keypoint[] }> = [
    { name: 'skeleton.json: sample 0', json: { image: {}, person_box: [0, 0, 1, 1], samples: [{ keypoints: a }, { keypoints: b }] }, want: a },
    { name: 'a bare list of 17', json: a, want: a },
    { name: 'detect JSON: the person in the box', json: { people: [{ keypoints: a }, { keypoints: b }] }, box: [380, 80, 450, 300], want: b },
    { name: 'OpenPose-18 in pixels', json: { canvas_width: 640, canvas_height: 480, people: [{ pose_keypoints_2d: flat(a) }] }, want: a },
    { name: 'OpenPose-18, normalised', json: { canvas_width: 1000, canvas_height: 1000, people: [{ pose_keypoints_2d: flat(a).map((v, i) => (i % 3 === 2 ? v : v / 1000)) }] }, want: a },
    { name: 'OpenPose: two people, the one in the box', json: { canvas_width: 640, canvas_height: 480, people: [{ pose_keypoints_2d: flat(a) }, { pose_keypoints_2d: flat(b) }] }, box: [90, 90, 130, 300], want: a },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = partnerKeypointsFromJson(c.json, 'p.json', c.box);
      expect(got).toHaveLength(17);
      got.forEach((k, j) => k.forEach((v, i) => expect(Math.abs(v - c.want[j][i])).toBeLessThan(1e-6 + EPS)));
    });
  }

  it('BODY_25 is mapped to COCO-17', () => {
    const op18 = cocoToOpenPose(a);
    const b25 = [...op18.slice(0, 8), [0, 0, 0] as Keypoint, ...op18.slice(8), ...Array.from({ length: 6 }, (): Keypoint => [0, 0, 0])];
    const got = partnerKeypointsFromJson({ canvas_width: 640, canvas_height: 480, people: [{ pose_keypoints_2d: b25.flat() }] }, 'p.json');
    expect(got[9][0]).toBeCloseTo(a[9][0], 9);
    expect(got[16][1]).toBeCloseTo(a[16][1], 9);
  });

  const bad: Array<{ name: string; json: unknown; msg: RegExp }> = [
    { name: 'skeleton with 15 joints', json: { samples: [{ keypoints: kps(0).slice(0, 15) }] }, msg: /p\.json samples\[0\]\.keypoints has 15 keypoints; the partner needs COCO-17/ },
    { name: 'OpenPose with 17 points', json: { canvas_width: 9, canvas_height: 9, people: [{ pose_keypoints_2d: new Array(51).fill(1) }] }, msg: /has 51 values \(17 points\); the partner needs OpenPose-18/ },
    { name: 'a keypoint that is not numbers', json: [...kps(0).slice(0, 16), ['a', 1, 1]], msg: /p\.json\[16\] must be \[x, y, c\]/ },
    { name: 'something else', json: { foo: 1 }, msg: /p\.json has no skeleton/ },
    { name: 'OpenPose with nobody', json: { canvas_width: 9, canvas_height: 9, people: [] }, msg: /p\.json has no skeleton|holds no person/ },
  ];
  for (const c of bad) {
    it(`bad: ${c.name}`, () => {
      expect(() => partnerKeypointsFromJson(c.json, 'p.json')).toThrow(FormatError);
      expect(() => partnerKeypointsFromJson(c.json, 'p.json')).toThrow(c.msg);
    });
  }
});
