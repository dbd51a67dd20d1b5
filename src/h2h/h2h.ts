/**
 * Human-to-human mode: generate skeletons for a new person who interacts with a partner already in the image.
 * The partner stands in for the object: the diffuser sees the partner's box as the object box (ROI tokens, category
 * `person`) and, as 17 extra tokens, the partner's skeleton in the new person's crop (partner-tokens.ts).
 */
import { UsageError } from '../errors.ts';
import type { SkeletonFile } from '../data/formats.ts';
import type { RgbImage } from '../io/image.ts';
import { parseBox, type Box } from '../skeleton/calculators/box.ts';
import { personCropRegion } from '../skeleton/calculators/crop.ts';
import { COCO_JOINTS, NUM_JOINTS, type Keypoint } from '../skeleton/topology.ts';
import { partnerCondition } from './partner-tokens.ts';
import { detectedLevels } from './detected-levels.ts';
import { matchPartner } from './match-partner.ts';
import type { Detections } from './types.ts';

/** What h2h needs from a trained h2h diffuser (h2h-model.ts builds it from a model directory). */
export interface H2hSampler {
  /** Model name for skeleton.json. */
  name: string;
  /** Embedding width E of the model (the partner tokens are [17, E]). */
  embedDim: number;
  /** Actions the model knows (empty: any action is ignored). */
  actions: readonly string[];
  /** N skeletons in image pixels, best first, for the person box with the partner as the object. */
  sample(o: {
    image: RgbImage; personBox: Box; objectBox: Box; category: string; action?: string;
    samples: number; seed: number; extra: Float32Array;
    /** Partner tokens of the mirror image (mirroredPartnerCondition): with samples > 1, odd samples come from it. */
    extraMirrored?: Float32Array;
    /** Joints to keep fixed, image pixels (the sampler imposes them at every step, as generate does). */
    pins?: H2hPin[];
  }): Promise<Array<{ keypoints: Keypoint[]; score?: number }>>;
}

/** A pinned joint of the new person: COCO-17 index and image position in pixels. */
export interface H2hPin { joint: number; x: number; y: number }

export interface H2hOptions {
  image: RgbImage;
  /** Box of the new person `[x1, y1, x2, y2]`, image pixels. */
  personBox: Box;
  /** Box of the partner already in the image. */
  partnerBox: Box;
  /** The partner's COCO-17 keypoints (image pixels); detected in the image when omitted. */
  partnerKeypoints?: Keypoint[];
  /** Where given partner keypoints came from, for skeleton.json (`given` by default). */
  partnerSource?: 'given' | 'detected';
  /** The interaction (e.g. `handshake`); optional. */
  action?: string;
  /** Number of skeletons. [1] */
  samples?: number;
  /** Seed. [1] */
  seed?: number;
  /** Model directory. [models/h2h] */
  modelDir?: string;
  /** The detector, when the partner's keypoints must be found (Node: detect-node.ts `detect`). */
  detect?: (image: RgbImage) => Promise<Detections>;
  /** The model (default: loaded from `modelDir` by h2h-model.ts). */
  sampler?: H2hSampler;
  /** Joints of the new person to keep fixed (image pixels); the rest is generated around them. */
  pins?: H2hPin[];
}

/** The partner's skeleton: given (checked), or found by the detector as the person in the partner box. */
export async function resolvePartner(o: Pick<H2hOptions, 'image' | 'partnerBox' | 'partnerKeypoints' | 'partnerSource' | 'detect'>): Promise<{ box: Box; keypoints: Keypoint[]; source: 'given' | 'detected' }> {
  if (o.partnerKeypoints) {
    if (o.partnerKeypoints.length !== NUM_JOINTS) throw new UsageError(`the partner skeleton has ${o.partnerKeypoints.length} keypoints; COCO-17 needs 17`);
    return { box: o.partnerBox, keypoints: o.partnerKeypoints, source: o.partnerSource ?? 'given' };
  }
  if (!o.detect) throw new UsageError('no partner keypoints were given and no detector is available; pass --partner-keypoints FILE');
  const found = matchPartner(await o.detect(o.image), o.partnerBox);
  return { box: o.partnerBox, keypoints: found.keypoints, source: 'detected' };
}

