import { describe, expect, it } from 'vitest';
import { HOI_TEMPLATES } from '../../src/data/hoi-templates.ts';
import { H2H_TEMPLATES } from '../../src/data/h2h-templates.ts';
import { Rng } from '../../src/data/rng.ts';
import { pose } from '../../src/data/body.ts';

/**
 * Bone-length ratios of the generated 3D people (COCO-17 joints, metres) against anthropometric ranges (segment
 * lengths after Drillis & Contini / de Leva, as fractions of stature, with generous spread for shape variation).
 */
const RATIOS: Array<{ name: string; num: [number, number]; den: [number, number]; lo: number; hi: number }> = [
  { name: 'thigh / shank', num: [11, 13], den: [13, 15], lo: 0.8, hi: 1.25 },
  { name: 'upper arm / forearm', num: [5, 7], den: [7, 9], lo: 0.95, hi: 1.45 },
  { name: 'upper arm / thigh', num: [5, 7], den: [11, 13], lo: 0.55, hi: 0.9 },
  { name: 'shoulder width / hip-joint width', num: [5, 6], den: [11, 12], lo: 1.5, hi: 2.9 },
  { name: 'trunk (shoulder-hip) / thigh', num: [5, 11], den: [11, 13], lo: 1.0, hi: 1.6 },
  { name: 'eye distance / shoulder width', num: [1, 2], den: [5, 6], lo: 0.12, hi: 0.26 },
];

function len(c: Float64Array, a: number, b: number): number {
  return Math.hypot(c[a * 3] - c[b * 3], c[a * 3 + 1] - c[b * 3 + 1], c[a * 3 + 2] - c[b * 3 + 2]);
}

describe('generated bodies have human proportions', () => {
  const people: Float64Array[] = [];
  for (const t of [...HOI_TEMPLATES, ...H2H_TEMPLATES]) {
    for (const seed of [11, 12, 13]) for (const b of t.build(new Rng(seed)).bodies) people.push(pose(b).coco);
  }
  for (const r of RATIOS) {
    it(`${r.name} in [${r.lo}, ${r.hi}] for all ${people.length} people`, () => {
      for (const c of people) {
        const v = len(c, ...r.num) / len(c, ...r.den);
        expect(v).toBeGreaterThanOrEqual(r.lo);
        expect(v).toBeLessThanOrEqual(r.hi);
      }
    });
  }
  it('left and right limbs have the same length (within 2 %)', () => {
    for (const c of people) {
      for (const [[a, b], [d, e]] of [[[5, 7], [6, 8]], [[7, 9], [8, 10]], [[11, 13], [12, 14]], [[13, 15], [14, 16]]] as const) {
        expect(Math.abs(len(c, a, b) / len(c, d, e) - 1)).toBeLessThan(0.02);
      }
    }
  });
  it('statures (head top to floor, standing) lie between 1.45 m and 2.0 m', () => {
    // ankle-to-nose height of the rest body plus the head and the foot: checked on the h2h partners, who stand
    const tall: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const inter = H2H_TEMPLATES[5].build(new Rng(seed)); // talk: both people stand
      for (const b of inter.bodies) {
        const c = pose(b).coco;
        tall.push(c[1] + 0.12); // nose height + nose-to-crown
      }
    }
    for (const h of tall) {
      expect(h).toBeGreaterThan(1.45);
      expect(h).toBeLessThan(2.0);
    }
  });
});
