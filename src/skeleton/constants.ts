/**
 * Numbers and default configurations of the skeleton diffuser.
 */
import type { ModelConfig, SamplerConfig } from './types.ts';

/** Model directory format written by `train` and read by `generate`. */
export const MODEL_FORMAT = 'pinplace-skeleton-diffuser';
export const MODEL_FORMAT_VERSION = 1;

/**
 * Backbone input side: the paper's crop region resampled at this size. MobileNetV2's native size is 224; 160 halves
 * the feature cost (measured choice, docs/model.md).
 */
export const BACKBONE_INPUT = 160;

/** Most pose hypotheses a model may predict (ModelConfig.hypotheses). */
export const MAX_HYPOTHESES = 8;

/** Paper sizes (official code): N_E 32, 8 heads, depth 8, mlp ratio 2, 8x8 object tokens, T 1000. */
export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  embedDim: 32,
  heads: 8,
  depth: 8,
  mlpRatio: 2,
  gridSize: 8,
  attention: 'associative',
  extraTokens: 0,
  imageFeatureDim: 1280,
  objectFeatureDim: 96,
  objectHidden: 64,
  objectPosition: true,
  personPosition: false,
  categories: [],
  actions: [],
  timesteps: 1000,
  backbone: 'mobilenet_v2',
  backboneInput: BACKBONE_INPUT,
};

/** The official sampler: 10 iterations, t fixed at 100, x0 fed back, clamp +-1.1. */
export const DEFAULT_SAMPLER_CONFIG: SamplerConfig = {
  kind: 'official',
  iterations: 10,
  fixedT: 100,
  eta: 0,
  clamp: 1.1,
};

/** Cosine schedule offset s (Nichol & Dhariwal). */
export const COSINE_S = 0.008;
/** Largest beta of the schedule. */
export const MAX_BETA = 0.999;
/** Frequencies of the object-position Fourier embedding (per axis: sin, cos of 2^k pi u, k < POS_FREQS). */
export const POS_FREQS = 4;

/** COCO object categories (80). */
export const COCO_CATEGORIES = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant',
  'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard',
  'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange', 'broccoli',
  'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'dining table', 'toilet',
  'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink',
  'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
] as const;

/** V-COCO verbs (26). */
export const VCOCO_ACTIONS = [
  'hold', 'stand', 'sit', 'ride', 'walk', 'look', 'hit', 'eat', 'jump', 'lay', 'talk_on_phone', 'carry', 'throw',
  'catch', 'cut', 'run', 'work_on_computer', 'ski', 'surf', 'skateboard', 'smile', 'drink', 'kick', 'point', 'read',
  'snowboard',
] as const;

/** The largest sampling and training seed (31 bits: seed + offset stays a safe 32-bit generator seed); CLI and API agree. */
export const MAX_SEED = 2 ** 31 - 1;
