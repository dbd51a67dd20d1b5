import { describe, expect, it } from 'vitest';
import { detectedLevel, detectedLevels, DETECTED_SEEN_SCORE, HIDDEN_LEVEL } from '../../src/h2h/detected-levels.ts';
import { VISIBILITY_CONFIDENCE } from '../../src/h2h/h2h-data-node.ts';
import { partnerTokens, PARTNER_MIN_CONFIDENCE } from '../../src/h2h/partner-tokens.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

describe('detectedLevel', () => {
  it.each([
    [0.95, 1], [0.7, 1], [0.5, 1], // seen
    [0.49, HIDDEN_LEVEL], [0.3, HIDDEN_LEVEL], [0.2, HIDDEN_LEVEL], // found, maybe hidden
    [0.19, 0.19], [0.05, 0.05], [0, 0], [-0.1, 0], [Number.NaN, 0], // missing: stays below the token threshold
  ])('score %s -> %s', (score, level) => {
    expect(detectedLevel(score)).toBe(level);
  });
  it('uses the data set\'s levels and thresholds', () => {
    expect(HIDDEN_LEVEL).toBe(VISIBILITY_CONFIDENCE[1]);
    expect(detectedLevel(DETECTED_SEEN_SCORE)).toBe(VISIBILITY_CONFIDENCE[2]);
    expect(detectedLevel(PARTNER_MIN_CONFIDENCE - 1e-6)).toBeLessThan(PARTNER_MIN_CONFIDENCE);
  });
});

describe('detectedLevels', () => {
  const kps: Keypoint[] = Array.from({ length: 17 }, (_, j): Keypoint => [10 + j, 20 + 2 * j, [0.9, 0.45, 0.1][j % 3]]);
  it('changes the scores only, and returns new keypoints', () => {
    const l = detectedLevels(kps);
    l.forEach(([x, y, c], j) => {
      expect([x, y]).toEqual([kps[j][0], kps[j][1]]);
      expect(c).toBe([1, HIDDEN_LEVEL, 0.1][j % 3]);
    });
    expect(kps[1][2]).toBe(0.45);
  });
  it('gives the partner tokens the data set\'s confidence channel and the same geometry', () => {
    const E = 32;
    const inCrop = kps.map(([x, y, c]): Keypoint => [x / 50, y / 60, c]);
    const raw = partnerTokens(inCrop, [0, 0, 1, 1], E);
    const lev = partnerTokens(detectedLevels(inCrop), [0, 0, 1, 1], E);
    for (let j = 0; j < 17; j++) {
      expect(lev[j * E + 17]).toBeCloseTo([1, HIDDEN_LEVEL, 0][j % 3], 6);
      for (let i = 18; i < E; i++) expect(lev[j * E + i]).toBeCloseTo(raw[j * E + i], 6);
    }
  });
});
