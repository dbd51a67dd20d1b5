/**
 * The partner's skeleton from a file: a `skeleton.json` (sample 0, or its `partner`), a `pinplace detect` JSON, an
 * OpenPose JSON (18 points, or BODY_25), or a bare list of 17 `[x, y, c]`. Where a file holds several people, the one
 * whose keypoints best fit the partner box is taken.
 */
import { FormatError } from '../errors.ts';
import { intersectionArea, boxWidth, boxHeight, type Box } from '../skeleton/calculators/box.ts';
import { NUM_JOINTS, type Keypoint } from '../skeleton/topology.ts';
import { fromOpenPoseJson } from '../edit/openpose-map.ts';
import { keypointBox } from './keypoint-box.ts';

/** BODY_25 index of each OpenPose-18 point (BODY_25 adds mid-hip at 8 and six foot points at 19-24). */
const BODY25_TO_18 = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check and copy one COCO-17 list; `what` names it in the error. */
function cocoList(v: unknown, what: string): Keypoint[] {
  if (!Array.isArray(v)) throw new FormatError(`${what} must be a list of 17 [x, y, c] keypoints`);
  if (v.length !== NUM_JOINTS) throw new FormatError(`${what} has ${v.length} keypoints; the partner needs COCO-17 (17 [x, y, c] points) or OpenPose-18`);
  return v.map((k, j): Keypoint => {
    if (!Array.isArray(k) || k.length < 2 || !k.slice(0, 3).every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new FormatError(`${what}[${j}] must be [x, y, c] numbers, got ${JSON.stringify(k)}`);
    }
    return [k[0], k[1], k.length > 2 ? Math.max(0, Math.min(1, k[2])) : 1];
  });
}

/** One OpenPose person's flat triples, checked, as OpenPose-18 flat triples (BODY_25 is mapped). */
function openPose18(flat: unknown, what: string): number[] {
  if (!Array.isArray(flat) || !flat.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new FormatError(`${what} must be a flat list of numbers`);
  }
  const n = flat.length / 3;
  if (flat.length % 3 !== 0 || (n !== 18 && n !== 25)) {
    throw new FormatError(`${what} has ${flat.length} values (${(flat.length / 3).toFixed(n % 1 ? 1 : 0)} points); the partner needs OpenPose-18 (54 values) or BODY_25 (75)`);
  }
  return n === 25 ? BODY25_TO_18.flatMap((i) => flat.slice(3 * i, 3 * i + 3)) : flat;
}

/** How well a skeleton fits a box: intersection of its keypoint box with `box` over the smaller area. */
function fit(kps: Keypoint[], box: Box | undefined): number {
  if (!box) return 0;
  const kb = keypointBox(kps, 0.05);
  if (!kb) return 0;
  const small = Math.min(boxWidth(kb) * boxHeight(kb), boxWidth(box) * boxHeight(box));
  return small > 0 ? intersectionArea(kb, box) / small : 0;
}

function best(people: Keypoint[][], box: Box | undefined, source: string): Keypoint[] {
  if (people.length === 0) throw new FormatError(`${source} holds no person`);
  let pick = people[0];
  for (const p of people) if (fit(p, box) > fit(pick, box)) pick = p;
  return pick;
}

/**
 * True for the JSON `pinplace detect` writes (`people` and `objects` lists): its keypoint scores are a detector's,
 * which h2h puts on the training data's confidence levels (detected-levels.ts) like a partner it detects itself.
 */
export function isDetectJson(json: unknown): boolean {
  return isObj(json) && Array.isArray(json.people) && Array.isArray(json.objects);
}

/**
 * Read the partner's COCO-17 keypoints (image pixels) from parsed JSON. `partnerBox` picks among several people.
 * Throws a one-line FormatError for anything else, e.g. a skeleton with the wrong number of joints.
 */
export function partnerKeypointsFromJson(json: unknown, source: string, partnerBox?: Box): Keypoint[] {
  if (Array.isArray(json)) return cocoList(json, `${source}`);
  if (!isObj(json)) throw new FormatError(`${source} must be a skeleton.json, a detect JSON or an OpenPose JSON object`);
  if (Array.isArray(json.people) && json.people.length > 0 && isObj(json.people[0]) && 'pose_keypoints_2d' in json.people[0]) {
    const file = {
      canvas_width: Number(json.canvas_width) || 1,
      canvas_height: Number(json.canvas_height) || 1,
      people: (json.people as Json[]).map((p, i) => ({ pose_keypoints_2d: openPose18(p.pose_keypoints_2d, `${source} people[${i}].pose_keypoints_2d`) })),
    };
    return best(fromOpenPoseJson(file), partnerBox, source);
  }
  if (Array.isArray(json.people)) {
    const people = (json.people as unknown[]).map((p, i) => cocoList(isObj(p) ? p.keypoints : undefined, `${source} people[${i}].keypoints`));
    return best(people, partnerBox, source);
  }
  if (Array.isArray(json.samples)) {
    const s0 = json.samples[0];
    return cocoList(isObj(s0) ? s0.keypoints : undefined, `${source} samples[0].keypoints`);
  }
  if (isObj(json.partner)) return cocoList(json.partner.keypoints, `${source} partner.keypoints`);
  if (Array.isArray(json.keypoints)) return cocoList(json.keypoints, `${source} keypoints`);
  throw new FormatError(`${source} has no skeleton (expected "samples", "people" or "keypoints")`);
}
