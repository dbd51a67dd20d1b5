import { describe, expect, it } from 'vitest';
import { scoreByInteraction, scorePredictions } from '../../src/skeleton/eval-node.ts';
import type { HoiSample } from '../../src/skeleton/dataset-node.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

const far: Keypoint = [5000, 5000, 1];

/** A sample whose left wrist is at the object; the prediction puts it there (hit) or far away (miss). */
function sample(id: number, action: string | null, category: string | null, hit: boolean): { s: HoiSample; p: Keypoint[] } {
  const gt: Keypoint[] = Array.from({ length: 17 }, (_, j): Keypoint => (j === 9 ? [104, 104, 2] : [40, 40 + j, 2]));
  const p = gt.map((k, j): Keypoint => (j === 9 && !hit ? far : [k[0], k[1], 1]));
  return {
    s: { annotationId: id, objectIndex: 0, imagePath: 'x.png', imageSize: [200, 200], personBox: [0, 0, 80, 80], objectBox: [100, 100, 109, 109], action, category, keypoints: gt },
    p,
  };
}

describe('scoreByInteraction', () => {
  const rows = [
    sample(1, 'hold', 'cup', true), sample(2, 'hold', 'cup', false), sample(3, 'sit', 'chair', true),
    sample(4, 'sit', 'chair', true), sample(5, null, 'cup', false),
  ];
  const samples = rows.map((r) => r.s), preds = rows.map((r) => r.p);

  it('scores each action/category on its own, the largest share of the SPD first, shares summing to 1', () => {
    const g = scoreByInteraction(samples, preds);
    expect(g.map((r) => r.interaction).sort()).toEqual(['-/cup', 'hold/cup', 'sit/chair']);
    const hold = g.find((r) => r.interaction === 'hold/cup')!;
    expect(hold.metrics).toEqual(scorePredictions(samples.slice(0, 2), preds.slice(0, 2)));
    expect(g.find((r) => r.interaction === 'sit/chair')!.metrics.top1).toBe(100);
    expect(g.find((r) => r.interaction === '-/cup')!.metrics.top1).toBe(0);
    for (let i = 1; i < g.length; i++) expect(g[i - 1].spdShare).toBeGreaterThanOrEqual(g[i].spdShare);
    expect(g[g.length - 1].interaction).toBe('sit/chair'); // perfect predictions: no SPD
    expect(g.reduce((a, r) => a + r.spdShare, 0)).toBeCloseTo(1, 12);
  });
});
