import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { edit, workSize, peopleBox, readSkeletonFile } from '../../src/edit/edit.ts';
import { toOpenPoseJson } from '../../src/edit/openpose-map.ts';
import { personMask } from '../../src/edit/mask.ts';
import { startFakeComfyUI, type FakeComfy } from '../../src/edit/testing/fake-comfyui.ts';
import { startFakeA1111, type FakeA1111 } from '../../src/edit/testing/fake-a1111.ts';
import { ServerError, UsageError } from '../../src/errors.ts';
import { parseOpenPoseFile } from '../../src/data/formats.ts';
import { H, W, scene, skeletonFile, standing } from './helpers.ts';
import type { EditFn } from '../../src/server/types.ts';

let comfy: FakeComfy;
let a1111: FakeA1111;
let dir: string;
beforeAll(async () => {
  [comfy, a1111] = await Promise.all([startFakeComfyUI(), startFakeA1111()]);
  dir = await mkdtemp(join(tmpdir(), 'pinplace-edit-'));
});
afterAll(async () => {
  await Promise.all([comfy.close(), a1111.close()]);
  await rm(dir, { recursive: true, force: true });
});

const raw = async (png: string | Uint8Array): Promise<Buffer> => sharp(png as Uint8Array).removeAlpha().raw().toBuffer();

describe('workSize', () => {
  it.each([
    [512, 512, [512, 512]], [640, 480, [680, 512]], [96, 72, [680, 512]], [1920, 1080, [912, 512]], [300, 1000, [512, 1704]],
  ])('%sx%s -> %j', (w, h, want) => expect(workSize(w, h)).toEqual(want));
});

