import { describe, expect, it } from 'vitest';
import { keypointBox } from '../../src/h2h/keypoint-box.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

describe('keypointBox', () => {
  const kps: Keypoint[] = Array.from({ length: 17 }, (_, j): Keypoint => [100 + (j % 3) * 50, 100 + j * 25, j === 16 ? 0.1 : 0.9]);
  it('pads the extent of the confident joints (head, feet, sides)', () => {
    const b = keypointBox(kps, 0.3)!;
    const h = 15 * 25; // y from 100 to 475 (joint 16 is below the threshold)
    expect(b[0]).toBeCloseTo(100 - 0.04 * h, 9);
    expect(b[1]).toBeCloseTo(100 - 0.07 * h, 9);
    expect(b[2]).toBeCloseTo(200 + 0.04 * h, 9);
    expect(b[3]).toBeCloseTo(475 + 0.04 * h, 9);
  });
  it('null with fewer than two confident joints', () => {
    expect(keypointBox(kps.map((k, j): Keypoint => [k[0], k[1], j === 0 ? 1 : 0]), 0.3)).toBeNull();
  });
});
