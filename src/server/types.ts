/**
 * Types of the HTTP server. The domain functions (generate, fit, guidance, h2h, detect, edit) are injected through
 * `ServerDeps`, so the app can run on fakes in tests and on the real modules in `pinplace serve`. A missing
 * function makes its endpoint answer 501 with one line.
 */
import type { Logger } from 'pino';
import type { SkeletonFile } from '../data/formats.ts';
import type { RgbImage } from '../io/image.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { Hand } from '../skeleton/calculators/hand.ts';

/** A pinned joint: COCO index and image position in pixels. */
export interface JointPin { joint: number; x: number; y: number }

/** What `generate()` takes (src/skeleton/generate.ts). */
export interface GenerateInput {
  image: RgbImage; personBox: Box; objectBox: Box; category?: string; action?: string;
  samples?: number; seed?: number; modelDir?: string; pins?: JointPin[]; sampler?: 'official' | 'ddim';
  hand?: Hand;
}
export type GenerateFn = (o: GenerateInput) => Promise<SkeletonFile>;

/** What `fit()` takes and gives (src/mesh/fit.ts). `body` is the SPEC body.json object. */
export interface FitInput { skeleton: SkeletonFile; sample?: number; focal?: number; partner?: boolean }
export interface FitOutput { body: unknown; bodies: unknown[]; glb: Uint8Array; obj: string }
export type FitFn = (o: FitInput) => Promise<FitOutput>;

/** The guidance files (openpose.json, pose.png, mask.png, overlay.png) for a skeleton (src/edit/guidance.ts). */
export type GuidanceFn = (image: RgbImage, skel: SkeletonFile, sample?: number) => Promise<Record<string, string | Uint8Array>>;

/** Human-to-human generation (src/h2h). */
export interface H2hInput {
  image: RgbImage; personBox: Box; partnerBox: Box; partnerKeypoints?: Keypoint[]; action?: string;
  samples?: number; seed?: number; pins?: JointPin[];
}
export type H2hFn = (o: H2hInput) => Promise<SkeletonFile>;

/** Detection result (SPEC `detect`). */
export interface DetectOutput {
  image?: { path?: string; width: number; height: number };
  people: Array<{ box: Box; keypoints: Keypoint[]; score: number }>;
  objects: Array<{ box: Box; category: string; score: number }>;
}
export type DetectFn = (image: RgbImage) => Promise<DetectOutput>;

/** An edit on an image-generation server (src/edit). */
export interface EditInput {
  image: RgbImage; skeleton: SkeletonFile; sample?: number; server: string; api: 'comfyui' | 'a1111'; prompt: string;
  negative?: string; steps?: number; seed?: number; checkpoint?: string; controlnet?: string; timeoutSec?: number;
  /** Progress in [0, 1] with an optional line of text. */
  onProgress?: (fraction: number, message?: string) => void;
}
/** The edited image as PNG bytes, and the other files of the edit (masked image, guidance, summary) by name. */
export type EditFn = (o: EditInput) => Promise<{ edited: Uint8Array; files?: Record<string, string | Uint8Array> }>;

/** The bundled sample scene (assets/sample/scene.json next to its image). */
export interface SampleSceneSpec {
  image: string; person_box: Box; object_box: Box; category?: string; action?: string;
}

/** Size and queue limits. */
export interface ServerLimits {
  /** Largest upload, bytes. */
  uploadBytes: number;
  /** Largest decoded image, pixels (width x height). */
  maxImagePixels: number;
  /** Largest JSON body, bytes. */
  jsonBytes: number;
  /** Requests that may wait in the compute queue before new ones get 503. */
  maxQueued: number;
  /** Most samples one generate may ask for. */
  maxSamples: number;
  /** Results (uploads, skeletons, fits, edits) kept in the output area; older ones are removed. */
  keepResults: number;
}

/** Everything `createApp` needs. Only `outDir` is required. */
export interface ServerDeps {
  /** The server's own output area: uploads and results live under it, and only files under it are served. */
  outDir: string;
  logger?: Logger;
  generate?: GenerateFn;
  fit?: FitFn;
  guidanceFiles?: GuidanceFn;
  h2h?: H2hFn;
  detect?: DetectFn;
  edit?: EditFn;
  /** Why a missing function is missing (shown in its 501 line), by name. */
  missing?: Partial<Record<DomainName, string>>;
  /**
   * Checks run before each call of a function that exists: a string says why it cannot run now (no trained model
   * yet), answered as 503 and shown by /api/health; null means ready.
   */
  unready?: Partial<Record<DomainName, () => string | null>>;
  /** Directory holding scene.json and its image; null for none. Default: assets/sample of the package. */
  sampleDir?: string | null;
  /** Where the viewer's static files are (index.html, dist/); null serves no viewer. */
  viewerDir?: string | null;
  /**
   * The image-generation server edits go to (`pinplace serve --server URL` or PINPLACE_SERVER); with one set, no
   * other is contacted. See edit-server-policy.ts.
   */
  editServer?: string | null;
  /** With no `editServer`, whether an edit may name a loopback server (default true; `pinplace serve` turns it off on non-loopback hosts). */
  allowLoopbackEditServer?: boolean;
  /** Folder of the body model files the in-browser fitter fetches (/assets/body-model/*.npz); null for none. */
  bodyModelDir?: string | null;
  /** The tfjs backend the server computes on (shown by /api/health and the viewer). */
  backend?: string;
  limits?: Partial<ServerLimits>;
  /** Compute the sample scene when the app is created (default true), instead of on first request. */
  precomputeSample?: boolean;
}

export type DomainName = 'generate' | 'fit' | 'guidanceFiles' | 'h2h' | 'detect' | 'edit';
