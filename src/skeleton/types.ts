/**
 * Types of the object-interactive skeleton diffuser. Units: joints are in crop units ([0, 1] of the 256x256 person
 * crop, x right, y down) inside the model, image pixels outside it.
 */
import type { Box } from './calculators/box.ts';
import type { JointSpace } from './calculators/joint-space.ts';
import type { Keypoint } from './topology.ts';

/** How training pairs examples with pose hypotheses (ModelConfig.hypothesisAssign). */
export type HypothesisAssign = 'nearest' | 'hand';

/** How the pose queries read the object tokens (paper Table 3). */
export type AttentionKind = 'associative' | 'plain' | 'none';

/** Which backbone produced the cached features (pluggable; see features.ts). */
export type BackboneName = 'mobilenet_v2' | 'tfjs_dir';

/**
 * Architecture of the diffuser. Defaults (DEFAULT_MODEL_CONFIG) follow the paper's code: N_E = 32, 8 heads,
 * depth 8, MLP ratio 2, an 8x8 object grid, cosine schedule with T = 1000, x0 prediction.
 */
export interface ModelConfig {
  /** Embedding dimension N_E. */
  embedDim: number;
  /** Attention heads (embedDim must be divisible by it). */
  heads: number;
  /** Trunk transformer blocks. */
  depth: number;
  /** Trunk MLP hidden = mlpRatio * embedDim. */
  mlpRatio: number;
  /** Side of the ROI grid: gridSize^2 object tokens (8 -> 64 = N_P). */
  gridSize: number;
  /** Pose-object attention: the paper's associative attention, plain cross-attention, or none (pooled object). */
  attention: AttentionKind;
  /** Extra condition tokens appended to the object tokens (human-to-human mode); 0 for objects only. */
  extraTokens: number;
  /** Channels of the global image feature (backbone's last map, average-pooled). */
  imageFeatureDim: number;
  /** Channels of the mid-level map that ROI-Align samples. */
  objectFeatureDim: number;
  /** Hidden width of the object-token MLP (objectFeatureDim -> hidden -> embedDim). */
  objectHidden: number;
  /** Add a Fourier embedding of each object token's crop position (beyond the paper; the paper's tokens carry no position). */
  objectPosition: boolean;
  /**
   * Condition the joint tokens on the tight person box in crop units (beyond the paper): the square crop alone does not
   * tell the model the box's aspect ratio or, near image borders, where the box sits in the crop.
   */
  personPosition: boolean;
  /**
   * Condition the joint tokens on pinned joints (skeleton editing, beyond the paper): each joint token gets
   * Linear([m (u - 0.5), m (v - 0.5), m]) with m = 1 for a pinned joint at (u, v), so the model learns to make the
   * other joints agree with the pins. Trained with random pins (`pinplace train --pin-input`). Absent = false.
   */
  pinInput?: boolean;
  /**
   * The space the joints are diffused in (calculators/joint-space.ts): 'crop' = the paper's [0, 1] crop units,
   * 'person' = centred on the tight person box and scaled by half its longer side (needs personPosition). Absent = 'crop'.
   */
  jointSpace?: JointSpace;
  /**
   * The x0 prediction is skip(t) x_t + out(t) F with F the network's output (schedule.ts skipCoefficients), so the
   * model reads x_t at small t by construction. Absent = false (the paper: the network's output is x0).
   */
  x0Skip?: boolean;
  /**
   * Pose hypotheses per prediction (beyond the paper). With K > 1 the head predicts K x0 candidates and a selector
   * scores them; training takes the loss on the candidate nearest the truth (winner-takes-all) and teaches the
   * selector to name it, so where a scene allows two poses (which hand holds the phone) each candidate commits to one
   * instead of all predicting their blend. The sampler follows one candidate per sample, the most probable first.
   * Absent = 1 (the paper: one x0).
   */
  hypotheses?: number;
  /**
   * How training pairs an example with a candidate: 'nearest' (the candidate nearest the truth, winner-takes-all) or
   * 'hand' (two candidates: 0 for examples whose left wrist is the one nearer the object, 1 for the right wrist; the
   * selector learns which hand interacts). Absent = 'nearest'.
   */
  hypothesisAssign?: HypothesisAssign;
  /** Category vocabulary of the optional category embedding (index 0 of the table = not given). Empty disables it. */
  categories: string[];
  /** Action vocabulary of the optional action embedding. Empty disables it. */
  actions: string[];
  /** Diffusion steps T of the cosine schedule. */
  timesteps: number;
  /** Backbone whose features the model was trained on. */
  backbone: BackboneName;
  /** Backbone input side in pixels (the person crop is resampled to it). */
  backboneInput: number;
  /** For `tfjs_dir`: the local tfjs model directory and the two layer names used (stride-16 map, last map). */
  backboneDir?: string;
  backboneLayers?: [string, string];
}

/** Sampler settings (DEFAULT_SAMPLER_CONFIG; merged by validateSamplerConfig). */
export interface SamplerConfig {
  /** 'official': x <- clamp(x0_pred) with t fixed; 'ddim': a real DDIM walk over `iterations` steps. */
  kind: 'official' | 'ddim';
  /** Denoising iterations N_D. */
  iterations: number;
  /** The fixed timestep of the official sampler. */
  fixedT: number;
  /** DDIM eta (0 = deterministic). */
  eta: number;
  /** Clamp of x and x0 (the code clamps to +-1.1). */
  clamp: number;
}

/** Per-sample conditioning computed from the image and the boxes (crop units). */
export interface SampleFeatures {
  /** Global image feature [imageFeatureDim]. */
  global: Float32Array;
  /** ROI-aligned object feature [gridSize^2 * objectFeatureDim], token-major. */
  roi: Float32Array;
  /** Object box in crop units [x1, y1, x2, y2] (clipped to [0, 1]). */
  objectBox: [number, number, number, number];
  /** Tight person box in crop units (used by models with `personPosition`). */
  personBox?: [number, number, number, number];
  /** Category / action index (0 = not given). */
  category: number;
  action: number;
}

/** One training example: features plus targets in crop units. */
export interface TrainExample extends SampleFeatures {
  /** Joints [17 * 2] in crop units. */
  joints: Float32Array;
  /** Valid-and-inside-crop mask m_j [17]. */
  mask: Float32Array;
  /** Extra condition tokens [extraTokens * embedDim] (human-to-human mode), when the model has them. */
  extra?: Float32Array;
}

/** A pinned joint in image pixels. */
export interface Pin { joint: number; x: number; y: number }

/** The result of sampling one condition: N skeletons in crop units, ranked, with per-joint confidence. */
export interface SampledSkeletons {
  /** [N][17][2] crop units, best first. */
  joints: number[][][];
  /** [17] confidence from the confidence head (shared by all samples of one condition). */
  confidence: number[];
  /** Ranking score per sample (higher is better). */
  scores: number[];
}

export type { Box, Keypoint };
