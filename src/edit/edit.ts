/**
 * `edit()`: paint the person into the image on a running ComfyUI or AUTOMATIC1111 server (Node).
 *
 * 1. The guidance at the image's size: OpenPose map (pose.png, openpose.json), mask (person box or skeleton hull),
 *    masked image, overlay.
 * 2. The same guidance at the work size SD1.5 wants (short side 512, both sides multiples of 8): the scene resized,
 *    the skeleton scaled and the pose map redrawn there (not resampled), the mask rebuilt.
 * 3. The server paints it (createClient(api).run), with progress and a deadline.
 * 4. The result is resized back and pasted into the original through the mask, so pixels outside the repaint
 *    region stay exactly as they were: edited.png.
 * Everything is computed in memory; with `out` the files are written all or nothing.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { UsageError } from '../errors.ts';
import { decodeImage, encodePng, readImage, type RgbImage } from '../io/image.ts';
import { writeOutputs } from '../io/atomic.ts';
import { parseJsonText, parseOpenPoseFile, parseSkeletonFile, type OpenPoseFile, type SkeletonFile } from '../data/formats.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { RasterImage } from '../skeleton/calculators/crop.ts';
import { drawOpenPoseMap, fromOpenPoseJson, toOpenPoseJson } from './openpose-map.ts';
import { hullMask, maskedImage, personMask, type MaskOptions } from './mask.ts';
import { drawOverlay } from './overlay.ts';
import { posePeople } from './guidance.ts';
import { rasterToPng } from './png.ts';
import { createClient } from './create-client.ts';
import { EDIT_DEFAULTS } from './constants.ts';
import type { EditProgress, EditRequest, ImageServerApi } from './types.ts';

/** Options of edit(): where to send it and what to send, plus the sampler fields of EditRequest. */
export interface EditOptions extends Pick<EditRequest, 'prompt' | 'negative' | 'steps' | 'seed' | 'cfg' | 'controlStrength' | 'checkpoint' | 'controlnet'> {
  /** The scene, or the path of a PNG/JPEG/WebP file. */
  image: RgbImage | string;
  /**
   * A skeleton.json (person box + samples, maybe a partner) or an OpenPose JSON (all its people are painted), or the
   * path of either file.
   */
  skeleton: SkeletonFile | OpenPoseFile | string;
  /** Which sample of a skeleton.json [0]. */
  sample?: number;
  /** Server base URL, e.g. http://127.0.0.1:8188. */
  server: string;
  /** 'comfyui' (default) or 'a1111'. */
  api?: ImageServerApi;
  /** Give up (and interrupt the job on the server) after this many ms [600000]. */
  timeoutMs?: number;
  /** The same in seconds (timeoutMs wins when both are given). */
  timeoutSec?: number;
  /** Repaint region: the person box or the skeleton's hull [box for skeleton.json, hull for OpenPose JSON]. */
  mask?: 'box' | 'hull';
  /** Grow / feather the mask, pixels of the original image. */
  grow?: number;
  feather?: number;
  /** Short side of the image sent to the server [512]. */
  workSide?: number;
  /** Poll interval for /history or /progress, ms [1000]. */
  pollIntervalMs?: number;
  /**
   * Progress: `fraction` of the whole job in [0, 1], a short `message` ("sampling 5/20"), and the server's event.
   */
  onProgress?: (fraction: number, message: string, detail: EditProgress) => void;
  signal?: AbortSignal;
  /** Write the files into this folder (atomically). */
  out?: string;
}

/** What edit() returns. */
export interface EditOutput {
  /** edited.png's bytes. */
  edited: Uint8Array;
  /** edited.png, masked.png, openpose.json, pose.png, mask.png, overlay.png, edit.json and the server's workflow file. */
  files: Record<string, string | Uint8Array>;
  /** The summary also written as edit.json. */
  summary: Record<string, unknown>;
  /** Paths written when `out` was given. */
  written: string[];
}

const isOpenPose = (s: SkeletonFile | OpenPoseFile): s is OpenPoseFile => Array.isArray((s as OpenPoseFile).people);

