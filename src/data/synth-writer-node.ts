/**
 * Node-only: write a synthetic data set in the SPEC format, DIR/annotations.json + DIR/images/NNNNNN.png (and with
 * `preview`, DIR/preview.png, a contact sheet). Samples are generated on the main thread while earlier ones are PNG-
 * encoded (sharp, libuv threads) and written, a few in flight. annotations.json is written last and atomically;
 * on failure the images written by this run are removed.
 */
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { UsageError } from '../errors.ts';
import { writeOutputs } from '../io/atomic.ts';
import {
  MAX_SYNTH_COUNT, MAX_SYNTH_SIDE, MIN_SYNTH_SIDE, PREVIEW_COUNT, SYNTH_IN_FLIGHT, SYNTH_PNG_LEVEL,
} from './constants.ts';
import type { CocoAnnotation, CocoImage } from './formats.ts';
import { contactSheet } from './preview.ts';
import { synthSample, type SceneOptions, type SynthKind } from './scene.ts';
import { defaultSynthWorkers, generateOn, synthPool } from './synth-pool-node.ts';
import { annotationFile, sampleRecords, synthImageName } from './synth-annotations.ts';
import type { SynthSample } from './types.ts';

export interface WriteSynthOptions {
  /** Output directory. */
  out: string;
  /** Number of images. */
  count: number;
  seed: number;
  kind: SynthKind;
  /** [W, H] pixels. */
  size: [number, number];
  /** Also write DIR/preview.png (a contact sheet of the first samples). */
  preview?: boolean;
  /** Generator threads (default: the machine's cores for sets of 32 images or more; 0 = the main thread). */
  workers?: number;
  /**
   * Grow the set already in `out` (made by `synth` with the same seed, kind and size, fewer images): its scenes are
   * kept and only the missing ones generated. The result equals a fresh set of `count` images.
   */
  extend?: boolean;
  /** Called after each written sample. */
  onProgress?: (done: number, total: number) => void;
}

export interface WriteSynthResult {
  out: string;
  annotations: string;
  images: number;
  people: number;
  samples: number;
  kind: SynthKind;
  seed: number;
  size: [number, number];
  seconds: number;
  samples_per_s: number;
  bytes: number;
  /** With `extend`: images that were already there (generated: images - kept). */
  kept?: number;
  preview?: string;
}

/** Check the options; throws a one-line UsageError. */
export function validateSynthOptions(o: WriteSynthOptions): void {
  if (!Number.isSafeInteger(o.count) || o.count < 1 || o.count > MAX_SYNTH_COUNT) {
    throw new UsageError(`--count must be an integer in [1, ${MAX_SYNTH_COUNT}], got "${o.count}"`);
  }
  if (!Number.isSafeInteger(o.seed)) throw new UsageError(`--seed must be an integer, got "${o.seed}"`);
  if (o.kind !== 'hoi' && o.kind !== 'h2h') throw new UsageError(`--kind must be one of hoi, h2h, got "${o.kind}"`);
  const [w, h] = o.size;
  for (const v of [w, h]) {
    if (!Number.isSafeInteger(v) || v < MIN_SYNTH_SIDE || v > MAX_SYNTH_SIDE) {
      throw new UsageError(`--size sides must be integers in [${MIN_SYNTH_SIDE}, ${MAX_SYNTH_SIDE}], got "${w},${h}"`);
    }
  }
  if (!o.out) throw new UsageError('--out is required');
  if (o.extend && o.preview) throw new UsageError('--preview draws the first scenes, which --extend does not make: run synth --preview on its own');
}

/** The set `extend` grows: its records, checked to be the start of the asked-for set. */
async function existingSet(out: string, o: WriteSynthOptions): Promise<{ images: CocoImage[]; annotations: CocoAnnotation[] }> {
  const file = join(out, 'annotations.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`--extend: ${file} not found (nothing to extend)`);
  }
  let set: { info?: { generator?: string; kind?: string; seed?: number; size?: number[]; count?: number }; images?: CocoImage[]; annotations?: CocoAnnotation[] };
  try {
    set = JSON.parse(text);
  } catch {
    throw new UsageError(`--extend: ${file} is not valid JSON`);
  }
  const info = set.info ?? {};
  if (info.generator !== 'pinplace synth' || !Array.isArray(set.images) || !Array.isArray(set.annotations)) {
    throw new UsageError(`--extend: ${file} was not written by pinplace synth`);
  }
  const same = info.kind === o.kind && info.seed === o.seed && info.size?.[0] === o.size[0] && info.size?.[1] === o.size[1];
  if (!same) {
    throw new UsageError(`--extend: ${out} holds --kind ${info.kind} --seed ${info.seed} --size ${info.size?.join(',')} scenes, not --kind ${o.kind} --seed ${o.seed} --size ${o.size.join(',')}`);
  }
  if (set.images.length !== info.count || set.images.some((im, i) => im.file_name !== synthImageName(i))) {
    throw new UsageError(`--extend: ${file} does not list scenes 0..${(info.count ?? 0) - 1} in order`);
  }
  if (set.images.length > o.count) throw new UsageError(`--extend: ${out} already holds ${set.images.length} images, more than --count ${o.count}`);
  for (const im of set.images) {
    try {
      await access(join(out, 'images', im.file_name));
    } catch {
      throw new UsageError(`--extend: ${join(out, 'images', im.file_name)} is missing`);
    }
  }
  return { images: set.images, annotations: set.annotations };
}

