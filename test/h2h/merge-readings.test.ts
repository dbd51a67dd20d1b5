import { describe, expect, it } from 'vitest';
import { mergeReadings, sameLeftRight, swapLeftRight } from '../../src/h2h/merge-readings.ts';
import { FLIP_INDEX, J, type Keypoint } from '../../src/skeleton/topology.ts';

/** A standing figure facing the camera (its left joints on image right), 100 px wide, every joint at score `c`. */
function facingCamera(c = 0.8): Keypoint[] {
  const k: Keypoint[] = Array.from({ length: 17 }, (): Keypoint => [0, 0, c]);
  const put = (j: number, x: number, y: number) => { k[j] = [x, y, c]; };
  put(J.nose, 200, 100);
  for (const [l, r, dx, y] of [[J.left_eye, J.right_eye, 6, 95], [J.left_ear, J.right_ear, 12, 100], [J.left_shoulder, J.right_shoulder, 30, 140],
    [J.left_elbow, J.right_elbow, 40, 190], [J.left_wrist, J.right_wrist, 45, 235], [J.left_hip, J.right_hip, 18, 240],
    [J.left_knee, J.right_knee, 20, 310], [J.left_ankle, J.right_ankle, 22, 380]] as const) {
    put(l, 200 + dx, y);
    put(r, 200 - dx, y);
  }
  return k;
}
const withScore = (k: Keypoint[], j: number, c: number): Keypoint[] => k.map((p, i): Keypoint => (i === j ? [p[0], p[1], c] : [p[0], p[1], p[2]]));
const moved = (k: Keypoint[], dx: number): Keypoint[] => k.map(([x, y, c]): Keypoint => [x + dx, y, c]);

describe('swapLeftRight', () => {
  it('exchanges every left joint with its right counterpart and keeps the nose', () => {
    const k = facingCamera();
    const s = swapLeftRight(k);
    for (let j = 0; j < 17; j++) expect(s[j]).toEqual(k[FLIP_INDEX[j]]);
    expect(s[J.nose]).toEqual(k[J.nose]);
    expect(swapLeftRight(s)).toEqual(k);
  });
  it('rejects a skeleton that is not COCO-17', () => {
    expect(() => swapLeftRight(facingCamera().slice(1))).toThrow(/expected 17 keypoints/);
  });
});

describe('sameLeftRight', () => {
  const k = facingCamera();
  const cases: Array<[string, Keypoint[], Keypoint[], boolean]> = [
    ['identical readings', k, k, true],
    ['a few pixels apart', k, moved(k, 4), true],
    ['the whole figure labelled the other way', k, swapLeftRight(k), false],
    ['the other way and a few pixels apart', k, moved(swapLeftRight(k), 4), false],
    ['no pair found in both (nothing to contradict)', k, k.map(([x, y]): Keypoint => [x, y, 0.1]), true],
  ];
  it.each(cases)('%s', (_name, a, b, want) => {
    expect(sameLeftRight(a, b)).toBe(want);
    expect(sameLeftRight(b, a)).toBe(want);
  });
  it('a pair missing in one reading does not count', () => {
    // only the wrists are found in both; the second reading has them swapped
    const a = k.map(([x, y], j): Keypoint => [x, y, j === J.left_wrist || j === J.right_wrist ? 0.9 : 0.05]);
    expect(sameLeftRight(a, swapLeftRight(a))).toBe(false);
    expect(sameLeftRight(a, swapLeftRight(withScore(a, J.left_wrist, 0.1)))).toBe(true);
  });
});

describe('mergeReadings', () => {
  it('keeps per joint the more confident of two readings that agree', () => {
    const a = withScore(facingCamera(0.7), J.right_wrist, 0.1);
    const b = withScore(moved(facingCamera(0.6), 3), J.left_wrist, 0.9);
    const m = mergeReadings(a, b);
    expect(m[J.right_wrist]).toEqual(b[J.right_wrist]);
    expect(m[J.left_wrist]).toEqual(b[J.left_wrist]);
    expect(m[J.nose]).toEqual(a[J.nose]);
  });
  it('aligns a reading labelled the other way to the more confident one before merging', () => {
    // a (more confident) reads the figure as facing the camera but missed its left wrist; b reads it from behind
    const a = withScore(facingCamera(0.8), J.left_wrist, 0.05);
    const b = swapLeftRight(withScore(facingCamera(0.5), J.left_wrist, 0.9));
    const m = mergeReadings(a, b);
    // a plain per-joint merge would take b's "left wrist", which is the figure's right wrist as a labels it
    expect(b[J.left_wrist][0]).toBeLessThan(200);
    expect(m[J.left_wrist]).toEqual([245, 235, 0.9]);
    expect(m[J.right_wrist]).toEqual(a[J.right_wrist]);
    for (let j = 0; j < 17; j++) if (j !== J.left_wrist) expect(m[j]).toEqual(a[j]);
  });
  it('the more confident reading decides the labelling, whichever argument it is', () => {
    const front = facingCamera(0.8), back = swapLeftRight(facingCamera(0.4));
    expect(sameLeftRight(mergeReadings(front, back), front)).toBe(true);
    expect(sameLeftRight(mergeReadings(back, front), front)).toBe(true);
    expect(sameLeftRight(mergeReadings(swapLeftRight(facingCamera(0.8)), facingCamera(0.4)), back)).toBe(true);
  });
  it('returns new keypoints and rejects wrong joint counts', () => {
    const a = facingCamera();
    const m = mergeReadings(a, a);
    m[0][0] = -1;
    expect(a[0][0]).toBe(200);
    expect(() => mergeReadings(a, a.slice(2))).toThrow(/expected 17 keypoints each/);
  });
});
