import { describe, expect, it } from 'vitest';
import { matchPartner } from '../../src/h2h/match-partner.ts';
import { UsageError } from '../../src/errors.ts';
import type { DetectedPerson, Detections } from '../../src/h2h/types.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

const kps = (x: number): Keypoint[] => Array.from({ length: 17 }, (_, j): Keypoint => [x, 100 + 10 * j, 0.9]);
const person = (box: [number, number, number, number], id: number): DetectedPerson => ({ box, keypoints: kps(id), score: 0.8 });
const det = (people: DetectedPerson[]): Detections => ({ image: { path: 'a.png', width: 640, height: 480 }, people, objects: [] });
const two = det([person([50, 60, 150, 400], 1), person([400, 50, 520, 420], 2)]);

describe('matchPartner', () => {
  const cases = [
    { name: 'exact box', box: [400, 50, 520, 420], want: 2 },
    { name: 'loose box around the left person', box: [30, 40, 180, 420], want: 1 },
    { name: 'box on the upper body only', box: [60, 60, 140, 200], want: 1 },
  ] as const;
  for (const c of cases) {
    it(c.name, () => expect(matchPartner(two, [...c.box]).keypoints[0][0]).toBe(c.want));
  }
  it('a box over nobody: one line naming the box and where people are', () => {
    expect(() => matchPartner(two, [200, 50, 350, 400])).toThrow(UsageError);
    expect(() => matchPartner(two, [200, 50, 350, 400])).toThrow(/overlaps no detected person \(people found at \[50,60,150,400\] \[400,50,520,420\]\)/);
  });
  it('nobody detected: says so', () => {
    expect(() => matchPartner(det([]), [0, 0, 10, 10])).toThrow(/no person detected in a\.png/);
  });
});
