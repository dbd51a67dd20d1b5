import { describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/backend.ts';
import { detect, loadDetector, poseInBox } from '../../src/h2h/detect-node.ts';
import { iou } from '../../src/skeleton/calculators/box.ts';
import { J } from '../../src/skeleton/topology.ts';
import { composeScene, decode, sampleBodyJpeg } from './sample-images.ts';

/** Where the joints of the sample photo are (by eye, 1200x1200), and the tolerance in px. */
const EXPECTED: Array<{ joint: keyof typeof J; at: [number, number] }> = [
  { joint: 'nose', at: [560, 103] },
  { joint: 'left_shoulder', at: [690, 225] },
  { joint: 'right_shoulder', at: [505, 240] },
  { joint: 'left_wrist', at: [890, 508] },
  { joint: 'right_wrist', at: [290, 490] },
  { joint: 'left_ankle', at: [663, 1088] },
  { joint: 'right_ankle', at: [580, 1082] },
];
const TOL = 40;

describe('detect (MoveNet + CenterNet from @vladmandic/human, offline, wasm)', () => {
  it('shares one tfjs engine with the project: tensors made before the models load stay valid', async () => {
    await initBackend('wasm');
    const before = tf.tensor1d([1, 2, 3]);
    await loadDetector();
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(before.mul(2).dataSync())).toEqual([2, 4, 6]);
    before.dispose();
  });

  it('finds the person in the sample photo with its joints where they are', async () => {
    const d = await detect(await decode(sampleBodyJpeg(), 'sample'));
    expect(d.image).toMatchObject({ width: 1200, height: 1200 });
    expect(d.people).toHaveLength(1);
    const p = d.people[0];
    expect(p.keypoints).toHaveLength(17);
    expect(p.score).toBeGreaterThan(0.6);
    for (const e of EXPECTED) {
      const [x, y, c] = p.keypoints[J[e.joint]];
      expect(Math.hypot(x - e.at[0], y - e.at[1]), e.joint).toBeLessThan(TOL);
      expect(c, e.joint).toBeGreaterThan(0.3);
    }
    // The box holds every found joint and is tight (head to feet ~1000 px).
    for (const [x, y, c] of p.keypoints) if (c > 0.3) {
      expect(x).toBeGreaterThanOrEqual(p.box[0]); expect(x).toBeLessThanOrEqual(p.box[2]);
      expect(y).toBeGreaterThanOrEqual(p.box[1]); expect(y).toBeLessThanOrEqual(p.box[3]);
    }
    expect(p.box[3] - p.box[1]).toBeGreaterThan(950);
    expect(p.box[3] - p.box[1]).toBeLessThan(1200);
    expect(d.objects.every((o) => o.category !== 'person')).toBe(true);
  });

  it('finds two people side by side, each with its own skeleton', async () => {
    const png = await composeScene(1400, 700, 600, [[20, 50], [760, 80]]);
    const d = await detect(await decode(png, 'two people'));
    expect(d.people).toHaveLength(2);
    const [left, right] = [...d.people].sort((a, b) => a.box[0] - b.box[0]);
    expect(iou(left.box, [120, 50, 500, 630])).toBeGreaterThan(0.6);
    expect(iou(right.box, [860, 80, 1240, 660])).toBeGreaterThan(0.6);
    // Each skeleton stays inside its own person.
    expect(left.keypoints.filter((k) => k[2] > 0.3).every((k) => k[0] < 700)).toBe(true);
    expect(right.keypoints.filter((k) => k[2] > 0.3).every((k) => k[0] > 700)).toBe(true);
  });

  it('poseInBox: the skeleton of the person in a given box (first look and refinement), joints where they are', async () => {
    const img = await decode(sampleBodyJpeg(), 'sample');
    for (const refine of [true, false]) {
      const kps = await poseInBox(img, [250, 60, 950, 1110], { refine });
      expect(kps).not.toBeNull();
      for (const e of EXPECTED) {
        const [x, y, c] = kps![J[e.joint]];
        expect(Math.hypot(x - e.at[0], y - e.at[1]), `${e.joint} refine ${refine}`).toBeLessThan(TOL);
        expect(c, e.joint).toBeGreaterThan(0.3);
      }
    }
  });

  it('poseInBox: null for a box over an empty region', async () => {
    const png = await composeScene(640, 480, 10, []);
    expect(await poseInBox(await decode(png, 'empty'), [100, 50, 300, 450])).toBeNull();
  });

  it('finds nobody in an empty scene', async () => {
    const png = await composeScene(640, 480, 10, []);
    const d = await detect(await decode(png, 'empty'));
    expect(d.people).toHaveLength(0);
  });
});
