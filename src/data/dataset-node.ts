/**
 * Node-only: read a data set in the SPEC format through one code path, whether it is an official Person-in-Place
 * file (`object_keypoint_{train,val}2014.json`: COCO keypoints plus `obj_bbox` xyxy and `class`) or a synthetic set
 * (`DIR/annotations.json` + `DIR/images/`). One sample per (person, object box). As the official code does, people
 * with `iscrowd` or without labelled keypoints are skipped, and so are samples whose image file is missing.
 * A bad file gives one FormatError line naming the file and the first bad record. Official images are found as
 * `inpainted_with_<id>.jpg` next to the file, under images/, or under `imageDir` (the official MSCOCO2014_all).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { FormatError, UsageError } from '../errors.ts';
import { xywhToXyxy, type Box } from '../skeleton/calculators/box.ts';
import { personCropRegion } from '../skeleton/calculators/crop.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { parseCocoKeypointsFile, parseJsonText, type CocoAnnotation, type CocoImage } from './formats.ts';
import type { Dataset, DatasetSample } from './types.ts';

/** File names looked for in a data-set directory, in order. */
export const DATASET_FILES = ['annotations.json', 'object_keypoint_train2014.json', 'object_keypoint_val2014.json'] as const;

export interface LoadDatasetOptions {
  /** Where the images are, when not next to the annotation file (DIR/images/ or DIR/). */
  imageDir?: string;
  /** Skip samples whose image file does not exist (default true, as the official code does). */
  checkImages?: boolean;
  /** For a directory holding both official files: which split. */
  split?: 'train' | 'val';
}

/** Resolve the annotation file of `path` (a .json file, or a directory holding one). */
export async function datasetFile(path: string, split?: 'train' | 'val'): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new UsageError(`data set not found: ${path}`);
  }
  if (st.isFile()) return path;
  const names = new Set(await readdir(path));
  if (split) {
    const f = `object_keypoint_${split}2014.json`;
    if (names.has(f)) return join(path, f);
  }
  const found = DATASET_FILES.filter((f) => names.has(f));
  if (!found.length) {
    throw new UsageError(`data set ${path} holds no ${DATASET_FILES.join(', ')} (give the annotation file itself, or a directory with one)`);
  }
  return join(path, found[0]);
}

/**
 * Candidate image paths for a file name, in order: the official person-erased background
 * (`inpainted_with_` + the part after the last `_`, e.g. COCO_val2014_000000000139.jpg ->
 * inpainted_with_000000000139.jpg, as the official loader builds it), then the file itself, in each directory.
 */
function imageCandidates(fileName: string, dirs: string[]): string[] {
  const base = basename(fileName);
  const tail = base.split('_').pop()!;
  const stem = basename(base, extname(base));
  const official = [`inpainted_with_${tail}`, `inpainted_with_${base}`, `inpainted_with_${stem}.png`];
  // COCO file names point at the person-erased backgrounds; other names (synthetic sets) are the image itself
  const names = /^COCO_/.test(base) ? [...official, base] : [base, ...official];
  return dirs.flatMap((d) => [...new Set([...(fileName !== base ? [fileName] : []), ...names])].map((n) => join(d, n)));
}

/** Read a data set: one sample per (person, object box). */
export async function loadDataset(path: string, o: LoadDatasetOptions = {}): Promise<Dataset> {
  const file = await datasetFile(path, o.split);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read data set ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const json = parseCocoKeypointsFile(parseJsonText(text, file), file);
  const base = dirname(resolve(file));
  const dirs = o.imageDir ? [resolve(o.imageDir)] : [join(base, 'images'), base];
  // list each candidate directory once (fast existence checks for large sets)
  const listing = new Map<string, Set<string>>();
  const checkImages = o.checkImages ?? true;
  if (checkImages) {
    for (const d of dirs) {
      try { listing.set(d, new Set(await readdir(d))); } catch { listing.set(d, new Set()); }
    }
  }
  const exists = (p: string) => listing.get(dirname(p))?.has(basename(p)) ?? false;
  const images = new Map<number | string, CocoImage & { path: string | null }>();
  for (const im of json.images) {
    const cands = imageCandidates(im.file_name, dirs);
    const found = checkImages ? cands.find(exists) ?? null : cands[0];
    images.set(im.id, { ...im, path: found });
  }
  const byId = new Map<number | string, CocoAnnotation>();
  for (const a of json.annotations) byId.set(a.id, a);
  const skipped: Record<string, number> = {};
  const skip = (why: string) => { skipped[why] = (skipped[why] ?? 0) + 1; };
  const samples: DatasetSample[] = [];
  json.annotations.forEach((a, i) => {
    const im = images.get(a.image_id);
    if (!im) throw new FormatError(`${file}: annotations[${i}] (id ${JSON.stringify(a.id)}) is bad (image_id ${JSON.stringify(a.image_id)} names no image)`);
    if (a.iscrowd) return skip('crowd');
    const vis = Array.from({ length: 17 }, (_, j) => a.keypoints[j * 3 + 2]);
    if (!vis.some((v) => v > 0)) return skip('no_keypoints');
    const boxes = a.obj_bbox ?? [];
    if (!boxes.length) return skip('no_object');
    if (!im.path) return skip('missing_image');
    let partner: CocoAnnotation | undefined;
    if (a.partner_id !== undefined && a.partner_id !== null) {
      partner = byId.get(a.partner_id);
      if (!partner) throw new FormatError(`${file}: annotations[${i}] (id ${JSON.stringify(a.id)}) is bad (partner_id ${JSON.stringify(a.partner_id)} names no annotation)`);
    }
    const keypoints = toKeypoints(a.keypoints);
    const personBox = xywhToXyxy(a.bbox);
    // the official loader drops people whose doubled box leaves nothing after clipping (process_bbox -> None)
    if (!personCropRegion(personBox, im.width, im.height)) return skip('empty_person_box');
    boxes.forEach((ob, k) => {
      if (!(ob[2] > ob[0] && ob[3] > ob[1])) return skip('empty_object_box');
      const s: DatasetSample = {
        annotationId: a.id as number, objectIndex: k, imageId: im.id as number, imagePath: im.path!, imageSize: [im.width, im.height],
        personBox, objectBox: [...ob] as Box, action: a.class?.[k] ?? '', keypoints, visibility: vis,
      };
      const cat = a.obj_category?.[k];
      if (cat) s.category = cat;
      if (partner) {
        s.partnerId = partner.id as number;
        s.partnerKeypoints = toKeypoints(partner.keypoints);
        s.partnerBox = xywhToXyxy(partner.bbox);
      }
      samples.push(s);
    });
  });
  return { source: file, samples, skipped, images: json.images.length, annotations: json.annotations.length };
}

/** COCO [x, y, v] x 17 (flat) -> keypoints with c = 1 where labelled (v > 0), else [0, 0, 0]. */
function toKeypoints(k: number[]): Keypoint[] {
  return Array.from({ length: 17 }, (_, j): Keypoint => (k[j * 3 + 2] > 0 ? [k[j * 3], k[j * 3 + 1], 1] : [0, 0, 0]));
}
