import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectedPartners, detectedPartnersCacheName } from '../../src/h2h/detected-partners-node.ts';
import { readH2hSamples, type H2hSample } from '../../src/h2h/h2h-data-node.ts';
import { h2hSource } from '../../src/h2h/train-h2h-node.ts';
import { mobileNetV2Backbone } from '../../src/skeleton/features.ts';
import { DEFAULT_MODEL_CONFIG } from '../../src/skeleton/constants.ts';
import type { Box } from '../../src/skeleton/calculators/box.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';
import { writeH2hFixture } from './h2h-fixture.ts';
import { initBackend } from '../../src/backend.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinplace-h2h-detected-'));
const data = join(dir, 'data');
let samples: H2hSample[];

/** A fake detector: the partner's true joints moved 5 px right, the left wrist missed; counts its calls. */
function fakePose() {
  const calls: string[] = [];
  return {
    calls,
    pose: async (path: string, box: Box): Promise<Keypoint[] | null> => {
      calls.push(path);
      const s = samples.find((x) => x.imagePath === path && x.partner.box.every((v, i) => v === box[i]))!;
      return s.partner.keypoints.map(([x, y], j): Keypoint => (j === 9 ? [0, 0, 0.05] : [x + 5, y, j === 10 ? 0.35 : 0.7]));
    },
  };
}

beforeAll(async () => {
  await initBackend();
  await writeH2hFixture(data, 3);
  samples = await readH2hSamples(data);
}, 60_000);

describe('training partners as the detector sees them', () => {
  it('detects each partner once and caches the result next to the data set', async () => {
    const first = fakePose();
    const a = await detectedPartners(samples, data, { pose: first.pose });
    expect(first.calls).toHaveLength(3);
    expect(existsSync(join(data, detectedPartnersCacheName()))).toBe(true);
    expect(a[0]![0][0]).toBeCloseTo(samples[0].partner.keypoints[0][0] + 5, 5);
    const again = fakePose();
    const b = await detectedPartners(samples, data, { pose: again.pose });
    expect(again.calls).toHaveLength(0);
    expect(b).toEqual(a);
  });

  it('another detector setting is another cache', () => {
    expect(detectedPartnersCacheName({ refine: false })).not.toBe(detectedPartnersCacheName());
    // detector version 2 (left/right-consistent merge of the second look) does not reuse version 1 caches
    expect(detectedPartnersCacheName()).not.toBe('.pinplace-detected-partners-d6e941cb8ea1.json');
  });

  it('the source offers exact, detected, perturbed, detected versions of each partner', async () => {
    const detected = await detectedPartners(samples, data, { pose: fakePose().pose });
    const bb = await mobileNetV2Backbone();
    const cfg = { ...DEFAULT_MODEL_CONFIG, extraTokens: 17, imageFeatureDim: bb.globalDim, objectFeatureDim: bb.mapDim };
    const src = await h2hSource(samples, cfg, bb, data, { detected });
    const E = cfg.embedDim;
    const v = Array.from({ length: 4 }, () => src.example(0, false).extra!);
    expect(Array.from(v[0])).toEqual(Array.from(src.exact(0).extra!));
    expect(Array.from(v[1])).toEqual(Array.from(v[3]));
    expect(Array.from(v[2])).not.toEqual(Array.from(v[1]));
    // version 1: the detector's missed left wrist is missing (no confidence, no position); the nose moved right
    expect(v[1][9 * E + 17]).toBe(0);
    expect(v[0][9 * E + 17]).toBe(1);
    expect(v[1][0 * E + 18]).toBeGreaterThan(v[0][0 * E + 18]);
    // the detector's scores on the data set's levels: 0.7 -> 1 (seen), 0.35 -> 0.6 (found, maybe hidden)
    expect(v[1][0 * E + 17]).toBe(1);
    expect(v[1][10 * E + 17]).toBeCloseTo(0.6, 6);
    expect(detected[0]![0][2]).toBe(0.7); // the cache keeps the detector's own scores
  });
});
