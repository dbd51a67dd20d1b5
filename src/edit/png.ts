/**
 * PNG bytes of the rasters the edit stage sends and writes (Node only, through sharp): RGB as colour type 2,
 * 1-channel masks as 8-bit greyscale (colour type 0).
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { encodePng } from '../io/image.ts';
import type { RasterImage } from '../skeleton/calculators/crop.ts';

/** Encode a 1- or 3-channel raster as PNG. */
export async function rasterToPng(img: RasterImage<Uint8Array>): Promise<Uint8Array> {
  if (img.channels === 1) {
    const buf = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
      raw: { width: img.width, height: img.height, channels: 1 },
    }).toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer();
    return new Uint8Array(buf);
  }
  return new Uint8Array(await encodePng(img));
}

/** First 12 hex digits of the SHA-256 of `bytes` (stable upload names). */
export function shortHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}
