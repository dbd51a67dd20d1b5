/**
 * Every file format of the project as a typed interface, read through a `parseX(json: unknown)` guard that throws a
 * one-line FormatError naming the file and the first bad field. The CLI, the server and the viewer share them.
 */
import { z } from 'zod';
import { FormatError } from '../errors.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { Box } from '../skeleton/calculators/box.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const keypoint = z.tuple([finite, finite, finite.pipe(z.number().min(0).max(1))]);
const keypoints17 = z.array(keypoint).length(17);
const box = z.tuple([finite, finite, finite, finite]).refine((b) => b[2] > b[0] && b[3] > b[1], 'box must have x2 > x1 and y2 > y1');

/** skeleton.json: what `generate` and `h2h` write (SPEC). */
export interface SkeletonFile {
  image: { path: string; width: number; height: number };
  person_box: Box;
  object_box?: Box;
  category?: string | null;
  action?: string | null;
  seed?: number;
  samples: Array<{ keypoints: Keypoint[]; score?: number }>;
  /** Human-to-human: the partner who stands in for the object. */
  partner?: { box: Box; keypoints: Keypoint[] };
  /** Anything else a writer adds (model name, sampler, timing). */
  [extra: string]: unknown;
}

export const skeletonFileSchema = z.looseObject({
  image: z.looseObject({ path: z.string(), width: z.number().int().positive(), height: z.number().int().positive() }),
  person_box: box,
  object_box: box.optional(),
  category: z.string().nullable().optional(),
  action: z.string().nullable().optional(),
  seed: z.number().int().optional(),
  samples: z.array(z.looseObject({ keypoints: keypoints17, score: finite.optional() })).min(1),
  partner: z.looseObject({ box, keypoints: keypoints17 }).optional(),
});

/** OpenPose / ControlNet pose JSON (18 body points per person, flat x,y,c triples). */
export interface OpenPoseFile {
  canvas_width: number;
  canvas_height: number;
  people: Array<{ pose_keypoints_2d: number[]; [extra: string]: unknown }>;
  [extra: string]: unknown;
}

export const openPoseFileSchema = z.looseObject({
  canvas_width: z.number().positive(),
  canvas_height: z.number().positive(),
  people: z.array(z.looseObject({ pose_keypoints_2d: z.array(finite).length(54) })),
});

/** Format a zod issue as "field.path: message". */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : '(root)';
  return `${where}: ${issue.message}`;
}

/** Parse `json` with `schema`; on failure throw one line naming `source` and the first bad field. */
export function parseWith<T>(schema: z.ZodType, json: unknown, source: string, what: string): T {
  const r = schema.safeParse(json);
  if (!r.success) throw new FormatError(`${source} is not a valid ${what} (${describe(r.error)})`);
  return r.data as T;
}

export const parseSkeletonFile = (json: unknown, source = 'skeleton file'): SkeletonFile =>
  parseWith<SkeletonFile>(skeletonFileSchema, json, source, 'skeleton.json');

export const parseOpenPoseFile = (json: unknown, source = 'OpenPose file'): OpenPoseFile =>
  parseWith<OpenPoseFile>(openPoseFileSchema, json, source, 'OpenPose JSON');

/** Parse JSON text with a one-line error. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FormatError(`${source} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/** An image record of a COCO keypoints file. */
export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  [extra: string]: unknown;
}

/**
 * A person annotation of the data-set format (SPEC): COCO keypoints plus `obj_bbox` (xyxy boxes) and `class` (one
 * action per box); optional `obj_category` (COCO category per box) and `partner_id` (h2h).
 */
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id?: number;
  iscrowd?: number;
  /** 17 x [x, y, v], flat; v: 0 unlabelled, 1 labelled hidden, 2 visible. */
  keypoints: number[];
  num_keypoints?: number;
  /** COCO [x, y, w, h]. */
  bbox: [number, number, number, number];
  area?: number;
  obj_bbox?: Array<[number, number, number, number]>;
  class?: string[];
  obj_category?: string[];
  partner_id?: number;
  [extra: string]: unknown;
}

/** The data-set file (`annotations.json`, `object_keypoint_{train,val}2014.json`). */
export interface CocoKeypointsFile {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories?: unknown[];
  [extra: string]: unknown;
}

/** The data-set file under the name STYLE.md uses. */
export type CocoAnnotations = CocoKeypointsFile;

