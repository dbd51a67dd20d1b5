import { describe, expect, it } from 'vitest';
import { flipPartner, partnerCondition, partnerInCrop, partnerTokens, PARTNER_TOKEN_FEATURES, PARTNER_TOKENS } from '../../src/h2h/partner-tokens.ts';
import { personCrop } from '../../src/skeleton/calculators/crop.ts';
import { FLIP_INDEX, type Keypoint } from '../../src/skeleton/topology.ts';

const EPS = 1e-6;
const E = 32;
const joints = (): Keypoint[] => Array.from({ length: 17 }, (_, j): Keypoint => [0.3 + 0.02 * j, 0.2 + 0.03 * j, j === 4 ? 0 : 0.9]);

describe('partnerTokens', () => {
  const t = partnerTokens(joints(), [0.25, 0.15, 0.7, 0.8], E);
  it('is [17 * E] with a one-hot joint identity per token', () => {
    expect(t.length).toBe(PARTNER_TOKENS * E);
    for (let j = 0; j < 17; j++) for (let i = 0; i < 17; i++) expect(t[j * E + i]).toBe(i === j ? 1 : 0);
  });
  it('holds confidence, centred position and position in the partner box', () => {
    const j = 9;
    const [u, v, c] = joints()[j];
    expect(t[j * E + 17]).toBeCloseTo(c, 6);
    expect(t[j * E + 18]).toBeCloseTo(u - 0.5, 6);
    expect(t[j * E + 19]).toBeCloseTo(v - 0.5, 6);
    expect(t[j * E + 20]).toBeCloseTo(Math.sin(Math.PI * u), 6);
    expect(t[j * E + 28]).toBeCloseTo(2 * (u - 0.25) / 0.45 - 1, 6);
    for (let i = PARTNER_TOKEN_FEATURES; i < E; i++) expect(t[j * E + i]).toBe(0);
  });
  it('a joint below the confidence threshold is missing', () => {
    const low = joints(); low[2] = [0.5, 0.5, 0.1];
    for (let i = 17; i < E; i++) expect(partnerTokens(low, [0, 0, 1, 1], E)[2 * E + i]).toBe(0);
  });
  it('a missing joint keeps only its identity', () => {
    for (let i = 17; i < E; i++) expect(t[4 * E + i]).toBe(0);
  });
  it('a joint far outside the crop counts as missing', () => {
    const far = joints(); far[0] = [3, 0.5, 1];
    expect(partnerTokens(far, [0, 0, 1, 1], E)[17]).toBe(0);
  });
  it('rejects a too small embedding and a wrong joint count', () => {
    expect(() => partnerTokens(joints(), [0, 0, 1, 1], 16)).toThrow(/embedDim must be >= 30/);
    expect(() => partnerTokens(joints().slice(1), [0, 0, 1, 1], E)).toThrow(/expected 17 joints/);
  });
});

describe('partner geometry in the new person crop', () => {
  it('maps image pixels through the paper crop of the new person (crop units)', () => {
    const personBox: [number, number, number, number] = [300, 100, 380, 400];
    const crop = personCrop(personBox, 640, 480)!;
    const partner = { box: [150, 90, 260, 420], keypoints: joints().map(([u, v, c]): Keypoint => [150 + 100 * u, 90 + 300 * v, c]) };
    const p = partnerInCrop(partner, crop.toCrop);
    const [rx, ry, rw] = crop.region;
    expect(p.joints[3][0]).toBeCloseTo((partner.keypoints[3][0] - rx) / rw, 6);
    expect(p.joints[3][1]).toBeCloseTo((partner.keypoints[3][1] - ry) / rw, 6);
    expect(p.box[0]).toBeCloseTo((150 - rx) / rw, 6);
    const t = partnerCondition(partner, personBox, 640, 480, E);
    expect(t[3 * E + 18]).toBeCloseTo(p.joints[3][0] - 0.5, 5);
  });
  it('flip mirrors u, swaps left/right joints and the box', () => {
    const f = flipPartner(joints(), [0.2, 0.1, 0.6, 0.9]);
    expect(f.box[0]).toBeCloseTo(0.4, 9);
    expect(f.box[2]).toBeCloseTo(0.8, 9);
    for (let j = 0; j < 17; j++) {
      expect(Math.abs(f.joints[j][0] - (1 - joints()[FLIP_INDEX[j]][0]))).toBeLessThan(EPS);
      expect(f.joints[j][1]).toBe(joints()[FLIP_INDEX[j]][1]);
    }
  });
});