/** PNG bytes of an RGB sample. */
export function encodeSamplePng(s: SynthSample): Promise<Buffer> {
  return sharp(Buffer.from(s.rgb.buffer, s.rgb.byteOffset, s.rgb.byteLength), { raw: { width: s.width, height: s.height, channels: 3 } })
    .png({ compressionLevel: SYNTH_PNG_LEVEL, adaptiveFiltering: false })
    .toBuffer();
}

/** Generate and write the set. */
export async function writeSynthSet(o: WriteSynthOptions): Promise<WriteSynthResult> {
  validateSynthOptions(o);
  const out = resolve(o.out);
  const imgDir = join(out, 'images');
  try {
    await mkdir(imgDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out ${o.out}: cannot create the output directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // with --extend, the scenes already there are kept and generation starts after them
  const prior = o.extend ? await existingSet(out, o) : { images: [], annotations: [] };
  const first = prior.images.length;
  const t0 = performance.now();
  const metas: SynthSample[] = [];
  const written: string[] = [];
  const previews: SynthSample[] = [];
  const inFlight: Array<Promise<void>> = [];
  let bytes = 0;
  let done = 0;
  let result: { images: CocoImage[]; annotations: CocoAnnotation[] } = { images: [], annotations: [] };
  const nWorkers = o.workers ?? (o.count - first >= 32 ? defaultSynthWorkers() : 0);
  const slots = nWorkers > 0 ? await synthPool(nWorkers) : null;
  const window = slots ? 3 * slots.length + 2 : SYNTH_IN_FLIGHT;
  const job = (i: number): SceneOptions => ({ seed: o.seed, index: i, kind: o.kind, width: o.size[0], height: o.size[1] });
  try {
    for (let i = first; i < o.count; i++) {
      const made = slots ? generateOn(slots, job(i)) : Promise.resolve(synthSample(job(i)));
      const step = made.then(async (s) => {
        metas[i - first] = { ...s, rgb: new Uint8Array(0) };
        if (o.preview && i < PREVIEW_COUNT) previews[i] = s;
        const png = await encodeSamplePng(s);
        const path = join(imgDir, synthImageName(i));
        await writeFile(path, png);
        written.push(path);
        bytes += png.length;
        done++;
        o.onProgress?.(done, o.count - first);
      });
      step.catch(() => {}); // handled where it is awaited; this only keeps early failures from being "unhandled"
      inFlight.push(step);
      if (inFlight.length >= window) await inFlight.shift();
    }
    await Promise.all(inFlight);
    // records in index order, annotation ids counted from 1 (after the kept scenes' with --extend)
    const images: CocoImage[] = [...prior.images];
    const annotations: CocoAnnotation[] = [...prior.annotations];
    for (const m of metas) {
      const rec = sampleRecords(m, annotations.length + 1);
      images.push(rec.image);
      annotations.push(...rec.annotations);
    }
    const info = {
      description: `person-in-place synthetic ${o.kind === 'hoi' ? 'human-object' : 'human-to-human'} interaction set`,
      generator: 'pinplace synth', kind: o.kind, seed: o.seed, count: o.count, size: o.size,
    };
    const files: Record<string, string | Uint8Array> = { 'annotations.json': JSON.stringify(annotationFile(images, annotations, info)) };
    if (o.preview) {
      const sheet = contactSheet(previews.filter(Boolean), 6, 256);
      files['preview.png'] = await sharp(Buffer.from(sheet.data), { raw: { width: sheet.width, height: sheet.height, channels: 3 } }).png().toBuffer();
    }
    await writeOutputs(out, files);
    bytes += (files['annotations.json'] as string).length;
    result = { images, annotations };
  } catch (err) {
    await Promise.allSettled(inFlight);
    await Promise.all(written.map((p) => rm(p, { force: true })));
    throw err;
  }
  const seconds = (performance.now() - t0) / 1000;
  const { images, annotations } = result;
  return {
    out, annotations: join(out, 'annotations.json'), images: images.length, people: annotations.length,
    samples: annotations.reduce((n, a) => n + (a.obj_bbox?.length ?? 0), 0), kind: o.kind, seed: o.seed, size: o.size,
    seconds: Math.round(seconds * 100) / 100, samples_per_s: Math.round(((o.count - first) / seconds) * 10) / 10, bytes,
    ...(o.extend ? { kept: first } : {}),
    ...(o.preview ? { preview: join(out, 'preview.png') } : {}),
  };
}
