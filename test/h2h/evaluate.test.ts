import { describe, expect, it } from 'vitest';
import { evaluateH2hPredictions, handContactStats, type H2hScene } from '../../src/h2h/evaluate.ts';
import { J, type Keypoint } from '../../src/skeleton/topology.ts';

const body = (x0: number): Keypoint[] => Array.from({ length: 17 }, (_, j): Keypoint => [x0 + (j % 2) * 30, 100 + 20 * j, 1]);
function scene(id: number, action: string): H2hScene {
  const partnerKps = body(100);
  const gt = body(200);
  gt[J.right_wrist] = [partnerKps[J.left_wrist][0] + 5, partnerKps[J.left_wrist][1], 1]; // hands together
  return { id, imagePath: `${id}.png`, imageSize: [640, 480], personBox: [190, 90, 240, 440], partner: { box: [90, 90, 140, 440], keypoints: partnerKps }, action, gt };
}
const scenes = [scene(1, 'handshake'), scene(2, 'high-five'), scene(3, 'hug')];

describe('h2h evaluation', () => {
  it('GT as prediction: every top-N hit, SPD 0, hands together', () => {
    const r = evaluateH2hPredictions(scenes, scenes.map((s) => [s.gt, s.gt]));
    expect(r.metrics.scored).toBe(3);
    expect(r.metrics.top1).toBe(100);
    expect(r.metrics.spd).toBeCloseTo(0, 6);
    expect(r.handContact).toMatchObject({ scenes: 2, samples: 4, rate: 100, gtRate: 100 });
    expect(Object.keys(r.perAction)).toEqual(['handshake', 'high-five', 'hug']);
  });
  it('hands apart: the rate counts each sample', () => {
    const far = body(500);
    const r = handContactStats(scenes, scenes.map((s) => [s.gt, far, far, far]));
    expect(r.samples).toBe(8);
    expect(r.rate).toBe(25);
  });
  it('length mismatch is an error', () => {
    expect(() => evaluateH2hPredictions(scenes, [])).toThrow(/3 scenes but 0 predictions/);
  });
});
