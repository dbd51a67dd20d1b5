/**
 * `generate`: N object-interactive skeletons for a person to be placed in a box (library API; Node, since the model
 * directory is read from disk). Steps: person crop -> backbone features -> ROI-Align of the object box -> condition
 * (image, object tokens, category/action) -> N samples in one batched denoising loop -> ranked -> image pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { UsageError } from '../errors.ts';
import type { RgbImage } from '../io/image.ts';
import type { SkeletonFile } from '../data/formats.ts';
import { parseBox, type Box } from './calculators/box.ts';
import { applyAffine, CROP_SIZE, personCrop } from './calculators/crop.ts';
import { flipBox, fromCropUnits, objectBoxToCrop, personBoxToCrop } from './calculators/normalise.ts';
import { roiAlign } from './calculators/roi-align.ts';
import { HANDS, interactingHand, wristOf, type Hand } from './calculators/hand.ts';
import { COCO_CATEGORIES, VCOCO_ACTIONS } from './constants.ts';
import { conditionInputs } from './evaluate.ts';
import { cropFeatures } from './features.ts';
import { loadBackbone } from './backbone-node.ts';
import { DEFAULT_MODEL_DIR, loadModelDir } from './model-store-node.ts';
import { sampleSkeletons, validateSamplerConfig, type CropPin } from './sampler.ts';
import { sampleBothSides } from './sample-both-sides.ts';
import { hypothesisCount, type Diffuser } from './diffuser.ts';
import { COCO_JOINTS, NUM_JOINTS, type Keypoint } from './topology.ts';
import type { SampledSkeletons, SampleFeatures, SamplerConfig } from './types.ts';

export interface GenerateOptions {
  image: RgbImage;
  personBox: Box;
  objectBox: Box;
  /** COCO category name (optional). */
  category?: string;
  /** V-COCO verb (optional). */
  action?: string;
  /** Number of samples (default 1, at most 256). */
  samples?: number;
  seed?: number;
  /** Model directory (default: models/default). */
  modelDir?: string;
  /** Pinned joints in image pixels. */
  pins?: Array<{ joint: number; x: number; y: number }>;
  sampler?: 'official' | 'ddim';
  /**
   * The hand that does the interaction (the person's own left or right): samples whose wrist of that hand is nearer
   * the object come first. Where a scene allows either hand, the model's two candidates (or the scene and its mirror)
   * give one of each.
   */
  hand?: Hand;
}

export const MAX_SAMPLES = 256;

/** Check a category / action name against the known names and the model's vocabulary; index 0 = not given. */
function nameIndex(kind: 'category' | 'action', name: string | undefined, vocab: readonly string[], known: readonly string[], notes: string[]): number {
  if (name === undefined || name === null || name === '') return 0;
  const i = vocab.indexOf(name);
  if (i >= 0) return i + 1;
  if (!known.includes(name)) {
    const eg = kind === 'category' ? 'cup, chair, bicycle, sports ball' : 'hold, sit, ride, kick';
    throw new UsageError(`--${kind} must be a ${kind === 'category' ? 'COCO category name' : 'V-COCO verb'} (e.g. ${eg}), got "${name}"`);
  }
  notes.push(vocab.length ? `${kind} "${name}" was not in the model's training data; generated without it` : `the model has no ${kind} input; "${name}" is recorded but not used`);
  return 0;
}

