import { describe, expect, it } from 'vitest';
import { generate, type GenerateOptions } from '../../src/skeleton/generate.ts';
import { readImage } from '../../src/io/image.ts';
import { readSampleScene } from '../../src/cli/commands/demo.ts';
import type { Box } from '../../src/skeleton/calculators/box.ts';

/** Mean distance between two skeletons, pixels. */
const dist = (a: number[][], b: number[][]) => a.reduce((s, p, j) => s + Math.hypot(p[0] - b[j][0], p[1] - b[j][1]), 0) / a.length;

describe('generate: N samples from the condition and its mirror image (shipped model, sample scene)', () => {
  it('keeps the direct sample and adds a different one from the mirrored condition', async () => {
    const scene = await readSampleScene();
    const base: GenerateOptions = {
      image: await readImage(scene.imagePath), personBox: scene.person_box, objectBox: scene.object_box,
      category: scene.category, action: scene.action, seed: 1,
    };
    const one = (await generate({ ...base, samples: 1 })).samples[0].keypoints;
    const two = (await generate({ ...base, samples: 2 })).samples.map((s) => s.keypoints);
    const h = scene.person_box[3] - scene.person_box[1];
    const d = two.map((s) => dist(s, one));
    expect(Math.min(...d)).toBeLessThan(0.5); // same noise, same condition
    expect(Math.max(...d)).toBeGreaterThan(1);
    expect(Math.max(...d)).toBeLessThan(0.1 * h);
  });

  const sides: Array<{ name: string; person: Box; object: Box }> = [
    { name: 'cup on the right', person: [200, 60, 330, 400], object: [330, 200, 380, 260] },
    { name: 'cup on the left', person: [150, 60, 280, 400], object: [90, 190, 150, 250] },
  ];
  for (const c of sides) {
    it(`${c.name}: every sample, mirrored ones flipped back, reaches to the object's side`, async () => {
      const image = await readImage((await readSampleScene()).imagePath);
      const r = await generate({ image, personBox: c.person, objectBox: c.object, category: 'cup', action: 'hold', samples: 4, seed: 1 });
      const mid = (c.person[0] + c.person[2]) / 2;
      const right = c.object[0] > mid;
      const ox = (c.object[0] + c.object[2]) / 2;
      for (const s of r.samples) {
        const wrist = [s.keypoints[9], s.keypoints[10]].sort((a, b) => Math.abs(a[0] - ox) - Math.abs(b[0] - ox))[0];
        expect(right ? wrist[0] > mid : wrist[0] < mid).toBe(true);
      }
    });
  }
});
