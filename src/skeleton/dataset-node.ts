/**
 * Node-only: data sets on disk -> training/evaluation samples with cached backbone features.
 *
 * Reads the SPEC data-set format (COCO keypoints JSON with `obj_bbox`, `class`, optional `obj_category`; one
 * sample per (person, object box)), computes crop-unit targets, runs the frozen backbone once per person crop and
 * ROI-aligns the object box on the mid map (plain and mirrored), and caches the result next to the data set
 * (`.pinplace-features-<backbone>-<hash>.bin`, read and written in chunks: io/float-file.ts) so later runs skip the
 * backbone.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { readFloatParts, writeFloatParts } from '../io/float-file.ts';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { FormatError, UsageError } from '../errors.ts';
import { parseJsonText } from '../data/formats.ts';
import { readImage, type RgbImage } from '../io/image.ts';
import { xywhToXyxy, type Box } from './calculators/box.ts';
import { flipBox, flipJoints, toCropUnits, type CropTargets } from './calculators/normalise.ts';
import { roiAlign } from './calculators/roi-align.ts';
import { cropFeatures, type Backbone } from './features.ts';
import type { SampleSource } from './train.ts';
import type { Keypoint } from './topology.ts';
import type { ModelConfig, TrainExample } from './types.ts';

/** One (person, object box) sample of a data set. */
export interface HoiSample {
  annotationId: number | string;
  objectIndex: number;
  imagePath: string;
  imageSize: [number, number];
  /** Tight person box, xyxy. */
  personBox: Box;
  objectBox: Box;
  action: string | null;
  category: string | null;
  keypoints: Keypoint[];
}

interface CocoImage { id: number | string; file_name: string; width: number; height: number }
interface CocoAnn { id: number | string; image_id: number | string; bbox: number[]; keypoints: number[]; obj_bbox?: number[][]; class?: string[]; obj_category?: string[]; iscrowd?: number; num_keypoints?: number }

/** Read DIR/annotations.json (or a .json file path) into samples. */
export async function readHoiSamples(path: string): Promise<HoiSample[]> {
  const file = path.endsWith('.json') ? path : join(path, 'annotations.json');
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch { throw new UsageError(`data set not found: ${file} (expected DIR/annotations.json)`); }
  const json = parseJsonText(text, file) as { images?: CocoImage[]; annotations?: CocoAnn[] };
  if (!Array.isArray(json.images) || !Array.isArray(json.annotations)) throw new FormatError(`${file} is not a COCO keypoints file (needs "images" and "annotations")`);
  const base = dirname(resolve(file));
  const images = new Map(json.images.map((im) => [im.id, im]));
  const out: HoiSample[] = [];
  for (const a of json.annotations) {
    if (a.iscrowd || !Array.isArray(a.keypoints) || a.keypoints.length !== 51 || !Array.isArray(a.obj_bbox)) continue;
    const im = images.get(a.image_id);
    if (!im) continue;
    const kps: Keypoint[] = Array.from({ length: 17 }, (_, j) => [a.keypoints[3 * j], a.keypoints[3 * j + 1], a.keypoints[3 * j + 2]]);
    if (!kps.some((k) => k[2] > 0)) continue;
    const imagePath = [join(base, im.file_name), join(base, 'images', im.file_name)][im.file_name.includes('/') ? 0 : 1];
    a.obj_bbox.forEach((ob, k) => {
      if (!Array.isArray(ob) || ob.length !== 4 || !(ob[2] > ob[0] && ob[3] > ob[1])) return;
      out.push({
        annotationId: a.id, objectIndex: k, imagePath, imageSize: [im.width, im.height],
        personBox: xywhToXyxy(a.bbox), objectBox: ob as Box,
        action: a.class?.[k] ?? null, category: a.obj_category?.[k] ?? null, keypoints: kps,
      });
    });
  }
  return out;
}

/** Cached features of a data set. */
export interface FeatureTable {
  backbone: string;
  count: number;
  globalDim: number;
  roiDim: number; // gridSize^2 * mapDim
  global: Float32Array; // [count, globalDim]
  roi: Float32Array; // [count, roiDim]
  roiFlip: Float32Array; // [count, roiDim]
  /** Crop targets per sample (null: object outside the person crop; such samples are skipped). */
  targets: Array<CropTargets | null>;
}

function cacheKey(samples: HoiSample[], backbone: string, grid: number): string {
  const h = createHash('sha1');
  h.update(`${backbone}|${grid}|`);
  for (const s of samples) h.update(`${s.imagePath}|${s.personBox}|${s.objectBox}|`);
  return h.digest('hex').slice(0, 16);
}

/**
 * Features for every sample (backbone once per distinct person crop). With `cacheDir`, reads/writes a cache file.
 */