describe('edit() end to end on the fakes', () => {
  it.each(['comfyui', 'a1111'] as const)('%s: edited.png keeps every pixel outside the mask and paints inside it', async (api) => {
    const image = scene();
    const out = join(dir, `ok-${api}`);
    const r = await edit({
      image, skeleton: skeletonFile(), server: api === 'comfyui' ? comfy.url : a1111.url, api,
      prompt: 'a person sitting on the chair', pollIntervalMs: 10, out,
    });
    const names = (await readdir(out)).sort();
    expect(names).toEqual(['edit.json', 'edited.png', 'mask.png', 'masked.png', 'openpose.json', 'overlay.png', 'pose.png',
      api === 'comfyui' ? 'workflow.json' : 'a1111-request.json'].sort());
    const edited = await raw(await readFile(join(out, 'edited.png')));
    const mask = personMask([30, 6, 66, 70], W, H);
    let outside = 0;
    let changedInside = 0;
    for (let i = 0; i < W * H; i++) {
      const same = [0, 1, 2].every((c) => edited[i * 3 + c] === image.data[i * 3 + c]);
      if (mask.data[i] === 0) { expect(same, `pixel ${i} outside the mask`).toBe(true); outside++; } else if (!same) changedInside++;
    }
    expect(outside).toBe(W * H - 36 * 64);
    expect(changedInside).toBeGreaterThan(0.9 * 36 * 64);
    expect(r.summary).toMatchObject({ api, work_size: [680, 512], returned_size: [680, 512], mask: 'box', seed: 42, steps: 20 });
    const op = parseOpenPoseFile(JSON.parse(await readFile(join(out, 'openpose.json'), 'utf8')));
    expect(op.people).toHaveLength(1);
  });

  it('the work-size pose map is redrawn from scaled keypoints, not resampled', async () => {
    await edit({ image: scene(), skeleton: skeletonFile(), sample: 1, server: comfy.url, prompt: 'a person', pollIntervalMs: 10 });
    const uploads = comfy.log.uploads.filter((u) => u.stored.endsWith('-pose.png'));
    const sent = comfy.inputs.get(uploads[uploads.length - 1].stored)!;
    const meta = await sharp(sent).metadata();
    expect([meta.width, meta.height]).toEqual([680, 512]);
    const px = await raw(sent);
    const colours = new Set<string>();
    for (let i = 0; i < px.length; i += 3) colours.add(`${px[i]},${px[i + 1]},${px[i + 2]}`);
    // only black, the 18 joint colours and the 17 dimmed limb colours: no resampling blends
    expect(colours.size).toBeLessThanOrEqual(1 + 18 + 17);
  });

  it('OpenPose JSON in: all its people are painted, inside their hull', async () => {
    const file = parseOpenPoseFile(JSON.parse(JSON.stringify(toOpenPoseJson([standing()], W, H))));
    const r = await edit({ image: scene(), skeleton: file, server: comfy.url, prompt: 'a person', pollIntervalMs: 10 });
    expect(r.summary.mask).toBe('hull');
    const mask = await sharp(r.files['mask.png'] as Uint8Array).extractChannel(0).raw().toBuffer();
    expect(mask[12 * W + 48]).toBe(255); // nose
    expect(mask[2 * W + 2]).toBe(0);
    // keypoints span x 36..60, y 10..66; grown by 10 % of the larger side (5.6 px)
    peopleBox([standing()], W, H)!.forEach((v, i) => expect(v).toBeCloseTo([30.4, 4.4, 65.6, 71.6][i], 9));
  });

  it('fits the HTTP server\'s edit contract: timeoutSec, (fraction, message) progress, edited PNG bytes', async () => {
    const fn: EditFn = edit; // compile-time: the server can call edit() as it is
    const fractions: number[] = [];
    const messages: string[] = [];
    const r = await fn({
      image: scene(), skeleton: skeletonFile(), server: comfy.url, api: 'comfyui', prompt: 'a person', steps: 4, timeoutSec: 30,
      onProgress: (f, m) => { fractions.push(f); if (m) messages.push(m); },
    });
    expect((await sharp(r.edited).metadata()).format).toBe('png');
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]))).toBe(true);
    expect(fractions[fractions.length - 1]).toBeGreaterThanOrEqual(0.95);
    expect(messages).toContain('sampling 4/4');
  });

  it('takes file paths for the image and the skeleton', async () => {
    const img = join(dir, 'scene.png');
    const sk = join(dir, 'skeleton.json');
    await writeFile(img, await sharp(Buffer.from(scene().data), { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    await writeFile(sk, JSON.stringify(skeletonFile()));
    const r = await edit({ image: img, skeleton: sk, server: comfy.url, prompt: 'a person', pollIntervalMs: 10 });
    expect(Object.keys(r.files)).toContain('edited.png');
  });

  it.each([
    ['a missing file', 'nope.json', /--skeleton file not found: .*nope\.json/],
    ['not JSON', 'bad.json', /--skeleton .*bad\.json is not valid JSON/],
    ['neither format', 'other.json', /--skeleton .*other\.json is not a valid skeleton\.json \(image: /],
  ])('readSkeletonFile: %s', async (_n, name, re) => {
    await writeFile(join(dir, 'bad.json'), '{ nope');
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    await expect(readSkeletonFile(join(dir, name))).rejects.toThrow(re);
  });

  it('a failure leaves the output folder as it was (no half-written files)', async () => {
    const out = join(dir, 'kept');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'edited.png'), 'older result');
    const hung = await startFakeComfyUI({ behaviour: 'hang' });
    try {
      const err = await edit({ image: scene(), skeleton: skeletonFile(), server: hung.url, prompt: 'a person', timeoutMs: 300, pollIntervalMs: 10, out })
        .then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ServerError);
    } finally {
      await hung.close();
    }
    expect(await readdir(out)).toEqual(['edited.png']);
    expect(await readFile(join(out, 'edited.png'), 'utf8')).toBe('older result');
  });

  it.each([
    ['an empty prompt', { prompt: ' ' }, /--prompt must be a non-empty text/],
    ['a skeleton of another image size', { skeleton: skeletonFile(192, 144) }, /the skeleton is for a 192x144 image, but the image is 96x72/],
    ['a sample that does not exist', { sample: 5 }, /--sample must be an integer in \[0, 1\], got 5/],
    ['a bad server URL', { server: 'comfy:8188' }, /--server must be an http\(s\) URL/],
  ])('rejects %s before contacting the server', async (_n, over, re) => {
    const before = comfy.log.requests.length;
    const p = edit({ image: scene(), skeleton: skeletonFile(), server: comfy.url, prompt: 'a person', ...over });
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(re);
    expect(comfy.log.requests.length).toBe(before);
  });
});
