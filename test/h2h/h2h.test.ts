import { describe, expect, it } from 'vitest';
import { h2h, resolvePartner, type H2hSampler } from '../../src/h2h/h2h.ts';
import { PARTNER_TOKENS, partnerCondition } from '../../src/h2h/partner-tokens.ts';
import { parseSkeletonFile } from '../../src/data/formats.ts';
import { guidanceFiles } from '../../src/edit/guidance.ts';
import { UsageError } from '../../src/errors.ts';
import type { RgbImage } from '../../src/io/image.ts';
import type { Detections } from '../../src/h2h/types.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

const image: RgbImage = { data: new Uint8Array(320 * 240 * 3).fill(90), width: 320, height: 240, channels: 3, path: 'scene.png' };
const partnerKps: Keypoint[] = Array.from({ length: 17 }, (_, j): Keypoint => [60 + (j % 2) * 20, 40 + 10 * j, 0.9]);

/** A sampler that records what it was given and returns a fixed pose in the person box. */
function recordingSampler(): H2hSampler & { seen: Parameters<H2hSampler['sample']>[0][] } {
  const seen: Parameters<H2hSampler['sample']>[0][] = [];
  return {
    name: 'test', embedDim: 32, actions: ['handshake', 'hug'], seen,
    async sample(o) {
      seen.push(o);
      return Array.from({ length: o.samples }, (_, s) => ({
        keypoints: Array.from({ length: 17 }, (_, j): Keypoint => [o.personBox[0] + 3 * j + s, o.personBox[1] + 10 * j, 0.8]),
        score: 1 - s / 10,
      }));
    },
  };
}

