/**
 * Person and object detection (Node only) with the pretrained models that ship inside @vladmandic/human, offline on
 * the wasm backend: CenterNet (MobileNetV3, COCO-80) for objects and person boxes, MoveNet Lightning for the COCO-17
 * keypoints of each person.
 *
 * Two fixes make Human run on pure tfjs in Node: it is loaded from `dist/human.node-wasm.js` by absolute path (its
 * package `exports` lack `./`, and the default entry needs tfjs-node), and its `file://` model URLs are answered by a
 * load router that reads the files with fs (`file-load-router-node.ts`). Human only logs a failed model load, so the
 * loaded graphs are checked here and a missing one is an error.
 *
 * MoveNet Lightning is a single-person model, so it is run on a square crop around each CenterNet person box (and
 * once on the whole image, for a person CenterNet missed); CenterNet runs through Human's own pre/post-processing.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { initBackend, tf } from '../backend.ts';
import { BackendError, UsageError } from '../errors.ts';
import { readImage, type RgbImage } from '../io/image.ts';
import { iou, type Box } from '../skeleton/calculators/box.ts';
import { FLIP_INDEX, NUM_JOINTS, type Keypoint } from '../skeleton/topology.ts';
import { registerFileLoadRouter } from './file-load-router-node.ts';
import { DEFAULT_DETECT_CONFIG, OBJECT_MODEL, PEOPLE_MODEL, SAME_PERSON_IOU } from './constants.ts';
import { keypointBox } from './keypoint-box.ts';
import { mergeReadings } from './merge-readings.ts';
import { pickObject } from './pick-object.ts';
import type { DetectConfig, DetectedObject, DetectedPerson, Detections } from './types.ts';

const require = createRequire(import.meta.url);

/** The parts of Human this module uses. */
interface HumanLike {
  load(): Promise<void>;
  detect(input: tf.Tensor, config?: Record<string, unknown>): Promise<{ object: Array<{ score: number; label: string; box: [number, number, number, number] }>; error?: string | null }>;
  models: { models: Record<string, { executor?: unknown; inputs?: Array<{ shape?: number[] }>; execute(x: tf.Tensor): tf.Tensor | tf.Tensor[] } | null> };
}

/** Where @vladmandic/human is installed. */
export function humanPackageDir(): string {
  // `require.resolve` gives dist/human.node.js (the package exports lack './package.json').
  return dirname(dirname(require.resolve('@vladmandic/human')));
}

let loading: Promise<HumanLike> | null = null;

/** Load Human and its two models once (the backend is set up first); throws when a model did not load. */
export function loadDetector(): Promise<HumanLike> {
  loading ??= openDetector().catch((err) => { loading = null; throw err; });
  return loading;
}

/**
 * Load Human with its models from `modelDir` (default: the package's own models folder). Throws a one-line
 * BackendError when a model file is missing or did not load (Human itself only logs that).
 * Human keeps loaded graphs in module state, so one process holds one set of models.
 */
export async function openDetector(modelDir = join(humanPackageDir(), 'models')): Promise<HumanLike> {
  const info = await initBackend();
  const dir = humanPackageDir();
  const entry = join(dir, 'dist', 'human.node-wasm.js');
  if (!existsSync(entry)) throw new BackendError(`@vladmandic/human has no ${entry}; reinstall it (npm install)`);
  for (const m of [PEOPLE_MODEL, OBJECT_MODEL]) {
    if (!existsSync(join(modelDir, m))) throw new BackendError(`detector model missing: ${join(modelDir, m)}; reinstall @vladmandic/human`);
  }
  registerFileLoadRouter(modelDir);
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
  const { Human } = require(entry) as { Human: new (c: Record<string, unknown>) => HumanLike };
  const human = new Human({
    backend: info.backend === 'cpu' ? 'cpu' : 'wasm',
    wasmPath: wasmDir,
    modelBasePath: `file://${modelDir}/`,
    debug: false,
    warmup: 'none',
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: { enabled: false },
    hand: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    body: { enabled: true, modelPath: PEOPLE_MODEL },
    object: { enabled: true, modelPath: OBJECT_MODEL, minConfidence: 0.1, maxDetected: 50, iouThreshold: 0.4 },
  });
  const log = await quietly(() => human.load());
  const graphs = human.models.models;
  // Human logs a failed load and carries on with a null/empty model: check that both graphs are there.
  for (const [name, file] of [['movenet', PEOPLE_MODEL], ['centernet', OBJECT_MODEL]] as const) {
    if (!graphs[name]?.executor) {
      const why = log.find((l) => l.includes(file)) ?? log[0] ?? 'no reason logged';
      throw new BackendError(`the ${name} detector model did not load from ${join(modelDir, file)} (${why.split('\n')[0].slice(0, 300)})`);
    }
  }
  if (tf.getBackend() !== info.backend) await initBackend();
  return human;
}

/**
 * Run `fn` with console output captured (Human prints its log with console.log, which would corrupt --json output).
 * Returns the captured lines.
 */
