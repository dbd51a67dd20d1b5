/**
 * The h2h model: a skeleton diffuser trained on human-to-human scenes with the partner's skeleton as 17 extra tokens
 * (ModelConfig.extraTokens = 17), in the diffuser's model directory format (config.json + weights.bin). Node only.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../backend.ts';
import { initBackend } from '../backend.ts';
import { FormatError, UsageError } from '../errors.ts';
import { parseJsonText } from '../data/formats.ts';
import type { RgbImage } from '../io/image.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import { applyAffine, personCrop, type PersonCrop } from '../skeleton/calculators/crop.ts';
import { flipBox, fromCropUnits, objectBoxToCrop } from '../skeleton/calculators/normalise.ts';
import { roiAlign } from '../skeleton/calculators/roi-align.ts';
import { cropFeatures, mobileNetV2Backbone, type Backbone } from '../skeleton/features.ts';
import { deserializeModel, parseModelMeta } from '../skeleton/model-io.ts';
import { conditionInputs } from '../skeleton/evaluate.ts';
import { sampleSkeletons, type CropPin } from '../skeleton/sampler.ts';
import { sampleBothSides } from '../skeleton/sample-both-sides.ts';
import { vocabIndex } from '../skeleton/dataset-node.ts';
import type { Diffuser } from '../skeleton/diffuser.ts';
import type { SampleFeatures, SamplerConfig } from '../skeleton/types.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { H2hPin, H2hSampler } from './h2h.ts';
import { PARTNER_TOKEN_FEATURES, PARTNER_TOKENS } from './partner-tokens.ts';

/** models/h2h of the package. */
export const DEFAULT_H2H_MODEL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'h2h');

/** Read a model directory (config.json + weights.bin) and check that it is an h2h model. */
export async function readH2hModel(dir: string): Promise<{ model: Diffuser; training?: Record<string, unknown> }> {
  if (!existsSync(dir)) throw new UsageError(`h2h model directory not found: ${dir}`);
  const cfgPath = join(dir, 'config.json');
  const binPath = join(dir, 'weights.bin');
  if (!existsSync(cfgPath) || !existsSync(binPath)) throw new FormatError(`${dir} is not a model directory (needs config.json and weights.bin)`);
  const meta = parseModelMeta(parseJsonText(await readFile(cfgPath, 'utf8'), cfgPath), cfgPath);
  if (meta.config.extraTokens !== PARTNER_TOKENS || meta.config.embedDim < PARTNER_TOKEN_FEATURES) {
    throw new FormatError(`${cfgPath} is not an h2h model (extraTokens ${meta.config.extraTokens}, embedDim ${meta.config.embedDim}; h2h needs ${PARTNER_TOKENS} partner tokens and embedDim >= ${PARTNER_TOKEN_FEATURES})`);
  }
  await initBackend();
  const bin = await readFile(binPath);
  return { model: deserializeModel(meta, new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength), binPath), training: meta.training };
}

/** Backbone of a model config (only the shipped MobileNetV2 for h2h models). */
async function backboneFor(model: Diffuser): Promise<Backbone> {
  if (model.config.backbone !== 'mobilenet_v2') throw new FormatError(`h2h models use the mobilenet_v2 backbone, got ${model.config.backbone}`);
  return mobileNetV2Backbone(model.config.backboneInput);
}

/**
 * Features of one condition: the new person's crop through the backbone, ROI-Align of the partner box on the mid
 * map, category `person` and the action. Throws a UsageError when the partner box lies outside the crop.
 */
