/**
 * Regenerates docs/images/synth-contact-sheet.png: 18 human-object and 6 human-to-human synthetic scenes with the
 * erased person's skeleton (orange left, blue right), person box (green), object box (red) and partner (cyan).
 *
 *   npx tsx scripts/make-synth-contact-sheet.ts
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { synthSample } from '../src/data/scene.ts';
import { contactSheet } from '../src/data/preview.ts';

const samples = [
  ...Array.from({ length: 18 }, (_, i) => synthSample({ seed: 1, index: i, kind: 'hoi', width: 384, height: 384 })),
  ...Array.from({ length: 6 }, (_, i) => synthSample({ seed: 1, index: i, kind: 'h2h', width: 384, height: 384 })),
];
const sheet = contactSheet(samples, 6, 192);
const out = join(import.meta.dirname, '..', 'docs', 'images', 'synth-contact-sheet.png');
await writeFile(out, await sharp(Buffer.from(sheet.data), { raw: { width: sheet.width, height: sheet.height, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer());
console.log(`wrote ${out}`);
