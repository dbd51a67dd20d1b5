import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage, encodePng, imageToTensor, readImage } from '../../src/io/image.ts';
import { writeOutputs } from '../../src/io/atomic.ts';
import { FormatError, UsageError } from '../../src/errors.ts';
import { initBackend } from '../../src/backend.ts';

/** A 4x2 RGB test card: red, green, blue, white / black, grey, yellow, cyan. */
const CARD = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128, 255, 255, 0, 0, 255, 255]);
const card = () => sharp(Buffer.from(CARD), { raw: { width: 4, height: 2, channels: 3 } });

describe('image input', () => {
  const formats: Array<[string, () => Promise<Buffer>, number]> = [
    ['PNG', () => card().png().toBuffer(), 0],
    ['WebP (lossless)', () => card().webp({ lossless: true }).toBuffer(), 0],
    ['JPEG', () => card().resize(8, 4, { kernel: 'nearest' }).jpeg({ quality: 100 }).toBuffer(), 60],
  ];
  for (const [name, make, tol] of formats) {
    it(`decodes ${name} to RGB`, async () => {
      const img = await decodeImage(await make(), name);
      expect(img.channels).toBe(3);
      expect(img.data.length).toBe(img.width * img.height * 3);
      expect(Math.abs(img.data[0] - 255) + img.data[1] + img.data[2]).toBeLessThanOrEqual(tol); // top-left is red
    });
  }

  it('honours EXIF orientation (6 = rotate 90 degrees clockwise)', async () => {
    const jpeg = await card().resize(8, 4, { kernel: 'nearest' }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpeg, 'rotated');
    expect([img.width, img.height]).toEqual([4, 8]);
    // After a clockwise turn the old bottom-left (black) is the new top-left; the old top-left (red) is top-right.
    const tr = (img.width - 1) * 3;
    expect(img.data[tr]).toBeGreaterThan(200);
    expect(img.data[0] + img.data[1] + img.data[2]).toBeLessThan(60);
  });

  it('drops alpha over black', async () => {
    const rgba = await sharp(Buffer.from([255, 255, 255, 0, 10, 20, 30, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const img = await decodeImage(rgba);
    expect(Array.from(img.data)).toEqual([0, 0, 0, 10, 20, 30]);
  });

  const bad: Array<[string, () => Promise<Buffer> | Buffer, RegExp]> = [
    ['corrupt bytes', () => Buffer.from('this is not an image at all'), /not a readable image/],
    ['a truncated PNG', async () => (await card().png().toBuffer()).subarray(0, 30), /image/],
    ['an image over the size limit', () => sharp({ create: { width: 16_400, height: 2, channels: 3, background: '#000' } }).png().toBuffer(), /limit is 16384 px a side/],
    ['an unsupported format (GIF)', () => sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).gif().toBuffer(), /must be PNG, JPEG or WebP, got gif/],
  ];
  for (const [name, make, re] of bad) {
    it(`rejects ${name} with a one-line FormatError`, async () => {
      const err = await decodeImage(await make(), 'image x.png').catch((e) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain('\n');
    });
  }

  it('reports a missing file as a usage error', async () => {
    await expect(readImage('/nonexistent/dir/photo.png')).rejects.toThrow(UsageError);
    await expect(readImage('/nonexistent/dir/photo.png')).rejects.toThrow('image not found: /nonexistent/dir/photo.png');
  });

  it('turns bytes into a [H, W, 3] float tensor in [0, 1]', async () => {
    await initBackend('wasm');
    const img = await decodeImage(await card().png().toBuffer());
    const t = imageToTensor(img);
    expect(t.shape).toEqual([2, 4, 3]);
    const v = t.dataSync();
    expect(v[0]).toBeCloseTo(1);
    expect(v[15 + 0]).toBeCloseTo(128 / 255);
    t.dispose();
  });
});

describe('image output', () => {
  it('PNG round-trips exactly', async () => {
    const png = await encodePng({ data: CARD, width: 4, height: 2, channels: 3 });
    const back = await decodeImage(png);
    expect(Array.from(back.data)).toEqual(Array.from(CARD));
  });
});

describe('writeOutputs', () => {
  it('writes every file and leaves no temporaries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinplace-out-'));
    await writeOutputs(dir, { 'a.json': '{}', 'b.bin': new Uint8Array([1, 2]) });
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.bin']);
  });
  it('writes nothing when one file fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinplace-out-'));
    await writeFile(join(dir, 'keep.txt'), 'x');
    const err = await writeOutputs(dir, { 'a.json': '{}', 'sub/missing-dir/b.json': '{}' }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect((await readdir(dir)).sort()).toEqual(['keep.txt']);
  });
});