export async function h2hFeatures(model: Diffuser, backbone: Backbone, image: RgbImage, personBox: Box, partnerBox: Box, action?: string | null): Promise<{ feats: SampleFeatures; crop: PersonCrop; mirrored: SampleFeatures }> {
  const crop = personCrop(personBox, image.width, image.height);
  if (!crop) throw new UsageError(`--person [${personBox.join(',')}] lies outside the ${image.width}x${image.height} image`);
  const ob = objectBoxToCrop(crop, partnerBox);
  if (!ob) throw new UsageError(`--partner [${partnerBox.join(',')}] lies outside the crop region of the new person [${personBox.join(',')}]; move the boxes closer`);
  const [f] = await cropFeatures(backbone, [{ image, personBox }]);
  const S = backbone.mapSize;
  const roi = roiAlign(f.map, S, S, backbone.mapDim, ob.map((v) => v * S), model.config.gridSize, 2, false);
  const feats: SampleFeatures = { global: f.global, roi, objectBox: ob, category: vocabIndex(model.config.categories, 'person'), action: vocabIndex(model.config.actions, action ?? null) };
  // The mirror image, as training's flip augmentation builds it: the partner box mirrored, its ROI read mirrored.
  const fb = flipBox(ob);
  const mirrored: SampleFeatures = { ...feats, roi: roiAlign(f.map, S, S, backbone.mapDim, fb.map((v) => v * S), model.config.gridSize, 2, true), objectBox: fb };
  return { crop, feats, mirrored };
}

/**
 * N samples alternating between the condition and its mirror image (odd samples: crop, partner box and partner
 * skeleton mirrored, generated, flipped back with left and right swapped), ranked together. The official sampler
 * barely uses its starting noise (the network predicts x0 from the condition), so N samples of one condition agree;
 * the mirror gives a second, distinct interaction (e.g. the other hand reaching for the partner's hand) that still
 * meets the partner where the partner is.
 * @param extra partner tokens [17 * E]; `extraMirrored` the tokens of the mirrored partner (mirroredPartnerCondition)
 */
export function sampleH2hBothSides(model: Diffuser, feats: SampleFeatures, mirrored: SampleFeatures, crop: PersonCrop, extra: Float32Array, extraMirrored: Float32Array, samples: number, seed: number, sampler?: Partial<SamplerConfig>): Array<{ keypoints: Keypoint[]; score: number }> {
  const ranked = sampleBothSides(model, feats, mirrored, samples, seed, sampler, { plain: extra, mirrored: extraMirrored });
  return ranked.joints.map((js, n) => {
    const px = fromCropUnits(crop, js.flat());
    return { keypoints: px.map(([x, y], j): Keypoint => [x, y, ranked.confidence[j]]), score: ranked.scores[n] };
  });
}

/** Pins in image pixels -> crop units of `crop` (what the sampler imposes). */
export function pinsToCrop(crop: PersonCrop, pins: readonly H2hPin[]): CropPin[] {
  return pins.map((p) => {
    const [u, v] = applyAffine(crop.toCrop, p.x, p.y);
    return { joint: p.joint, u: u / crop.size, v: v / crop.size };
  });
}

/** Sample N skeletons (image pixels, ranked) for prepared features and partner tokens; `pins` in crop units. */
export function sampleH2h(model: Diffuser, feats: SampleFeatures, crop: PersonCrop, extra: Float32Array, samples: number, seed: number, sampler?: Partial<SamplerConfig>, pins?: CropPin[]): Array<{ keypoints: Keypoint[]; score: number }> {
  const inputs = conditionInputs(model, [feats], extra);
  try {
    const r = sampleSkeletons(model, inputs, { samples, seed, sampler, ...(pins?.length ? { pins } : {}) });
    return r.joints.map((js, n) => {
      const px = fromCropUnits(crop, js.flat());
      return { keypoints: px.map(([x, y], j): Keypoint => [x, y, r.confidence[j]]), score: r.scores[n] };
    });
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

/** Load an h2h model directory as an H2hSampler (default: the shipped models/h2h). */
export async function loadH2hModel(dir = DEFAULT_H2H_MODEL_DIR): Promise<H2hSampler & { model: Diffuser }> {
  const { model } = await readH2hModel(dir);
  const backbone = await backboneFor(model);
  return {
    name: `h2h:${dir}`,
    model,
    embedDim: model.config.embedDim,
    actions: model.config.actions,
    async sample(o) {
      const { feats, crop, mirrored } = await h2hFeatures(model, backbone, o.image, o.personBox, o.objectBox, o.action);
      if (o.extraMirrored && o.samples > 1 && !o.pins?.length) return sampleH2hBothSides(model, feats, mirrored, crop, o.extra, o.extraMirrored, o.samples, o.seed);
      return sampleH2h(model, feats, crop, o.extra, o.samples, o.seed, undefined, o.pins?.length ? pinsToCrop(crop, o.pins) : undefined);
    },
  };
}
