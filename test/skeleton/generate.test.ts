import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { DEFAULT_MODEL_CONFIG } from '../../src/skeleton/constants.ts';
import { Diffuser } from '../../src/skeleton/diffuser.ts';
import { saveModelDir } from '../../src/skeleton/model-store-node.ts';
import { generate, type GenerateOptions } from '../../src/skeleton/generate.ts';
import { parsePin } from '../../src/cli/commands/generate.ts';
import { J } from '../../src/skeleton/topology.ts';
import { FormatError, UsageError } from '../../src/errors.ts';
import type { RgbImage } from '../../src/io/image.ts';

await initBackend('wasm');

const dir = mkdtempSync(join(tmpdir(), 'pinplace-gen-'));
const modelDir = join(dir, 'model');
const model = new Diffuser({ ...DEFAULT_MODEL_CONFIG, embedDim: 16, heads: 4, depth: 1, categories: ['cup'], actions: ['hold'] }, 1);
await saveModelDir(modelDir, model);
model.dispose();

const image: RgbImage = { data: new Uint8Array(320 * 240 * 3).map((_, i) => (i * 31) & 255), width: 320, height: 240, channels: 3 };
const base: GenerateOptions = { image, personBox: [120, 40, 180, 200], objectBox: [170, 100, 200, 130], category: 'cup', action: 'hold', modelDir, seed: 3 };

