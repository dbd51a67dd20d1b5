/**
 * Cross-check against OpenCV itself: fixtures/opencv/case-NN.png were drawn by python3-opencv 4.6
 * (draw-reference.py, ControlNet's draw_bodypose with the same inputs, cases.json). Every pixel must agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { drawOpenPoseMap } from '../../src/edit/openpose-map.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';
import { fileURLToPath } from 'node:url';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'opencv');
interface Case { width: number; height: number; stickWidth: number; jointRadius: number; people: Keypoint[][] }
const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Case[];

describe('drawOpenPoseMap matches OpenCV pixel for pixel', () => {
  it.each(cases.map((c, n) => [n, c] as const))('case %i', async (n, c) => {
    const want = await sharp(readFileSync(join(DIR, `case-${String(n).padStart(2, '0')}.png`))).raw().toBuffer();
    const got = drawOpenPoseMap(c.people, c.width, c.height, { stickWidth: c.stickWidth, jointRadius: c.jointRadius });
    let diff = 0;
    for (let i = 0; i < want.length; i++) if (want[i] !== got.data[i]) diff++;
    expect(got.data.length).toBe(want.length);
    expect(diff, `${diff} differing bytes`).toBe(0);
  });
});