async function quietly(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  const keep = (...args: unknown[]) => { lines.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')); };
  console.log = console.warn = console.error = console.info = keep;
  try {
    await fn();
  } finally {
    Object.assign(console, saved);
  }
  return lines;
}

/** RGB bytes -> int32 tensor [1, H, W, 3] (0..255), the input Human's models take. */
function imageTensor(img: RgbImage): tf.Tensor4D {
  return tf.tensor4d(Int32Array.from(img.data), [1, img.height, img.width, 3], 'int32');
}

/**
 * Run MoveNet on the square region `[x1, y1, side]` of the image tensor (outside the image is black); with `mirror`
 * on the mirror image of that square (x mapped back, left and right joints swapped back).
 * Returns 17 keypoints in image pixels with MoveNet's confidence.
 */
async function moveNetOnSquare(human: HumanLike, image: tf.Tensor4D, x1: number, y1: number, side: number, mirror = false): Promise<Keypoint[]> {
  const graph = human.models.models.movenet!;
  const size = graph.inputs?.[0]?.shape?.[1] ?? 192;
  const [, h, w] = image.shape;
  // cropAndResize box: [y1, x1, y2, x2] normalised by (side - 1) as in tf.image (extrapolation 0 outside).
  const out = tf.tidy(() => {
    const box = tf.tensor2d([[y1 / (h - 1), x1 / (w - 1), (y1 + side) / (h - 1), (x1 + side) / (w - 1)]]);
    let crop = tf.image.cropAndResize(tf.cast(image, 'float32') as tf.Tensor4D, box, [0], [size, size], 'bilinear', 0);
    if (mirror) crop = tf.reverse(crop, 2);
    const input = tf.cast(tf.round(crop), 'int32');
    const res = graph.execute(input);
    return (Array.isArray(res) ? res[0] : res).reshape([NUM_JOINTS, 3]);
  });
  const v = await out.array() as number[][];
  out.dispose();
  // MoveNet rows are [y, x, score], normalised to the crop.
  const kps = v.map(([yy, xx, s]): Keypoint => [x1 + (mirror ? 1 - xx : xx) * side, y1 + yy * side, Math.max(0, Math.min(1, s))]);
  return mirror ? FLIP_INDEX.map((j) => kps[j]) : kps;
}

/** MoveNet on a square of `expand` x the box's longer side, centred on the box. */
function moveNetAroundBox(human: HumanLike, image: tf.Tensor4D, box: Box, expand: number, mirror = false): Promise<Keypoint[]> {
  const side = Math.max(box[2] - box[0], box[3] - box[1]) * expand;
  return moveNetOnSquare(human, image, (box[0] + box[2]) / 2 - side / 2, (box[1] + box[3]) / 2 - side / 2, side, mirror);
}

/**
 * Second look at one person: MoveNet again on a square of `expand` x the side of the box its first keypoints imply
 * (a single-person model is most accurate on a crop that the person fills), on that square and on its mirror image,
 * keeping per joint the more confident of the two after making the two readings' left/right labelling agree (the
 * more confident reading decides; merge-readings.ts), so that a pair that reads the facing differently is not mixed. On the synthetic h2h scenes this finds arm joints the first pass
 * missed (arm joints missed 19 % -> 6 %) and moves more partner hands within 10 % of the box height of the true
 * hand (47 % -> 63 % on handshakes / high-fives). Returns null when the first keypoints imply no box.
 */
async function refinePose(human: HumanLike, image: tf.Tensor4D, first: Keypoint[], cfg: Required<DetectConfig>): Promise<Keypoint[] | null> {
  const box = keypointBox(first, cfg.minKeypointScore);
  if (!box) return null;
  const plain = await moveNetAroundBox(human, image, box, cfg.refineExpand);
  const mirrored = await moveNetAroundBox(human, image, box, cfg.refineExpand, true);
  return mergeReadings(plain, mirrored);
}

/** Mean keypoint confidence. */
const meanScore = (kps: Keypoint[]): number => kps.reduce((s, k) => s + k[2], 0) / kps.length;

/**
 * Detect people (box, COCO-17 keypoints, score) and objects (box, COCO category, score) in an image (a path or an
 * RgbImage). Offline; the first call loads the models (~1-2 s), later calls take a few hundred ms on wasm.
 */
export async function detect(image: RgbImage | string, config: DetectConfig = {}): Promise<Detections> {
  const cfg = { ...DEFAULT_DETECT_CONFIG, ...config };
  const img = typeof image === 'string' ? await readImage(image) : image;
  const human = await loadDetector();
  const t = imageTensor(img);
  try {
    // Objects (and person boxes) through Human's CenterNet pipeline.
    let res!: Awaited<ReturnType<HumanLike['detect']>>;
    await quietly(async () => { res = await human.detect(t, { body: { enabled: false }, object: { enabled: true } }); });
    if (res.error) throw new BackendError(`object detection failed: ${res.error}`);
    const raw = res.object
      .filter((o) => o.score >= cfg.minObjectScore)
      .map((o): DetectedObject => ({ box: clip([o.box[0], o.box[1], o.box[0] + o.box[2], o.box[1] + o.box[3]], img), category: o.label, score: round(o.score) }))
      .filter((o) => o.box[2] > o.box[0] && o.box[3] > o.box[1]);
    const objects = raw.filter((o) => o.category !== 'person').sort(byScore).slice(0, cfg.maxObjects);
    // People: MoveNet on a square crop around each CenterNet person box, then on the whole image.
    const candidates: Array<{ keypoints: Keypoint[]; fallback: Box | null }> = [];
    for (const p of raw.filter((o) => o.category === 'person').sort(byScore)) {
      const side = Math.max(p.box[2] - p.box[0], p.box[3] - p.box[1]) * cfg.cropExpand;
      const cx = (p.box[0] + p.box[2]) / 2;
      const cy = (p.box[1] + p.box[3]) / 2;
      candidates.push({ keypoints: await moveNetOnSquare(human, t, cx - side / 2, cy - side / 2, side), fallback: p.box });
    }
    const side = Math.max(img.width, img.height);
    candidates.push({ keypoints: await moveNetOnSquare(human, t, (img.width - side) / 2, (img.height - side) / 2, side), fallback: null });
    const people: DetectedPerson[] = [];
    const countFound = (kps: Keypoint[]) => kps.filter((k) => k[2] >= cfg.minKeypointScore).length;
    for (const c of candidates) {
      if (countFound(c.keypoints) < cfg.minKeypoints) continue;
      const firstBox = clip(keypointBox(c.keypoints, cfg.minKeypointScore) ?? c.fallback!, img);
      if (people.some((q) => iou(q.box, firstBox) > SAME_PERSON_IOU)) continue;
      let kps = c.keypoints;
      if (cfg.refine) {
        const refined = await refinePose(human, t, c.keypoints, cfg);
        if (refined && countFound(refined) >= cfg.minKeypoints) kps = refined;
      }
      const box = clip(keypointBox(kps, cfg.minKeypointScore) ?? firstBox, img);
      if (people.some((q) => iou(q.box, box) > SAME_PERSON_IOU)) continue;
      people.push({ box: box.map(round) as Box, keypoints: kps.map(([x, y, s]): Keypoint => [round(x), round(y), round(s)]), score: round(meanScore(kps)) });
    }
    people.sort(byScore);
    return {
      image: { path: img.path ?? '', width: img.width, height: img.height },
      people,
      objects,
      models: { people: `@vladmandic/human ${PEOPLE_MODEL}`, objects: `@vladmandic/human ${OBJECT_MODEL}` },
    };
  } finally {
    t.dispose();
  }
}

/**
 * The skeleton the detector gives for the person in a known box (`box`, image pixels): MoveNet on the square crop
 * around it as `detect` does for a CenterNet person box, then the refinement pass. Used to see training partners
 * as the detector sees them (h2h-train --detected-partners); null when fewer than `minKeypoints` joints are found.
 */
export async function poseInBox(image: RgbImage, box: Box, config: DetectConfig = {}): Promise<Keypoint[] | null> {
  const cfg = { ...DEFAULT_DETECT_CONFIG, ...config };
  const human = await loadDetector();
  const t = imageTensor(image);
  try {
    let kps = await moveNetAroundBox(human, t, box, cfg.cropExpand);
    const found = (k: Keypoint[]) => k.filter((p) => p[2] >= cfg.minKeypointScore).length;
    if (found(kps) < cfg.minKeypoints) return null;
    if (cfg.refine) {
      const refined = await refinePose(human, t, kps, cfg);
      if (refined && found(refined) >= cfg.minKeypoints) kps = refined;
    }
    return kps.map(([x, y, s]): Keypoint => [round(x), round(y), round(s)]);
  } finally {
    t.dispose();
  }
}

/** The detected people, or a one-line error when there are none. */
export function requirePeople(d: Detections): DetectedPerson[] {
  if (d.people.length === 0) {
    throw new UsageError(`no person detected in ${d.image.path || 'the image'} (${d.image.width}x${d.image.height}); pass the partner's skeleton with --partner-keypoints`);
  }
  return d.people;
}

const byScore = (a: { score: number }, b: { score: number }): number => b.score - a.score;
const round = (v: number): number => Math.round(v * 1000) / 1000;
function clip(b: readonly number[], img: { width: number; height: number }): Box {
  return [Math.max(0, b[0]), Math.max(0, b[1]), Math.min(img.width, b[2]), Math.min(img.height, b[3])];
}

/**
 * `generate --object auto` in one call: detect the objects of `image` and pick the one for a person in `personBox`
 * (pick-object.ts). Throws a one-line UsageError when there is none.
 */
export async function autoObject(image: RgbImage | string, personBox: Box): Promise<DetectedObject> {
  return pickObject(await detect(image), personBox);
}
