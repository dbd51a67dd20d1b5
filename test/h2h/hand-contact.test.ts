import { describe, expect, it } from 'vitest';
import { handDistance, handPoint, handsMeet, HAND_EXTENSION } from '../../src/h2h/hand-contact.ts';
import { J, type Keypoint } from '../../src/skeleton/topology.ts';

const body = (dx: number): Keypoint[] => Array.from({ length: 17 }, (_, j): Keypoint => [dx + 5 * j, 100 + 10 * j, 1]);
const partner = { box: [0, 0, 100, 400], keypoints: body(0) };

describe('hand contact, wrist to wrist (extension 0)', () => {
  const cases: Array<{ name: string; move: (k: Keypoint[]) => void; dist: number; meet: boolean }> = [
    { name: 'right wrist on the partner right wrist', move: (k) => { k[J.right_wrist] = [...partner.keypoints[J.right_wrist]]; }, dist: 0, meet: true },
    { name: 'left wrist 30 px (7.5 %) from the partner right wrist', move: (k) => { const q = partner.keypoints[J.right_wrist]; k[J.left_wrist] = [q[0] + 30, q[1], 1]; }, dist: 0.075, meet: true },
    { name: '60 px away (15 %)', move: (k) => { const q = partner.keypoints[J.left_wrist]; k[J.right_wrist] = [q[0] - 60, q[1], 1]; k[J.left_wrist] = [q[0], q[1] + 400, 1]; }, dist: 0.15, meet: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const k = body(1000);
      c.move(k);
      expect(handDistance(k, partner, 0)).toBeCloseTo(c.dist, 9);
      expect(handsMeet(k, partner, 0.1, 0)).toBe(c.meet);
    });
  }
});

describe('hand contact, hand centres', () => {
  it('the hand centre lies beyond the wrist on the forearm line', () => {
    const k = body(0);
    k[J.left_elbow] = [100, 200, 1];
    k[J.left_wrist] = [140, 200, 1];
    expect(handPoint(k, 0)).toEqual([140 + 40 * HAND_EXTENSION, 200]);
    k[J.left_elbow] = [0, 0, 0];
    expect(handPoint(k, 0)).toEqual([140, 200]);
  });
  it('a handshake: wrists a hand length apart (12.5 %), hand centres together', () => {
    const p = { box: [0, 0, 100, 400], keypoints: body(0) };
    p.keypoints[J.right_elbow] = [100, 200, 1];
    p.keypoints[J.right_wrist] = [140, 200, 1];
    const k = body(0);
    k[J.right_elbow] = [230, 200, 1];
    k[J.right_wrist] = [190, 200, 1];
    for (const j of [J.left_wrist, J.left_elbow]) k[j] = [900, 900, 1];
    expect(handDistance(k, p, 0)).toBeCloseTo(0.125, 9);
    expect(handsMeet(k, p, 0.1, 0)).toBe(false);
    expect(handDistance(k, p)).toBeCloseTo((50 - 80 * HAND_EXTENSION) / 400, 9);
    expect(handsMeet(k, p)).toBe(true);
  });
  it('NaN (and no contact) when the partner has no wrist', () => {
    const p = { box: partner.box, keypoints: partner.keypoints.map((k, j): Keypoint => (j === J.left_wrist || j === J.right_wrist ? [k[0], k[1], 0] : k)) };
    expect(handDistance(body(0), p)).toBeNaN();
    expect(handsMeet(body(0), p)).toBe(false);
  });
});
