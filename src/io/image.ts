/**
 * Image I/O (Node): PNG/JPEG/WebP in with EXIF orientation honoured and a size limit; RGB bytes or float tensors
 * out; PNG out. Built on sharp (libvips).
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { FormatError, UsageError } from '../errors.ts';
import type { RasterImage } from '../skeleton/calculators/crop.ts';

/** Largest accepted image, in pixels (width x height). */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Largest accepted side. */
export const MAX_IMAGE_SIDE = 16_384;
const FORMATS = new Set(['png', 'jpeg', 'webp']);

/** An RGB image in memory: 8-bit interleaved, top-left origin. */
export interface RgbImage extends RasterImage<Uint8Array> {
  channels: 3;
  /** Where it came from, when it came from a file. */
  path?: string;
}

/** Decode PNG/JPEG/WebP bytes into RGB (EXIF orientation applied, alpha dropped over black). */
export async function decodeImage(bytes: Uint8Array, name = 'image'): Promise<RgbImage> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
  } catch (err) {
    throw new FormatError(`${name} is not a readable image (${firstLine(err)})`);
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw new FormatError(`${name} must be PNG, JPEG or WebP, got ${meta.format ?? 'unknown format'}`);
  }
  if (!meta.width || !meta.height || meta.width > MAX_IMAGE_SIDE || meta.height > MAX_IMAGE_SIDE ||
      meta.width * meta.height > MAX_IMAGE_PIXELS) {
    throw new FormatError(`${name} is ${meta.width}x${meta.height}; the limit is ${MAX_IMAGE_SIDE} px a side and ${MAX_IMAGE_PIXELS} px in all`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate() // honour EXIF orientation
      .flatten({ background: '#000000' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    throw new FormatError(`${name} could not be decoded (${firstLine(err)})`);
  }
}

/** Read an image file. Missing files and corrupt images give one-line errors. */
export async function readImage(path: string): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`image not found: ${path}`);
    if (code === 'EISDIR') throw new UsageError(`image path is a directory: ${path}`);
    throw new UsageError(`cannot read image ${path} (${code ?? firstLine(err)})`);
  }
  const img = await decodeImage(bytes, `image ${path}`);
  return { ...img, path };
}

/** Encode an RGB (3 channels) or RGBA (4) or grey (1) byte image as PNG. */
export async function encodePng(img: RasterImage): Promise<Buffer> {
  const bytes = img.data instanceof Float32Array ? Uint8Array.from(img.data, (v) => Math.max(0, Math.min(255, Math.round(v)))) : img.data;
  return sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels as 1 | 2 | 3 | 4 },
  }).png({ compressionLevel: 6 }).toBuffer();
}

/** RGB bytes -> float tensor [H, W, 3] in [0, 1] (the paper divides by 255, no mean/std). */
export function imageToTensor(img: RasterImage): tf.Tensor3D {
  const f = img.data instanceof Float32Array ? img.data : Float32Array.from(img.data);
  return tf.tidy(() => tf.div(tf.tensor3d(f, [img.height, img.width, img.channels]), 255));
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
