/**
 * Test images with real people: the A-pose photo that ships inside @vladmandic/human (the base64 `body` constant of
 * its src/sample.ts, 1200x1200 JPEG), and scenes composed from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { humanPackageDir } from '../../src/h2h/detect-node.ts';
import { decodeImage, type RgbImage } from '../../src/io/image.ts';

let jpeg: Buffer | null = null;

/** The sample photo's JPEG bytes. */
export function sampleBodyJpeg(): Buffer {
  if (jpeg) return jpeg;
  const src = readFileSync(join(humanPackageDir(), 'src', 'sample.ts'), 'utf8');
  const m = /export const body\s*=\s*`([^`]+)`/.exec(src);
  if (!m) throw new Error('sample-images: no `body` constant in @vladmandic/human/src/sample.ts');
  jpeg = Buffer.from(m[1].replace(/\s/g, ''), 'base64');
  return jpeg;
}

/**
 * A `width`x`height` grey scene with the sample person scaled to `size` px at each `[left, top]`.
 * Returns PNG bytes.
 */
export async function composeScene(width: number, height: number, size: number, at: Array<[number, number]>): Promise<Buffer> {
  const person = await sharp(sampleBodyJpeg()).resize(size, size).toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#7a7a7a' } })
    .composite(at.map(([left, top]) => ({ input: person, left, top })))
    .png()
    .toBuffer();
}

export const decode = (bytes: Buffer, name: string): Promise<RgbImage> => decodeImage(bytes, name);
