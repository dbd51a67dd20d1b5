/**
 * Node-only: human-to-human data sets on disk (the SPEC data-set format with `partner_id`) -> samples with their
 * partner. The new person's samples come from the skeleton reader (one per (person, object box)); for an h2h person
 * the object box is the partner's box, and the partner's skeleton is the annotation named by `partner_id`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, UsageError } from '../errors.ts';
import { parseJsonText } from '../data/formats.ts';
import { readHoiSamples, type HoiSample } from '../skeleton/dataset-node.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { H2hScene } from './evaluate.ts';

/** Confidence given to a partner joint by its COCO visibility (0 missing, 1 hidden, 2 visible). */
export const VISIBILITY_CONFIDENCE: readonly number[] = [0, 0.6, 1];

/** A sample of the new person with the partner (image pixels). */
export interface H2hSample extends HoiSample {
  partner: { id: number | string; box: Box; keypoints: Keypoint[] };
}

interface Ann { id: number | string; keypoints?: number[]; partner_id?: number | string; bbox?: number[] }

/**
 * Read DIR/annotations.json: every (person, object box) sample whose person has a `partner_id`, with the partner's
 * keypoints (confidence from visibility) and the object box as the partner box. Samples without a partner are
 * dropped; a `partner_id` that names no annotation is a FormatError.
 */
export async function readH2hSamples(path: string): Promise<H2hSample[]> {
  const file = path.endsWith('.json') ? path : join(path, 'annotations.json');
  const samples = await readHoiSamples(path);
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch { throw new UsageError(`data set not found: ${file} (expected DIR/annotations.json)`); }
  const json = parseJsonText(text, file) as { annotations?: Ann[] };
  const anns = new Map((json.annotations ?? []).map((a) => [a.id, a]));
  const out: H2hSample[] = [];
  for (const s of samples) {
    const a = anns.get(s.annotationId);
    if (a?.partner_id === undefined || a.partner_id === null) continue;
    const p = anns.get(a.partner_id);
    if (!p || !Array.isArray(p.keypoints) || p.keypoints.length !== 51) {
      throw new FormatError(`${file}: annotation ${a.id} has partner_id ${a.partner_id}, which names no person with 17 keypoints`);
    }
    const k = p.keypoints;
    const keypoints = Array.from({ length: 17 }, (_, j): Keypoint => {
      const v = k[3 * j + 2];
      return v > 0 ? [k[3 * j], k[3 * j + 1], VISIBILITY_CONFIDENCE[Math.min(2, Math.round(v))]] : [0, 0, 0];
    });
    out.push({ ...s, partner: { id: p.id, box: s.objectBox, keypoints } });
  }
  return out;
}

/** An h2h sample as an evaluation scene. */
export function toScene(s: H2hSample): H2hScene {
  return {
    id: `${s.annotationId}/${s.objectIndex}`, imagePath: s.imagePath, imageSize: s.imageSize, personBox: s.personBox,
    partner: { box: s.partner.box, keypoints: s.partner.keypoints }, action: s.action, gt: s.keypoints,
  };
}