export async function featurizeSamples(
  samples: HoiSample[], backbone: Backbone, grid: number,
  o: { cacheDir?: string; onProgress?: (done: number, total: number) => void; batch?: number } = {},
): Promise<FeatureTable> {
  const targets = samples.map((s) => toCropUnits(s.imageSize, s.personBox, s.objectBox, s.keypoints));
  const P0 = grid * grid;
  const roiDim = P0 * backbone.mapDim;
  const key = cacheKey(samples, backbone.name, grid);
  const cachePrefix = `.pinplace-features-${backbone.name.replace(/[^a-z0-9_]+/gi, "-")}-`;
  const cacheFile = o.cacheDir ? join(o.cacheDir, `${cachePrefix}${key}.bin`) : null;
  const n = samples.length;
  if (cacheFile) {
    const parts = await readFloatParts(cacheFile, [n * backbone.globalDim, n * roiDim, n * roiDim]);
    if (parts) return { backbone: backbone.name, count: n, globalDim: backbone.globalDim, roiDim, targets, global: parts[0], roi: parts[1], roiFlip: parts[2] };
  }
  const global = new Float32Array(n * backbone.globalDim);
  const roi = new Float32Array(n * roiDim);
  const roiFlip = new Float32Array(n * roiDim);
  // a grown data set (`synth --extend`): the cache of its first scenes is reused, only the new ones are computed
  const start = o.cacheDir ? await readPrefixCache(o.cacheDir, cachePrefix, samples, backbone, grid) : null;
  if (start) {
    global.set(start.parts[0]);
    roi.set(start.parts[1]);
    roiFlip.set(start.parts[2]);
  }
  const first = start?.count ?? 0;
  // group samples by person crop (same image and person box) so the backbone runs once per crop
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => {
    if (i < first || !targets[i]) return;
    const k = `${s.imagePath}|${s.personBox.join(',')}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const keys = [...groups.keys()];
  const B = o.batch ?? 16;
  const imageCache = new Map<string, RgbImage>();
  let done = first;
  for (let g0 = 0; g0 < keys.length; g0 += B) {
    const chunk = keys.slice(g0, g0 + B);
    const items: Array<{ image: RgbImage; personBox: Box }> = [];
    for (const k of chunk) {
      const s = samples[groups.get(k)![0]];
      let img = imageCache.get(s.imagePath);
      if (!img) { img = await readImage(s.imagePath); imageCache.clear(); imageCache.set(s.imagePath, img); }
      items.push({ image: img, personBox: s.personBox });
    }
    const feats = await cropFeatures(backbone, items, B);
    chunk.forEach((k, c) => {
      for (const i of groups.get(k)!) {
        global.set(feats[c].global, i * backbone.globalDim);
        const ob = targets[i]!.objectBox;
        const S = backbone.mapSize;
        const box = ob.map((v) => v * S);
        roi.set(roiAlign(feats[c].map, S, S, backbone.mapDim, box, grid, 2, false), i * roiDim);
        const fb = flipBox(ob).map((v) => v * S);
        roiFlip.set(roiAlign(feats[c].map, S, S, backbone.mapDim, fb, grid, 2, true), i * roiDim);
        done++;
      }
    });
    o.onProgress?.(done, n);
  }
  if (cacheFile) {
    try {
      await writeFloatParts(cacheFile, [global, roi, roiFlip]);
      // the grown set's cache holds the old one's features: the old file only takes disk space now
      if (start) await rm(start.file, { force: true });
    } catch { /* read-only data directory: no cache */ }
  }
  return { backbone: backbone.name, count: n, globalDim: backbone.globalDim, roiDim, global, roi, roiFlip, targets };
}

/**
 * The largest cache in `dir` (same backbone and grid) of a proper prefix of `samples`: what a data set grown with
 * `synth --extend` had cached. Its length says how many samples it holds; its name must be the hash of that prefix.
 */
async function readPrefixCache(
  dir: string, prefix: string, samples: HoiSample[], backbone: Backbone, grid: number,
): Promise<{ file: string; count: number; parts: Float32Array[] } | null> {
  const roiDim = grid * grid * backbone.mapDim;
  const perSample = (backbone.globalDim + 2 * roiDim) * 4;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.bin'));
  } catch {
    return null;
  }
  const candidates: Array<{ file: string; count: number }> = [];
  for (const name of names) {
    const file = join(dir, name);
    const { size } = await stat(file).catch(() => ({ size: 0 }));
    const count = size / perSample;
    if (!Number.isInteger(count) || count < 1 || count >= samples.length) continue;
    if (name !== `${prefix}${cacheKey(samples.slice(0, count), backbone.name, grid)}.bin`) continue;
    candidates.push({ file, count });
  }
  for (const c of candidates.sort((a, b) => b.count - a.count)) {
    const parts = await readFloatParts(c.file, [c.count * backbone.globalDim, c.count * roiDim, c.count * roiDim]);
    if (parts) return { ...c, parts };
  }
  return null;
}

/** Vocabulary index (0 = not given / unknown to the model). */
export function vocabIndex(vocab: readonly string[], name: string | null | undefined): number {
  if (!name) return 0;
  const i = vocab.indexOf(name);
  return i < 0 ? 0 : i + 1;
}

/** A SampleSource over featurized samples (samples whose object lies outside the crop are dropped). */
export class FeatureSource implements SampleSource {
  readonly indices: number[];
  constructor(readonly samples: HoiSample[], readonly feats: FeatureTable, readonly config: ModelConfig) {
    this.indices = samples.map((_, i) => i).filter((i) => feats.targets[i] !== null);
  }
  get size(): number { return this.indices.length; }
  example(k: number, flip: boolean): TrainExample {
    const i = this.indices[k];
    const t = this.feats.targets[i]!;
    const s = this.samples[i];
    const f = this.feats;
    const joints = flip ? flipJoints(t.joints, t.mask) : { joints: t.joints, mask: t.mask };
    return {
      global: f.global.subarray(i * f.globalDim, (i + 1) * f.globalDim),
      roi: (flip ? f.roiFlip : f.roi).subarray(i * f.roiDim, (i + 1) * f.roiDim),
      objectBox: flip ? flipBox(t.objectBox) : t.objectBox,
      personBox: flip ? flipBox(t.personBox) : t.personBox,
      category: vocabIndex(this.config.categories, s.category),
      action: vocabIndex(this.config.actions, s.action),
      joints: joints.joints,
      mask: joints.mask!,
    };
  }
}
