/**
 * Types of the edit stage: the request an image server gets, the client interface both server kinds implement,
 * and their configuration.
 */
import type { RasterImage } from '../skeleton/calculators/crop.ts';

/** The image-generation server APIs pinplace can drive. */
export type ImageServerApi = 'comfyui' | 'a1111';

/** What the server is asked to paint. All rasters share one size (multiples of 8 work best for SD1.5). */
export interface EditRequest {
  /** The masked image (RGB): the scene with the repaint region greyed out, as the inpainting model is fed. */
  image: RasterImage<Uint8Array>;
  /** 1-channel mask, 255 = repaint. */
  mask: RasterImage<Uint8Array>;
  /** The ControlNet OpenPose map (RGB). */
  pose: RasterImage<Uint8Array>;
  /** Positive prompt. */
  prompt: string;
  /** Negative prompt [DEFAULT_NEGATIVE]. */
  negative?: string;
  /** Sampling steps [20]. */
  steps?: number;
  /** Sampler seed [42]. */
  seed?: number;
  /** Classifier-free guidance scale [7.5]. */
  cfg?: number;
  /** ControlNet strength [1.0]. */
  controlStrength?: number;
  /**
   * Checkpoint name as the server lists it. Default: the first installed one whose name says "inpaint", else one
   * that looks like SD 1.5.
   */
  checkpoint?: string;
  /** ControlNet model name as the server lists it. Default: the first installed one whose name says "openpose". */
  controlnet?: string;
}

/** Progress while the server works. */
export interface EditProgress {
  /** 'queued', 'sampling', 'decoding', 'downloading', ... */
  phase: string;
  /** Steps done (sampling) or 0. */
  value: number;
  /** Total steps or 0 when unknown. */
  max: number;
}

/** What a finished job returns. */
export interface EditResult {
  /** The generated image as the server encoded it (PNG bytes). */
  image: Uint8Array;
  /** Files worth keeping next to the result (e.g. workflow.json), name -> contents. */
  files: Record<string, string>;
  /** What was used: checkpoint, controlnet, seed, steps, server job id, ... */
  info: Record<string, unknown>;
}

/** Per-job options. */
export interface RunOptions {
  /** Called on every progress event. */
  onProgress?: (p: EditProgress) => void;
  /** Give up after this many milliseconds (the job is interrupted on the server) [600000]. */
  timeoutMs?: number;
  /** Abort from outside. */
  signal?: AbortSignal;
}

/** Configuration of a client. */
export interface ImageServerConfig {
  /** Base URL, e.g. http://127.0.0.1:8188 (ComfyUI) or http://127.0.0.1:7860 (AUTOMATIC1111). */
  url: string;
  /** Interval between /history or /progress polls, ms [1000]. */
  pollIntervalMs?: number;
  /** Timeout of one HTTP request that is not the job itself, ms [30000]. */
  requestTimeoutMs?: number;
}

/** One image-generation server. */
export interface ImageServerClient {
  readonly api: ImageServerApi;
  readonly url: string;
  /** Paint `req` on the server and return the result; throws a one-line ServerError on any failure. */
  run(req: EditRequest, opts?: RunOptions): Promise<EditResult>;
}
