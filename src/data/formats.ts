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