/** Generate skeletons; throws one-line errors for bad input and writes nothing. */
export async function generate(o: GenerateOptions): Promise<SkeletonFile> {
  const t0 = performance.now();
  const { image } = o;
  const personBox = parseBox(o.personBox, '--person', image);
  const objectBox = parseBox(o.objectBox, '--object', image);
  const samples = o.samples ?? 1;
  if (!Number.isInteger(samples) || samples < 1 || samples > MAX_SAMPLES) throw new UsageError(`--samples must be an integer in [1, ${MAX_SAMPLES}], got ${samples}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
  const sampler = validateSamplerConfig({ kind: o.sampler ?? 'official' });
  if (o.hand !== undefined && !HANDS.includes(o.hand)) throw new UsageError(`--hand must be left or right, got "${String(o.hand)}"`);
  const crop = personCrop(personBox, image.width, image.height, CROP_SIZE);
  if (!crop) throw new UsageError(`--person ${personBox.join(',')} gives an empty crop in the ${image.width}x${image.height} image`);
  const ob = objectBoxToCrop(crop, objectBox);
  if (!ob) {
    const r = crop.region.map((v) => Math.round(v));
    throw new UsageError(`--object ${objectBox.join(',')} lies outside the person crop region [${r[0]},${r[1]},${r[0] + r[2]},${r[1] + r[3]}] (the object must be near the person)`);
  }
  const pins: CropPin[] = [];
  for (const p of o.pins ?? []) {
    if (!Number.isInteger(p.joint) || p.joint < 0 || p.joint >= NUM_JOINTS) throw new UsageError(`--pin joint must be an integer in [0, 16] (COCO-17: ${COCO_JOINTS.join(', ')}), got ${p.joint}`);
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new UsageError(`--pin ${p.joint} needs finite x,y, got ${p.x},${p.y}`);
    const [u, v] = applyAffine(crop.toCrop, p.x, p.y);
    pins.push({ joint: p.joint, u: u / CROP_SIZE, v: v / CROP_SIZE });
  }
  const modelDir = o.modelDir ?? DEFAULT_MODEL_DIR;
  await initBackend();
  const { model } = await loadModelDir(modelDir);
  const notes: string[] = [];
  const c = model.config;
  const category = nameIndex('category', o.category, c.categories, COCO_CATEGORIES, notes);
  const action = nameIndex('action', o.action, c.actions, [...VCOCO_ACTIONS, ...c.actions], notes);
  if (c.extraTokens > 0) throw new UsageError(`the model in ${modelDir} is a human-to-human model; use pinplace h2h`);
  const backbone = await loadBackbone(c);
  const [f] = await cropFeatures(backbone, [{ image, personBox }]);
  const S = backbone.mapSize;
  const feats: SampleFeatures = {
    global: f.global,
    roi: roiAlign(f.map, S, S, backbone.mapDim, ob.map((v) => v * S), c.gridSize),
    objectBox: ob, personBox: personBoxToCrop(crop, personBox), category, action,
  };
  // a model with pose hypotheses gives its alternatives itself (one per candidate, the most probable first); the
  // others get theirs from the mirrored scene. Asked for a hand, draw at least two so that both hands are there.
  const drawn = o.hand ? Math.max(samples, 2) : samples;
  let r = pins.length || drawn < 2 || hypothesisCount(c) > 1
    ? sampleOne(model, feats, drawn, seed, sampler, pins)
    : sampleBothSides(model, feats, mirroredFeatures(feats, f.map, S, backbone.mapDim, c.gridSize), drawn, seed, sampler);
  if (o.hand) r = handFirst(r, o.hand, ob, samples, notes);
  const pinned = new Set(pins.map((p) => p.joint));
  const out: SkeletonFile = {
    image: { path: image.path ?? '', width: image.width, height: image.height },
    person_box: personBox, object_box: objectBox,
    category: o.category ?? null, action: o.action ?? null, seed,
    samples: r.joints.map((js, k) => {
      const pts = fromCropUnits(crop, js.flat());
      const keypoints = pts.map(([x, y], j): Keypoint => {
        const pin = o.pins?.find((p) => p.joint === j);
        if (pin) return [pin.x, pin.y, 1];
        return [round2(x), round2(y), round3(Math.min(1, Math.max(0, r.confidence[j])))];
      });
      return { keypoints, score: round3(r.scores[k]) };
    }),
    model: modelDir === DEFAULT_MODEL_DIR ? 'default' : modelDir,
    sampler: sampler.kind,
    ...(pinned.size ? { pinned: [...pinned].sort((a, b) => a - b) } : {}),
    ...(notes.length ? { notes } : {}),
    ms: Math.round(performance.now() - t0),
  };
  return out;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * The first `keep` samples with those whose `hand` interacts (its wrist nearer the object centre) first, each group
 * in the model's order; a note when none does.
 */
function handFirst(r: SampledSkeletons, hand: Hand, objectBox: readonly number[], keep: number, notes: string[]): SampledSkeletons {
  const want = hand === 'left' ? 0 : 1;
  const ones = new Array<number>(NUM_JOINTS).fill(1);
  const matches = r.joints.map((js) => interactingHand(js.flat(), ones, objectBox) === want);
  if (!matches.some(Boolean)) notes.push(`no sample has the ${hand} hand at the object; pin its wrist (--pin ${wristOf(hand)}:x,y) to place it`);
  const order = r.joints.map((_, k) => k).sort((a, b) => Number(matches[b]) - Number(matches[a]) || a - b).slice(0, keep);
  return { joints: order.map((k) => r.joints[k]), confidence: r.confidence, scores: order.map((k) => r.scores[k]) };
}

/** All N samples from the condition as given. */
function sampleOne(model: Diffuser, feats: SampleFeatures, samples: number, seed: number, sampler: SamplerConfig, pins: CropPin[]): SampledSkeletons {
  const inputs = conditionInputs(model, [feats]);
  try {
    return sampleSkeletons(model, inputs, { samples, seed, sampler, pins });
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

/**
 * The condition as the model saw flipped training examples: the crop mirrored (ROI features read mirrored from the
 * same feature map, boxes mirrored), exactly as training's flip augmentation builds it.
 */
function mirroredFeatures(feats: SampleFeatures, map: Float32Array, S: number, mapDim: number, grid: number): SampleFeatures {
  const ob = flipBox(feats.objectBox);
  return {
    ...feats,
    roi: roiAlign(map, S, S, mapDim, ob.map((v) => v * S), grid, 2, true),
    objectBox: ob,
    ...(feats.personBox ? { personBox: flipBox(feats.personBox) } : {}),
  };
}
