import { describe, expect, it } from 'vitest';
import { pickObject, rankObjects } from '../../src/h2h/pick-object.ts';
import { UsageError } from '../../src/errors.ts';
import type { Detections } from '../../src/h2h/types.ts';
import type { Box } from '../../src/skeleton/calculators/box.ts';

const image = { path: 'scene.png', width: 640, height: 480 };
const det = (objects: Detections['objects']): Detections => ({ image, people: [], objects });
const person: Box = [300, 100, 380, 400];

describe('pickObject (generate --object auto)', () => {
  const cases: Array<{ name: string; objects: Detections['objects']; want: string }> = [
    { name: 'the only object', objects: [{ box: [390, 250, 470, 400], category: 'chair', score: 0.5 }], want: 'chair' },
    { name: 'a touching object beats a stronger one far away', objects: [
      { box: [60, 20, 120, 80], category: 'tv', score: 0.9 },
      { box: [360, 200, 420, 260], category: 'cup', score: 0.4 },
    ], want: 'cup' },
    { name: 'equal distance: the higher score wins', objects: [
      { box: [380, 300, 440, 360], category: 'dog', score: 0.3 },
      { box: [240, 300, 300, 360], category: 'cat', score: 0.6 },
    ], want: 'cat' },
    { name: 'people are not objects', objects: [
      { box: [380, 100, 460, 400], category: 'person', score: 0.99 },
      { box: [400, 300, 450, 350], category: 'sports ball', score: 0.3 },
    ], want: 'sports ball' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(pickObject(det(c.objects), person).category).toBe(c.want));
  }

  it('ranks best first', () => {
    const r = rankObjects(det(cases[1].objects), person);
    expect(r.map((x) => x.object.category)).toEqual(['cup', 'tv']);
    expect(r[0].rank).toBeGreaterThan(r[1].rank);
  });

  it('no object at all: one-line UsageError', () => {
    expect(() => pickObject(det([]), person)).toThrow(UsageError);
    expect(() => pickObject(det([]), person)).toThrow(/no object in the image.*--object x1,y1,x2,y2/);
  });

  it('objects only outside the person crop: says so', () => {
    const far = det([{ box: [0, 0, 20, 20], category: 'clock', score: 0.9 }]);
    // a small person box far from the clock: its crop (2x box, squared, x1.25) does not reach it
    expect(() => pickObject(far, [560, 400, 580, 440])).toThrow(/no object near the person box/);
  });
});