/** Read a skeleton.json or an OpenPose JSON file (told apart by its `people` list); `flag` names it in errors. */
export async function readSkeletonFile(path: string, flag = '--skeleton'): Promise<SkeletonFile | OpenPoseFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} file ${code === 'ENOENT' ? 'not found' : `cannot be read (${code})`}: ${path}`);
  }
  const json = parseJsonText(text, `${flag} ${path}`);
  if (json && typeof json === 'object' && Array.isArray((json as { people?: unknown }).people)) return parseOpenPoseFile(json, `${flag} ${path}`);
  return parseSkeletonFile(json, `${flag} ${path}`);
}

/** Bounding box of the valid keypoints of `people`, grown by `margin` of its size, clipped to the image. */
export function peopleBox(people: readonly Keypoint[][], width: number, height: number, margin = 0.1): Box | null {
  const pts = people.flat().filter((k) => k[2] > 0);
  if (pts.length === 0) return null;
  const xs = pts.map((k) => k[0]);
  const ys = pts.map((k) => k[1]);
  const [x1, y1, x2, y2] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  const m = margin * Math.max(x2 - x1, y2 - y1, 8);
  const b: Box = [Math.max(0, x1 - m), Math.max(0, y1 - m), Math.min(width, x2 + m), Math.min(height, y2 + m)];
  return b[2] > b[0] && b[3] > b[1] ? b : null;
}

/** The size sent to the server: short side `side`, both sides multiples of 8 (at least 64). */
export function workSize(width: number, height: number, side: number = EDIT_DEFAULTS.workSide): [number, number] {
  const s = side / Math.min(width, height);
  const r8 = (v: number): number => Math.max(64, Math.round((v * s) / 8) * 8);
  return [r8(width), r8(height)];
}

interface Scene {
  /** People drawn in the pose map (new person first). */
  people: Keypoint[][];
  /** People whose region is repainted. */
  painted: Keypoint[][];
  box: Box;
  skeleton: SkeletonFile;
  maskMode: 'box' | 'hull';
}

type Loaded = EditOptions & { image: RgbImage; skeleton: SkeletonFile | OpenPoseFile };

function sceneOf(o: Loaded): Scene {
  const { width, height } = o.image;
  if (isOpenPose(o.skeleton)) {
    const people = fromOpenPoseJson(o.skeleton);
    const box = peopleBox(people, width, height);
    if (!box) throw new UsageError('the OpenPose file has no person with a valid keypoint inside the image');
    // for the overlay: the first person as the sample, a second one as the partner
    const partnerBox = people.length > 1 ? peopleBox([people[1]], width, height, 0.05) : null;
    const skeleton: SkeletonFile = {
      image: { path: o.image.path ?? 'image', width, height },
      person_box: peopleBox([people[0]], width, height, 0.05) ?? box,
      samples: [{ keypoints: people[0] }],
      ...(partnerBox ? { partner: { box: partnerBox, keypoints: people[1] } } : {}),
    };
    return { people, painted: people, box, skeleton, maskMode: o.mask ?? 'hull' };
  }
  const skel = o.skeleton;
  if (skel.image.width !== width || skel.image.height !== height) {
    throw new UsageError(`the skeleton is for a ${skel.image.width}x${skel.image.height} image, but the image is ${width}x${height}`);
  }
  const sample = o.sample ?? 0;
  if (!Number.isInteger(sample) || sample < 0 || sample >= skel.samples.length) {
    throw new UsageError(`--sample must be an integer in [0, ${skel.samples.length - 1}], got ${sample}`);
  }
  return { people: posePeople(skel, sample), painted: [skel.samples[sample].keypoints], box: skel.person_box, skeleton: skel, maskMode: o.mask ?? 'box' };
}

function buildMask(scene: Scene, width: number, height: number, sx: number, sy: number, opts: MaskOptions): RasterImage<Uint8Array> {
  const s = Math.sqrt(sx * sy);
  const scaled: MaskOptions = { grow: opts.grow === undefined ? undefined : opts.grow * s, feather: opts.feather === undefined ? undefined : opts.feather * s };
  if (scene.maskMode === 'box') {
    const b = scene.box;
    return personMask([b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy], width, height, scaled);
  }
  const out = new Uint8Array(width * height);
  for (const person of scene.painted) {
    const m = hullMask(scaleKeypoints(person, sx, sy), width, height, scaled);
    for (let i = 0; i < out.length; i++) if (m.data[i] > out[i]) out[i] = m.data[i];
  }
  return { data: out, width, height, channels: 1 };
}

const scaleKeypoints = (kps: readonly Keypoint[], sx: number, sy: number): Keypoint[] => kps.map((k): Keypoint => [k[0] * sx, k[1] * sy, k[2]]);

/** Resize an RGB raster with sharp (Lanczos). */
async function resizeRgb(img: RasterImage<Uint8Array>, width: number, height: number): Promise<RgbImage> {
  if (img.width === width && img.height === height) return { data: img.data, width, height, channels: 3 };
  const { data, info } = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}

/** Where each phase puts the whole job, as a fraction; sampling runs from 0.1 to 0.95. */
const PHASE_FRACTION: Record<string, number> = { checking: 0.02, uploading: 0.05, queued: 0.08, running: 0.1, downloading: 0.96 };

/** Turn the clients' events into (fraction, message, event) calls that never go backwards. */
function progressReporter(cb?: EditOptions['onProgress']): ((p: EditProgress) => void) | undefined {
  if (!cb) return undefined;
  let last = 0;
  return (p) => {
    const f = p.phase === 'sampling' && p.max > 0 ? 0.1 + (0.85 * p.value) / p.max : PHASE_FRACTION[p.phase] ?? last;
    last = Math.max(last, Math.min(1, f));
    cb(last, p.phase === 'sampling' && p.max > 0 ? `sampling ${p.value}/${p.max}` : p.phase, p);
  };
}

/** Paint `req` into the image on the server; see the module comment for the steps. */
export async function edit(options: EditOptions): Promise<EditOutput> {
  const started = Date.now();
  if (typeof options.prompt !== 'string' || options.prompt.trim() === '') throw new UsageError('--prompt must be a non-empty text describing the person to paint');
  const api = options.api ?? 'comfyui';
  const client = createClient(api, { url: options.server, pollIntervalMs: options.pollIntervalMs });
  const o: Loaded = {
    ...options,
    skeleton: typeof options.skeleton === 'string' ? await readSkeletonFile(options.skeleton) : options.skeleton,
    image: typeof options.image === 'string' ? await readImage(options.image) : options.image,
  };
  const { width, height } = o.image;
  const scene = sceneOf(o);
  const maskOpts: MaskOptions = { grow: o.grow, feather: o.feather };

  // 1. guidance at the image's size
  const pose = drawOpenPoseMap(scene.people, width, height);
  const mask = buildMask(scene, width, height, 1, 1, maskOpts);
  const masked = maskedImage(o.image, mask);
  const overlay = drawOverlay(o.image, scene.skeleton, isOpenPose(o.skeleton) ? 0 : o.sample ?? 0);

  // 2. the same at the work size
  const [ww, wh] = workSize(width, height, o.workSide);
  const sx = ww / width;
  const sy = wh / height;
  const workImage = await resizeRgb(o.image, ww, wh);
  const workMask = buildMask(scene, ww, wh, sx, sy, maskOpts);
  const workPose = drawOpenPoseMap(scene.people.map((p) => scaleKeypoints(p, sx, sy)), ww, wh);

  // 3. the server paints
  const result = await client.run({
    image: maskedImage(workImage, workMask), mask: workMask, pose: workPose,
    prompt: o.prompt, negative: o.negative, steps: o.steps, seed: o.seed, cfg: o.cfg, controlStrength: o.controlStrength,
    checkpoint: o.checkpoint, controlnet: o.controlnet,
  }, { onProgress: progressReporter(o.onProgress), timeoutMs: o.timeoutMs ?? (o.timeoutSec !== undefined ? o.timeoutSec * 1000 : undefined), signal: o.signal });

  // 4. back to the original size, pasted through the mask
  const painted = await decodeImage(result.image, `the image returned by ${api}`);
  const back = await resizeRgb(painted, width, height);
  const edited = new Uint8Array(o.image.data.length);
  for (let i = 0; i < width * height; i++) {
    const a = mask.data[i] / 255;
    for (let c = 0; c < 3; c++) edited[i * 3 + c] = Math.round(o.image.data[i * 3 + c] * (1 - a) + back.data[i * 3 + c] * a);
  }

  const summary: Record<string, unknown> = {
    ...result.info,
    prompt: o.prompt,
    negative: o.negative ?? null,
    seed: o.seed ?? EDIT_DEFAULTS.seed,
    steps: o.steps ?? EDIT_DEFAULTS.steps,
    cfg: o.cfg ?? EDIT_DEFAULTS.cfg,
    sample: isOpenPose(o.skeleton) ? null : o.sample ?? 0,
    mask: scene.maskMode,
    image_size: [width, height],
    work_size: [ww, wh],
    returned_size: [painted.width, painted.height],
    ms: Date.now() - started,
  };
  const [editedPng, maskedPng, posePng, maskPng, overlayPng] = await Promise.all([
    encodePng({ data: edited, width, height, channels: 3 }), rasterToPng(masked), rasterToPng(pose), rasterToPng(mask), rasterToPng(overlay),
  ]);
  const files: Record<string, string | Uint8Array> = {
    'edited.png': new Uint8Array(editedPng),
    'masked.png': maskedPng,
    'pose.png': posePng,
    'mask.png': maskPng,
    'overlay.png': overlayPng,
    'openpose.json': JSON.stringify(toOpenPoseJson(scene.people, width, height), null, 2) + '\n',
    ...result.files,
    'edit.json': JSON.stringify(summary, null, 2) + '\n',
  };
  const written = o.out ? await writeOutputs(o.out, files) : [];
  return { edited: files['edited.png'] as Uint8Array, files, summary, written };
}
