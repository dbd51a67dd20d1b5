import { describe, expect, it } from 'vitest';
import { baselineStats, boxGeometry, meanBaseline, nearestBaseline, type BaselineSample } from '../../src/skeleton/baselines.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

/** A training sample whose 17 joints sit on a diagonal of its person box, shifted by `dx` box widths. */
function sample(personBox: number[], objectBox: number[], category: string, action: string, dx: number): BaselineSample {
  const [x1, y1, x2, y2] = personBox;
  const keypoints = Array.from({ length: 17 }, (_, j): Keypoint => [x1 + (j / 16 * 0.5 + dx) * (x2 - x1), y1 + (j / 16) * (y2 - y1), 2]);
  return { personBox, objectBox, category, action, keypoints };
}

describe('skeleton baselines', () => {
  const train = [
    sample([0, 0, 100, 200], [80, 20, 120, 60], 'cup', 'drink', 0.1),
    sample([0, 0, 100, 200], [-20, 150, 20, 190], 'cup', 'drink', 0.3),
    sample([0, 0, 100, 200], [80, 20, 120, 60], 'umbrella', 'hold', 0.5),
  ];
  const stats = baselineStats(train);

  it('the mean pose is the training poses\' mean in person-box units, placed in the asked box', () => {
    // joint 16: x = 0.5 + mean dx (0.3) of the box width, y = the box bottom
    const p = meanBaseline(stats, { personBox: [10, 20, 60, 120], objectBox: [0, 0, 1, 1] });
    expect(p[16][0]).toBeCloseTo(10 + 0.8 * 50, 6);
    expect(p[16][1]).toBeCloseTo(120, 6);
    expect(p[0][0]).toBeCloseTo(10 + 0.3 * 50, 6);
  });

  it('the nearest sample is the closest in box geometry among the same category and action', () => {
    const at = (objectBox: number[], category: string, action: string) => nearestBaseline(stats, { personBox: [0, 0, 100, 200], objectBox, category, action })[0][0];
    // a cup low on the left: the second sample; up on the right: the first (the umbrella, same geometry, is another category)
    expect(at([-15, 155, 25, 195], 'cup', 'drink')).toBeCloseTo(30, 6);
    expect(at([75, 25, 115, 65], 'cup', 'drink')).toBeCloseTo(10, 6);
    expect(at([75, 25, 115, 65], 'umbrella', 'hold')).toBeCloseTo(50, 6);
    // an unknown category falls back to every sample
    expect(at([75, 25, 115, 65], 'kite', 'fly')).toBeCloseTo(10, 6);
  });

  it('stores geometry to 1/10,000 and poses to 1/1,000 of the box', () => {
    expect(stats.entries[0].geom).toEqual(boxGeometry([0, 0, 100, 200], [80, 20, 120, 60]));
    const odd = baselineStats([sample([0, 0, 300, 700], [1, 1, 7, 3], 'cup', 'drink', 0.123456)]);
    expect(odd.entries[0].geom).toEqual([0.0033, 0.0014, 0.0233, 0.0043]);
    expect(odd.entries[0].pose[0]).toBe(0.123);
    expect(odd.entries[0].pose.every((v) => Math.abs(v * 1e3 - Math.round(v * 1e3)) < 1e-9)).toBe(true);
  });
});