describe('h2h()', () => {
  it('uses the partner box as the object and its skeleton as 17 extra tokens; writes both people', async () => {
    const sampler = recordingSampler();
    const skel = await h2h({ image, personBox: [160, 30, 230, 220], partnerBox: [40, 30, 120, 220], partnerKeypoints: partnerKps, action: 'handshake', samples: 3, seed: 7, sampler });
    const got = sampler.seen[0];
    expect(got.objectBox).toEqual([40, 30, 120, 220]);
    expect(got.category).toBe('person');
    expect(got.extra.length).toBe(PARTNER_TOKENS * 32);
    expect(got.seed).toBe(7);
    const parsed = parseSkeletonFile(JSON.parse(JSON.stringify(skel)));
    expect(parsed.samples).toHaveLength(3);
    expect(parsed.partner?.box).toEqual([40, 30, 120, 220]);
    expect(parsed.partner?.keypoints[3]).toEqual(partnerKps[3]);
    expect(skel.partner_source).toBe('given');
    const files = await guidanceFiles(image, parsed, 0);
    expect(JSON.parse(files['openpose.json'] as string).people).toHaveLength(2);
  });

  it('with several samples also passes the partner tokens of the mirror image (left/right swapped, u mirrored)', async () => {
    const sampler = recordingSampler();
    await h2h({ image, personBox: [160, 30, 230, 220], partnerBox: [40, 30, 120, 220], partnerKeypoints: partnerKps, samples: 2, sampler });
    const { extra, extraMirrored } = sampler.seen[0];
    expect(extraMirrored).toEqual(partnerCondition({ box: [40, 30, 120, 220], keypoints: partnerKps }, [160, 30, 230, 220], 320, 240, 32, true));
    // mirrored token 9 (left wrist) is the right wrist (token 10) with u -> 1 - u
    expect(extraMirrored![9 * 32 + 18]).toBeCloseTo(-extra[10 * 32 + 18], 6);
    const one = recordingSampler();
    await h2h({ image, personBox: [160, 30, 230, 220], partnerBox: [40, 30, 120, 220], partnerKeypoints: partnerKps, samples: 1, sampler: one });
    expect(one.seen[0].extraMirrored).toBeUndefined();
  });

  it('accepts the action in any spelling of case, "_" and "-"', async () => {
    const sampler = { ...recordingSampler(), actions: ['handshake', 'high-five'] };
    const skel = await h2h({ image, personBox: [160, 30, 230, 220], partnerBox: [40, 30, 120, 220], partnerKeypoints: partnerKps, action: 'High_Five', sampler });
    expect(skel.action).toBe('high-five');
    expect(sampler.seen[0].action).toBe('high-five');
  });

  it('detects the partner when no keypoints are given', async () => {
    const det: Detections = { image: { path: 'scene.png', width: 320, height: 240 }, objects: [], people: [
      { box: [250, 20, 300, 230], keypoints: partnerKps.map(([x, y, c]): Keypoint => [x + 200, y, c]), score: 0.7 },
      { box: [45, 32, 118, 215], keypoints: partnerKps, score: 0.8 },
    ] };
    const p = await resolvePartner({ image, partnerBox: [40, 30, 120, 220], detect: async () => det });
    expect(p.source).toBe('detected');
    expect(p.keypoints).toEqual(partnerKps);
  });

  it('conditions on a detected partner with its scores on the data set\'s levels, and writes the raw scores', async () => {
    const scored = partnerKps.map(([x, y], j): Keypoint => [x, y, [0.9, 0.35, 0.1][j % 3]]);
    const det: Detections = { image: { path: 'scene.png', width: 320, height: 240 }, objects: [], people: [{ box: [45, 32, 118, 215], keypoints: scored, score: 0.5 }] };
    const sampler = recordingSampler();
    const skel = await h2h({ image, personBox: [160, 30, 230, 220], partnerBox: [40, 30, 120, 220], detect: async () => det, samples: 2, sampler });
    const { extra, extraMirrored } = sampler.seen[0];
    const levels = scored.map(([x, y], j): Keypoint => [x, y, [1, 0.6, 0.1][j % 3]]);
    expect(Array.from(extra)).toEqual(Array.from(partnerCondition({ box: [40, 30, 120, 220], keypoints: levels }, [160, 30, 230, 220], 320, 240, 32)));
    expect(Array.from(extraMirrored!)).toEqual(Array.from(partnerCondition({ box: [40, 30, 120, 220], keypoints: levels }, [160, 30, 230, 220], 320, 240, 32, true)));
    expect(skel.partner_source).toBe('detected');
    expect(skel.partner!.keypoints.map((k) => k[2])).toEqual(scored.map((k) => k[2]));
    // a skeleton given by the user is used as given
    const given = recordingSampler();
    await h2h({ image, personBox: [160, 30, 230, 220], partnerBox: [40, 30, 120, 220], partnerKeypoints: scored, sampler: given });
    expect(given.seen[0].extra[1 * 32 + 17]).toBeCloseTo(0.35, 6);
  });

  const bad: Array<{ name: string; o: Partial<Parameters<typeof h2h>[0]>; msg: RegExp }> = [
    { name: 'an unknown action', o: { action: 'juggle' }, msg: /--action must be one of handshake, hug, got "juggle"/ },
    { name: 'a partner box outside the image', o: { partnerBox: [400, 10, 500, 100] }, msg: /--partner \[400,10,500,100\] lies outside the 320x240 image/ },
    { name: 'a partner with 16 joints', o: { partnerKeypoints: partnerKps.slice(1) }, msg: /the partner skeleton has 16 keypoints; COCO-17 needs 17/ },
    { name: 'no partner keypoints and nobody detected', o: { partnerKeypoints: undefined, detect: async () => ({ image: { path: 'scene.png', width: 320, height: 240 }, people: [], objects: [] }) }, msg: /no person detected in scene\.png/ },
    { name: 'zero samples', o: { samples: 0 }, msg: /--samples must be an integer in \[1, 256\]/ },
  ];
  for (const c of bad) {
    it(`bad input: ${c.name}`, async () => {
      const sampler = recordingSampler();
      const o = { image, personBox: [160, 30, 230, 220] as [number, number, number, number], partnerBox: [40, 30, 120, 220] as [number, number, number, number], partnerKeypoints: partnerKps, sampler, ...c.o };
      const err = await h2h(o).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(c.msg);
      expect(sampler.seen).toHaveLength(0);
    });
  }
});