describe('generate', () => {
  it('returns N ranked samples of 17 keypoints, deterministic for a seed, with pins imposed', async () => {
    const a = await generate({ ...base, samples: 3, pins: [{ joint: 9, x: 185, y: 115 }] });
    const b = await generate({ ...base, samples: 3, pins: [{ joint: 9, x: 185, y: 115 }] });
    expect(a.samples).toHaveLength(3);
    expect(a.samples.map((s) => s.keypoints)).toEqual(b.samples.map((s) => s.keypoints));
    for (const s of a.samples) {
      expect(s.keypoints).toHaveLength(17);
      expect(s.keypoints[9]).toEqual([185, 115, 1]);
      for (const k of s.keypoints) { expect(k.every(Number.isFinite)).toBe(true); expect(k[2]).toBeGreaterThanOrEqual(0); expect(k[2]).toBeLessThanOrEqual(1); }
    }
    expect(a.person_box).toEqual(base.personBox);
    expect(a.category).toBe('cup');
  });
  it('with a pose-hypotheses model, the samples are its candidates, the most probable first', async () => {
    const hypDir = join(dir, 'hyp');
    const m = new Diffuser({ ...DEFAULT_MODEL_CONFIG, embedDim: 16, heads: 4, depth: 1, categories: ['cup'], actions: ['hold'], hypotheses: 2, hypothesisAssign: 'hand' }, 1);
    // offsets of +-0.05 crop units for every joint, so the two candidates differ visibly
    m.params.get('hyp.joint').assign(tf.tile(tf.tensor2d([[0.005, 0.005, -0.005, -0.005]]), [17, 1]));
    await saveModelDir(hypDir, m);
    m.dispose();
    const r = await generate({ ...base, modelDir: hypDir, samples: 3 });
    const [a, b, c] = r.samples.map((s) => s.keypoints);
    // samples 1 and 3 follow the most probable candidate (ranked first, together), sample 2 the other
    expect(a).toEqual(b);
    expect(Math.abs(c[0][0] - a[0][0])).toBeGreaterThan(1);
  });
  it('--hand puts first the samples in which that hand is at the object', async () => {
    const handDir = join(dir, 'hand');
    const m = new Diffuser({ ...DEFAULT_MODEL_CONFIG, embedDim: 16, heads: 4, depth: 1, categories: ['cup'], actions: ['hold'], hypotheses: 2, hypothesisAssign: 'hand' }, 1);
    // candidate 0 throws its right wrist far to the left (away from the object, right of the person): the left hand
    // interacts; candidate 1 does the same with its left wrist.
    const table = new Float32Array(17 * 4);
    table[J.right_wrist * 4 + 0] = -0.1;
    table[J.left_wrist * 4 + 2] = -0.1;
    m.params.get('hyp.joint').assign(tf.tensor2d(table, [17, 4]));
    await saveModelDir(handDir, m);
    m.dispose();
    const cx = (base.objectBox[0] + base.objectBox[2]) / 2, cy = (base.objectBox[1] + base.objectBox[3]) / 2;
    const near = (k: number[][]) => (Math.hypot(k[J.right_wrist][0] - cx, k[J.right_wrist][1] - cy) < Math.hypot(k[J.left_wrist][0] - cx, k[J.left_wrist][1] - cy) ? 'right' : 'left');
    const plain = await generate({ ...base, modelDir: handDir, samples: 2 });
    const order = plain.samples.map((s) => near(s.keypoints));
    expect([...order].sort()).toEqual(['left', 'right']);
    for (const hand of ['left', 'right'] as const) {
      const r = await generate({ ...base, modelDir: handDir, hand });
      expect(r.samples).toHaveLength(1);
      expect(near(r.samples[0].keypoints)).toBe(hand);
      expect(r.notes).toBeUndefined();
    }
    const both = await generate({ ...base, modelDir: handDir, samples: 2, hand: order[1] });
    expect(both.samples.map((s) => s.keypoints)).toEqual([plain.samples[1].keypoints, plain.samples[0].keypoints]);
    // the right wrist pinned at the object interacts in every sample: asked for the left, the samples stay as they
    // were and a note says what to do
    const pinned = await generate({ ...base, modelDir: handDir, hand: 'left', samples: 2, pins: [{ joint: J.right_wrist, x: cx, y: cy }] });
    const unasked = await generate({ ...base, modelDir: handDir, samples: 2, pins: [{ joint: J.right_wrist, x: cx, y: cy }] });
    expect(pinned.samples.map((s) => near(s.keypoints))).toEqual(['right', 'right']);
    expect(pinned.samples).toEqual(unasked.samples);
    expect(pinned.notes).toEqual(['no sample has the left hand at the object; pin its wrist (--pin 9:x,y) to place it']);
  });
  it('uses a known COCO category the model never saw with a note', async () => {
    const r = await generate({ ...base, category: 'chair' });
    expect((r.notes as string[])[0]).toMatch(/chair/);
  });
  const bad: Array<{ name: string; o: Partial<GenerateOptions>; err: RegExp; cls: typeof UsageError | typeof FormatError }> = [
    { name: 'object box outside the person crop', o: { objectBox: [0, 0, 5, 5], personBox: [250, 150, 270, 200] }, err: /outside the person crop/, cls: UsageError },
    { name: 'degenerate object box', o: { objectBox: [170, 100, 170, 130] }, err: /x2 > x1/, cls: UsageError },
    { name: 'person box outside the image', o: { personBox: [400, 300, 500, 400] }, err: /outside the 320x240 image/, cls: UsageError },
    { name: 'unknown category', o: { category: 'spaceship' }, err: /COCO category name/, cls: UsageError },
    { name: 'unknown action', o: { action: 'levitate' }, err: /V-COCO verb/, cls: UsageError },
    { name: 'zero samples', o: { samples: 0 }, err: /--samples/, cls: UsageError },
    { name: 'unknown hand', o: { hand: 'middle' as 'left' }, err: /--hand must be left or right, got "middle"/, cls: UsageError },
    { name: 'pin joint out of range', o: { pins: [{ joint: 17, x: 1, y: 1 }] }, err: /--pin joint/, cls: UsageError },
    { name: 'missing model directory', o: { modelDir: join(dir, 'nope') }, err: /model config not found/, cls: UsageError },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with a one-line error`, async () => {
      const err = await generate({ ...base, ...c.o }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(c.cls);
      expect((err as Error).message).toMatch(c.err);
      expect((err as Error).message).not.toContain('\n');
    });
  }
  it('rejects a corrupt or wrong-version model directory', async () => {
    const corrupt = join(dir, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'config.json'), readFileSync(join(modelDir, 'config.json')));
    writeFileSync(join(corrupt, 'weights.bin'), readFileSync(join(modelDir, 'weights.bin')).subarray(0, 1000));
    await expect(generate({ ...base, modelDir: corrupt })).rejects.toThrow(FormatError);
    const old = join(dir, 'old');
    mkdirSync(old);
    const meta = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
    writeFileSync(join(old, 'config.json'), JSON.stringify({ ...meta, version: 0 }));
    writeFileSync(join(old, 'weights.bin'), readFileSync(join(modelDir, 'weights.bin')));
    await expect(generate({ ...base, modelDir: old })).rejects.toThrow(/format version 0/);
    const notJson = join(dir, 'notjson');
    mkdirSync(notJson);
    writeFileSync(join(notJson, 'config.json'), '{oops');
    await expect(generate({ ...base, modelDir: notJson })).rejects.toThrow(/not valid JSON/);
  });
});

describe('parsePin', () => {
  const cases = [
    { v: '9:120,80', want: { joint: 9, x: 120, y: 80 } },
    { v: ' 0 : 1.5,-2 ', want: { joint: 0, x: 1.5, y: -2 } },
  ];
  for (const c of cases) it(`parses "${c.v}"`, () => expect(parsePin(c.v)).toEqual(c.want));
  for (const v of ['9:120', 'x:1,2', '17:1,2', '3:a,b']) it(`rejects "${v}"`, () => expect(() => parsePin(v)).toThrow(UsageError));
});