const idSchema = z.union([z.number().int(), z.string().min(1)]);
export const cocoImageSchema = z.looseObject({
  id: idSchema, file_name: z.string().min(1), width: z.number().int().positive(), height: z.number().int().positive(),
});
export const cocoAnnotationSchema = z.looseObject({
  id: idSchema,
  image_id: idSchema,
  iscrowd: z.union([z.number(), z.boolean()]).optional(),
  keypoints: z.array(finite).length(51, 'keypoints must hold 51 numbers (17 x [x, y, v])'),
  bbox: z.tuple([finite, finite, finite, finite]),
  obj_bbox: z.array(z.tuple([finite, finite, finite, finite])).optional(),
  class: z.array(z.string()).optional(),
  obj_category: z.array(z.string().nullable()).optional(),
  partner_id: idSchema.nullable().optional(),
});

/**
 * Check a data-set file: the top level, then every image and annotation record; throws one FormatError line naming
 * `source` and the first bad record (its index and id) and field.
 */
export function parseCocoKeypointsFile(json: unknown, source = 'data-set file'): CocoKeypointsFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FormatError(`${source} is not a COCO keypoints file (expected a JSON object with "images" and "annotations")`);
  }
  const o = json as Record<string, unknown>;
  for (const key of ['images', 'annotations'] as const) {
    if (!Array.isArray(o[key])) throw new FormatError(`${source} is not a COCO keypoints file ("${key}" must be a list)`);
  }
  const check = (list: unknown[], schema: z.ZodType, what: string) => {
    for (let i = 0; i < list.length; i++) {
      const r = schema.safeParse(list[i]);
      if (!r.success) {
        const id = (list[i] as { id?: unknown } | null)?.id;
        throw new FormatError(`${source}: ${what}[${i}]${id !== undefined ? ` (id ${JSON.stringify(id)})` : ''} is bad (${describe(r.error)})`);
      }
    }
  };
  check(o.images as unknown[], cocoImageSchema, 'images');
  check(o.annotations as unknown[], cocoAnnotationSchema, 'annotations');
  // cross-field checks per annotation
  const anns = o.annotations as CocoAnnotation[];
  for (let i = 0; i < anns.length; i++) {
    const a = anns[i];
    const n = a.obj_bbox?.length ?? 0;
    if (a.class && a.class.length !== n) {
      throw new FormatError(`${source}: annotations[${i}] (id ${JSON.stringify(a.id)}) is bad (class has ${a.class.length} entries but obj_bbox has ${n})`);
    }
    if (a.obj_category && a.obj_category.length !== n) {
      throw new FormatError(`${source}: annotations[${i}] (id ${JSON.stringify(a.id)}) is bad (obj_category has ${a.obj_category.length} entries but obj_bbox has ${n})`);
    }
  }
  return json as CocoKeypointsFile;
}

/** body.json: what `fit` writes (SPEC). 3D in the OpenCV camera frame, metres; 2D in image pixels. */
export interface BodyFile {
  /** Name of the body model. */
  model: string;
  /** Shape coefficients. */
  betas: number[];
  /** 24 axis-angle rotations (radians), SMPL joint order; joint 0 is the global orientation in the camera frame. */
  pose: Array<[number, number, number]>;
  /** Metres, camera frame (where the pelvis joint is). */
  translation: [number, number, number];
  camera: { focal: number; cx: number; cy: number };
  /** COCO-17 joints of the fitted body projected with `camera`, pixels. */
  joints2d: Array<[number, number]>;
  /** COCO-17 joints in the camera frame, metres. */
  joints3d: Array<[number, number, number]>;
  /** Plain pixel distance between joints2d and the input keypoints with c > 0. */
  reprojection_error_px: { mean: number; median: number; max: number };
  iterations: number;
  ms: number;
  [extra: string]: unknown;
}

const vec3 = z.tuple([finite, finite, finite]);
export const bodyFileSchema = z.looseObject({
  model: z.string(),
  betas: z.array(finite).min(1),
  pose: z.array(vec3).length(24),
  translation: vec3,
  camera: z.looseObject({ focal: finite.pipe(z.number().positive()), cx: finite, cy: finite }),
  joints2d: z.array(z.tuple([finite, finite])).length(17),
  joints3d: z.array(vec3).length(17),
  reprojection_error_px: z.looseObject({ mean: finite, median: finite, max: finite }),
  iterations: z.number().int().min(0),
  ms: finite,
});

export const parseBodyFile = (json: unknown, source = 'body file'): BodyFile =>
  parseWith<BodyFile>(bodyFileSchema, json, source, 'body.json');
