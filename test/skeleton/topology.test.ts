import { describe, expect, it } from 'vitest';
import {
  adjacencyMatrix, cocoToOpenPose, COCO_JOINTS, FLIP_INDEX, flipKeypoints, NUM_JOINTS, openPoseToCoco, SKELETON_EDGES,
  type Keypoint,
} from '../../src/skeleton/topology.ts';

const kps = (): Keypoint[] => COCO_JOINTS.map((_, i) => [10 + i * 3, 20 + i * 5, 0.9] as Keypoint);

describe('COCO-17 topology', () => {
  it('has 17 joints and the paper\'s 19 edges', () => {
    expect(COCO_JOINTS).toHaveLength(NUM_JOINTS);
    expect(SKELETON_EDGES).toHaveLength(19);
  });
  it('adjacency is symmetric, binary, with self-loops', () => {
    const a = adjacencyMatrix();
    let ones = 0;
    for (let i = 0; i < 17; i++) for (let j = 0; j < 17; j++) {
      expect(a[i * 17 + j]).toBe(a[j * 17 + i]);
      ones += a[i * 17 + j];
    }
    expect(ones).toBe(19 * 2 + 17);
  });
  it('flip index is an involution swapping left and right names', () => {
    FLIP_INDEX.forEach((f, i) => {
      expect(FLIP_INDEX[f]).toBe(i);
      if (f !== i) expect(COCO_JOINTS[f].replace('right', 'left')).toBe(COCO_JOINTS[i].replace('right', 'left'));
    });
    const flipped = flipKeypoints(kps(), 100);
    expect(flipped[5]).toEqual([99 - kps()[6][0], kps()[6][1], 0.9]);
  });
  it('maps to OpenPose-18 with the neck rule and back', () => {
    const k = kps();
    const op = cocoToOpenPose(k);
    expect(op).toHaveLength(18);
    expect(op[1][0]).toBeCloseTo((k[5][0] + k[6][0]) / 2);
    expect(op[1][2]).toBeCloseTo(0.81);
    expect(op[2]).toEqual(k[6]); // right shoulder
    expect(openPoseToCoco(op)).toEqual(k);
    const low = k.map((p, i) => (i === 5 ? [p[0], p[1], 0.2] : p) as Keypoint);
    expect(cocoToOpenPose(low)[1]).toEqual([0, 0, 0]);
  });
});