/** Check the h2h inputs that do not need the model; throws one-line UsageErrors. */
export function checkH2hInputs(o: Pick<H2hOptions, 'image' | 'personBox' | 'partnerBox' | 'samples' | 'seed' | 'pins'>): void {
  const size = { width: o.image.width, height: o.image.height };
  parseBox(o.personBox, '--person', size);
  parseBox(o.partnerBox, '--partner', size);
  if (!personCropRegion(o.personBox, size.width, size.height)) throw new UsageError(`--person [${o.personBox.join(',')}] gives an empty crop in the ${size.width}x${size.height} image`);
  if (o.samples !== undefined && (!Number.isInteger(o.samples) || o.samples < 1 || o.samples > 256)) throw new UsageError(`--samples must be an integer in [1, 256], got "${o.samples}"`);
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw new UsageError(`--seed must be an integer, got "${o.seed}"`);
  for (const p of o.pins ?? []) {
    if (!Number.isInteger(p.joint) || p.joint < 0 || p.joint >= NUM_JOINTS) throw new UsageError(`--pin joint must be an integer in [0, 16] (COCO-17: ${COCO_JOINTS.join(', ')}), got ${p.joint}`);
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new UsageError(`--pin ${p.joint} needs finite x,y, got ${p.x},${p.y}`);
  }
}

/**
 * Generate skeletons for the new person interacting with the partner. Returns the skeleton.json content (SPEC `h2h`):
 * samples best first, `object_box` = the partner box, category `person`, and `partner: {box, keypoints}`.
 */
export async function h2h(o: H2hOptions): Promise<SkeletonFile> {
  checkH2hInputs(o);
  if (!o.sampler) throw new UsageError('h2h(): no h2h model given (load one with loadH2hModel)');
  const sampler = o.sampler;
  const action = o.action === undefined ? undefined : normaliseAction(o.action, sampler.actions);
  if (action !== undefined && sampler.actions.length > 0 && !sampler.actions.includes(action)) {
    throw new UsageError(`--action must be one of ${sampler.actions.join(', ')}, got "${o.action}"`);
  }
  const partner = await resolvePartner(o);
  const samples = o.samples ?? 1;
  const seed = o.seed ?? 1;
  // a detected partner's scores go on the data set's confidence levels (detected-levels.ts); the output keeps them raw
  const condition = partner.source === 'detected' ? { box: partner.box, keypoints: detectedLevels(partner.keypoints) } : partner;
  const extra = partnerCondition(condition, o.personBox, o.image.width, o.image.height, sampler.embedDim);
  const extraMirrored = samples > 1 ? partnerCondition(condition, o.personBox, o.image.width, o.image.height, sampler.embedDim, true) : undefined;
  const t0 = performance.now();
  const out = await sampler.sample({
    image: o.image, personBox: o.personBox, objectBox: o.partnerBox, category: 'person', action, ...(extraMirrored ? { extraMirrored } : {}),
    samples, seed, extra, ...(o.pins?.length ? { pins: o.pins } : {}),
  });
  const pinned = new Set((o.pins ?? []).map((p) => p.joint));
  return {
    image: { path: o.image.path ?? '', width: o.image.width, height: o.image.height },
    person_box: o.personBox,
    object_box: o.partnerBox,
    category: 'person',
    action: action ?? null,
    seed,
    samples: out.map((s) => ({
      keypoints: s.keypoints.map(([x, y, c], j): Keypoint => {
        // A pinned joint is exactly where it was pinned (the sampler works in crop units).
        const pin = o.pins?.find((p) => p.joint === j);
        return pin ? [pin.x, pin.y, 1] : [r3(x), r3(y), r3(c)];
      }),
      ...(s.score !== undefined ? { score: r3(s.score) } : {}),
    })),
    partner: { box: partner.box, keypoints: partner.keypoints.map(([x, y, c]): Keypoint => [r3(x), r3(y), r3(Math.max(0, Math.min(1, c)))]) },
    partner_source: partner.source,
    ...(pinned.size ? { pinned: [...pinned].sort((a, b) => a - b) } : {}),
    model: sampler.name,
    ms: Math.round(performance.now() - t0),
  };
}

/** The model's spelling of an action: case, '_', '-' and spaces do not matter (`high_five` = `high-five`). */
export function normaliseAction(action: string, known: readonly string[]): string {
  const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  return known.find((k) => key(k) === key(action)) ?? action;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
