import { describe, expect, it } from 'vitest';
import { HOI_TEMPLATES } from '../../src/data/hoi-templates.ts';
import { H2H_TEMPLATES } from '../../src/data/h2h-templates.ts';
import { MAX_CONTACT_ERROR, renderInteraction } from '../../src/data/scene.ts';
import { Rng } from '../../src/data/rng.ts';
import { pose, jointOf } from '../../src/data/body.ts';
import { figureShape, PLAIN_LOOK } from '../../src/data/figure.ts';
import type { Shape } from '../../src/data/shape.ts';
import type { Vec3 } from '../../src/data/vec.ts';

const SEEDS = [1, 2, 3, 4, 5];
/** How far a contact target may lie outside its object's bounds (pelvis above a seat, ankle above a board). */
const ON_OBJECT = 0.12;

function outside(p: Vec3, s: Shape): number {
  const b = s.bounds();
  let d = 0;
  for (let a = 0; a < 3; a++) d = Math.max(d, b.min[a] - p[a], p[a] - b.max[a]);
  return d;
}

describe('interaction templates', () => {
  it('cover at least 16 (action, category) pairs over V-COCO verbs and COCO objects', () => {
    const pairs = new Set(HOI_TEMPLATES.map((t) => `${t.action}/${t.category}`));
    expect(pairs.size).toBeGreaterThanOrEqual(16);
    expect(H2H_TEMPLATES.map((t) => t.action)).toEqual(['handshake', 'hug', 'high-five', 'piggyback', 'dance', 'talk', 'push', 'point']);
  });

  for (const t of HOI_TEMPLATES) {
    it(`${t.action}/${t.category}: every contact joint lies on the object`, () => {
      let built = 0;
      for (const seed of SEEDS) {
        const inter = t.build(new Rng(seed));
        if (inter.ikError > MAX_CONTACT_ERROR) continue; // the generator redraws these
        built++;
        expect(inter.contacts.length).toBeGreaterThan(0);
        const p = pose(inter.bodies[0]);
        for (const c of inter.contacts) {
          const j = jointOf(p, c.joint);
          const miss = Math.hypot(j[0] - c.target[0], j[1] - c.target[1], j[2] - c.target[2]);
          expect(miss, `${c.what}: joint ${c.joint} misses its target by ${miss} m`).toBeLessThanOrEqual(MAX_CONTACT_ERROR);
          const off = outside(c.target, inter.object!.shape);
          expect(off, `${c.what}: target ${off} m off the ${t.category}`).toBeLessThanOrEqual(ON_OBJECT);
        }
      }
      expect(built, 'most draws reach their contacts').toBeGreaterThanOrEqual(3);
    });
  }

  for (const t of H2H_TEMPLATES) {
    it(`${t.action}: contacts reach the partner's body`, () => {
      for (const seed of SEEDS) {
        const inter = t.build(new Rng(seed));
        if (inter.ikError > MAX_CONTACT_ERROR) continue;
        const partner = figureShape(pose(inter.bodies[1]), PLAIN_LOOK);
        for (const c of inter.contacts) expect(outside(c.target, partner), c.what).toBeLessThanOrEqual(ON_OBJECT);
      }
    });
  }

  it('in the rendered images, hand contacts project inside the object box (within a small margin)', () => {
    const hands = new Set([22, 23]);
    let checked = 0;
    for (const t of HOI_TEMPLATES) {
      for (const seed of SEEDS.slice(0, 3)) {
        const rng = new Rng(seed * 31 + 7);
        const inter = t.build(rng);
        if (inter.ikError > MAX_CONTACT_ERROR) continue;
        const s = renderInteraction(inter, rng, { index: 0, width: 160, height: 160 });
        if (!s) continue;
        const [x1, y1, x2, y2] = s.people[0].objects[0].box;
        const margin = 0.08 * (s.people[0].box[3] - s.people[0].box[1]) + 3;
        // wrists (COCO 9/10) of hand contacts: the hand is ~8 cm past the wrist, so allow the margin
        for (const c of inter.contacts) {
          if (!hands.has(c.joint)) continue;
          const k = s.people[0].keypoints[c.joint === 22 ? 9 : 10];
          if (k[2] === 0) continue;
          checked++;
          expect(k[0]).toBeGreaterThanOrEqual(x1 - margin - 0.12 * (x2 - x1) - 10);
          expect(k[0]).toBeLessThanOrEqual(x2 + margin + 0.12 * (x2 - x1) + 10);
          expect(k[1]).toBeGreaterThanOrEqual(y1 - margin - 0.12 * (y2 - y1) - 10);
          expect(k[1]).toBeLessThanOrEqual(y2 + margin + 0.12 * (y2 - y1) + 10);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
