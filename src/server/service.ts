/**
 * What the API does, without HTTP: uploads, generate, fit, h2h, detect, guidance and edit jobs over the injected
 * domain functions. Every compute call runs through one TaskQueue (shared tensor state); edits, which mostly wait
 * on a remote image server, run through a queue of their own. Results are written to the output store and returned
 * with the URLs of their files.
 */
import type { Logger } from 'pino';
import { NotBuiltError, oneLine, PinplaceError, UsageError } from '../errors.ts';
import type { SkeletonFile } from '../data/formats.ts';
import { decodeImage, encodePng, type RgbImage } from '../io/image.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import { FILE_NAME_PATTERN } from './constants.ts';
import { resolveEditServer, type EditServerPolicy } from './edit-server-policy.ts';
import { NotFoundError, OutputStore } from './output-store.ts';
import { TaskQueue } from './task-queue.ts';
import type {
  DetectRequest, EditRequest, FitRequest, GenerateRequest, GuidanceRequest, H2hRequest,
} from './schemas.ts';
import type { DetectOutput, DomainName, ServerDeps, ServerLimits } from './types.ts';

/** A stored image. */
export interface ImageInfo { id: string; width: number; height: number; url: string }
/** A generate / h2h answer. */
export interface SkeletonResult { id: string; skeleton: SkeletonFile; files: Record<string, string>; ms: number }
/** A fit answer: `body` is the SPEC body.json object. */
export interface FitResultInfo { id: string; body: unknown; bodies: unknown[]; files: Record<string, string>; ms: number }
/** Guidance files of a skeleton. */
export interface GuidanceResult { id: string; files: Record<string, string> }
/** A background edit. */
export interface EditJob {
  id: string; state: 'queued' | 'running' | 'done' | 'failed'; progress: number; message: string;
  result?: { id: string; files: Record<string, string> }; error?: string;
}

const IMAGE_FILE = 'image.png';
const MAX_CACHED_IMAGES = 16;
const MAX_JOBS = 100;

export class PinplaceService {
  readonly store: OutputStore;
  /** The queue every tensor computation goes through. */
  readonly queue: TaskQueue;
  /** Edits wait on remote servers; one at a time, apart from the compute queue. */
  readonly editQueue: TaskQueue;
  private readonly images = new Map<string, RgbImage>();
  private readonly jobs = new Map<string, EditJob>();

  constructor(readonly deps: ServerDeps, readonly limits: ServerLimits, readonly log: Logger) {
    this.store = new OutputStore(deps.outDir, limits.keepResults);
    this.queue = new TaskQueue(limits.maxQueued);
    this.editQueue = new TaskQueue(limits.maxQueued);
  }

  /** Which domain functions this server can run now. */
  capabilities(): Record<DomainName, boolean> {
    const names: DomainName[] = ['generate', 'fit', 'guidanceFiles', 'h2h', 'detect', 'edit'];
    return Object.fromEntries(names.map((n) => [n, !!this.deps[n] && !this.unreadyReason(n)])) as Record<DomainName, boolean>;
  }

  /** Why each function cannot run (missing module, or not ready), by name. */
  missing(): Partial<Record<DomainName, string>> {
    const out: Partial<Record<DomainName, string>> = { ...this.deps.missing };
    for (const n of Object.keys(this.deps.unready ?? {}) as DomainName[]) {
      const why = this.deps[n] ? this.unreadyReason(n) : null;
      if (why) out[n] = why;
    }
    return out;
  }

  private unreadyReason(name: DomainName): string | null {
    try {
      return this.deps.unready?.[name]?.() ?? null;
    } catch (err) {
      return oneLine(err);
    }
  }

  /** The function `name`, or a 501 error saying why it is missing, or a 503 saying why it cannot run now. */
  private need<K extends DomainName>(name: K): NonNullable<ServerDeps[K]> {
    const fn = this.deps[name];
    if (!fn) {
      const why = this.deps.missing?.[name] ?? 'its module is not built in this version';
      throw new NotBuiltError(`${name} is not available on this server: ${why}`);
    }
    const why = this.unreadyReason(name);
    if (why) throw new PinplaceError(`${name} cannot run on this server now: ${why}`, 'unavailable', 503);
    return fn as NonNullable<ServerDeps[K]>;
  }

  /** Decode, normalise to PNG and store an uploaded image. */
  async upload(bytes: Uint8Array, name = 'upload'): Promise<ImageInfo> {
    const img = await decodeImage(bytes, name);
    if (img.width * img.height > this.limits.maxImagePixels) {
      throw new PinplaceError(`${name} is ${img.width}x${img.height} = ${img.width * img.height} px; this server takes at most ${this.limits.maxImagePixels} px`, 'too_large', 413);
    }
    const png = await encodePng(img);
    const id = await this.store.save({ [IMAGE_FILE]: png });
    this.remember(id, img);
    return this.imageInfo(id, img);
  }

  /** Store an already decoded image (the sample scene), never pruned. */
  async addImage(img: RgbImage): Promise<ImageInfo> {
    const id = this.store.newId();
    this.store.pin(id);
    await this.store.save({ [IMAGE_FILE]: await encodePng(img) }, id);
    this.remember(id, img);
    return this.imageInfo(id, img);
  }

  imageInfo(id: string, img: { width: number; height: number }): ImageInfo {
    return { id, width: img.width, height: img.height, url: this.store.url(id, IMAGE_FILE) };
  }

  /** An uploaded image by id (404 when there is none). */
  async image(id: string): Promise<RgbImage> {
    const hit = this.images.get(id);
    if (hit) return hit;
    let bytes: Buffer;
    try {
      bytes = await this.store.read(id, IMAGE_FILE);
    } catch {
      throw new NotFoundError(`no uploaded image with id ${id}; upload it with POST /api/images first`);
    }
    const img = { ...(await decodeImage(bytes, `image ${id}`)), path: IMAGE_FILE };
    this.remember(id, img);
    return img;
  }

  private remember(id: string, img: RgbImage): void {
    this.images.set(id, { ...img, path: img.path ?? IMAGE_FILE });
    while (this.images.size > MAX_CACHED_IMAGES) this.images.delete(this.images.keys().next().value as string);
  }

  async generate(req: GenerateRequest): Promise<SkeletonResult> {
    const generate = this.need('generate');
    const image = await this.image(req.image);
    checkBoxes(image, { person_box: req.person_box, object_box: req.object_box });
    checkPins(req.pins);
    return this.queue.run(async () => {
      const t0 = performance.now();
      const skeleton = await generate({
        image, personBox: req.person_box as Box, objectBox: req.object_box as Box,
        ...(req.category !== undefined ? { category: req.category } : {}),
        ...(req.action !== undefined ? { action: req.action } : {}),
        ...(req.samples !== undefined ? { samples: req.samples } : {}),
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
        ...(req.pins?.length ? { pins: req.pins } : {}),
        ...(req.sampler !== undefined ? { sampler: req.sampler } : {}),
        ...(req.hand !== undefined ? { hand: req.hand } : {}),
      });
      return this.saveSkeleton(image, skeleton, performance.now() - t0);
    });
  }

  async h2h(req: H2hRequest): Promise<SkeletonResult> {
    const h2h = this.need('h2h');
    const image = await this.image(req.image);
    checkBoxes(image, { person_box: req.person_box, partner_box: req.partner_box });
    checkPins(req.pins);
    return this.queue.run(async () => {
      const t0 = performance.now();
      const skeleton = await h2h({
        image, personBox: req.person_box as Box, partnerBox: req.partner_box as Box,
        ...(req.partner_keypoints ? { partnerKeypoints: req.partner_keypoints as SkeletonFile['samples'][0]['keypoints'] } : {}),
        ...(req.action !== undefined ? { action: req.action } : {}),
        ...(req.samples !== undefined ? { samples: req.samples } : {}),
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
        ...(req.pins?.length ? { pins: req.pins } : {}),
      });
      return this.saveSkeleton(image, skeleton, performance.now() - t0);
    });
  }

  /** Store a skeleton made elsewhere (the sample scene's reference pose) with its guidance files. */
  async storeSkeleton(imageId: string, skeleton: SkeletonFile): Promise<SkeletonResult> {
    const image = await this.image(imageId);
    return this.queue.run(() => this.saveSkeleton(image, skeleton, 0));
  }

  /** skeleton.json plus the guidance files (when this server has them) under a new id. Runs inside the queue. */
  private async saveSkeleton(image: RgbImage, skeleton: SkeletonFile, ms: number): Promise<SkeletonResult> {
    const files: Record<string, string | Uint8Array> = { 'skeleton.json': JSON.stringify(skeleton, null, 1) };
    if (this.deps.guidanceFiles) {
      try {
        Object.assign(files, await this.deps.guidanceFiles(image, skeleton, 0));
      } catch (err) {
        this.log.warn({ err: oneLine(err) }, 'guidance files failed; answering the skeleton alone');
      }
    }
    const id = await this.store.save(files);
    return { id, skeleton, files: this.store.urls(id, Object.keys(files)), ms: Math.round(ms) };
  }

  async fit(req: FitRequest): Promise<FitResultInfo> {
    const fit = this.need('fit');
    const skeleton = req.skeleton as SkeletonFile;
    const sample = req.sample ?? 0;
    if (sample >= skeleton.samples.length) {
      throw new UsageError(`sample must be below the skeleton's ${skeleton.samples.length} samples, got ${sample}`);
    }
    if (req.partner && !skeleton.partner) throw new UsageError('partner: true needs a skeleton with a partner (from h2h)');
    return this.queue.run(async () => {
      const t0 = performance.now();
      const r = await fit({
        skeleton, sample,
        ...(req.focal !== undefined ? { focal: req.focal } : {}),
        ...(req.partner !== undefined ? { partner: req.partner } : {}),
      });
      const ms = performance.now() - t0;
      const files = { 'body.json': JSON.stringify(r.body, null, 1), 'body.glb': r.glb, 'body.obj': r.obj };
      const id = await this.store.save(files);
      return { id, body: r.body, bodies: r.bodies?.length ? r.bodies : [r.body], files: this.store.urls(id, Object.keys(files)), ms: Math.round(ms) };
    });
  }

  async detect(req: DetectRequest): Promise<DetectOutput & { ms: number }> {
    const detect = this.need('detect');
    const image = await this.image(req.image);
    return this.queue.run(async () => {
      const t0 = performance.now();
      const r = await detect(image);
      return { ...r, image: { path: this.store.url(req.image, IMAGE_FILE), width: image.width, height: image.height }, ms: Math.round(performance.now() - t0) };
    });
  }

  /** openpose.json, pose.png, mask.png, overlay.png (and skeleton.json) for an edited skeleton. */
  async guidance(req: GuidanceRequest): Promise<GuidanceResult> {
    const guidanceFiles = this.need('guidanceFiles');
    const image = await this.image(req.image);
    const skeleton = req.skeleton as SkeletonFile;
    const sample = req.sample ?? 0;
    if (sample >= skeleton.samples.length) {
      throw new UsageError(`sample must be below the skeleton's ${skeleton.samples.length} samples, got ${sample}`);
    }
    return this.queue.run(async () => {
      const files = { 'skeleton.json': JSON.stringify(skeleton, null, 1), ...(await guidanceFiles(image, skeleton, sample)) };
      const id = await this.store.save(files);
      return { id, files: this.store.urls(id, Object.keys(files)) };
    });
  }

  /** Where edits may go (edit-server-policy.ts). */
  get editServerPolicy(): EditServerPolicy {
    return { configured: this.deps.editServer ?? null, allowLoopback: this.deps.allowLoopbackEditServer ?? true };
  }

  /** Start an edit in the background; poll it with `job()`; the image server comes from the server's configuration. */
  async startEdit(req: EditRequest): Promise<EditJob> {
    const edit = this.need('edit');
    const server = resolveEditServer(req.server, this.editServerPolicy);
    const image = await this.image(req.image);
    const job: EditJob = { id: this.store.newId(), state: 'queued', progress: 0, message: 'waiting' };
    const skeleton = req.skeleton as SkeletonFile;
    const sample = req.sample ?? 0;
    if (sample >= skeleton.samples.length) {
      throw new UsageError(`sample must be below the skeleton's ${skeleton.samples.length} samples, got ${sample}`);
    }
    this.jobs.set(job.id, job);
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value as string);
    this.editQueue.run(async () => {
      job.state = 'running';
      job.message = `sending to ${server}`;
      const r = await edit({
        image, skeleton, sample, server, api: req.api ?? 'comfyui', prompt: req.prompt,
        ...(req.negative !== undefined ? { negative: req.negative } : {}),
        ...(req.steps !== undefined ? { steps: req.steps } : {}),
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
        ...(req.checkpoint !== undefined ? { checkpoint: req.checkpoint } : {}),
        ...(req.controlnet !== undefined ? { controlnet: req.controlnet } : {}),
        ...(req.timeout !== undefined ? { timeoutSec: req.timeout } : {}),
        onProgress: (f, m) => { job.progress = Math.max(0, Math.min(1, f)); if (m) job.message = m; },
      });
      const files: Record<string, string | Uint8Array> = {};
      // Keep the edit's own files that the store can serve (guidance, masked image, summary), then edited.png.
      for (const [name, data] of Object.entries(r.files ?? {})) if (FILE_NAME_PATTERN.test(name)) files[name] = data;
      files['edited.png'] = r.edited;
      const guidanceFiles = this.deps.guidanceFiles;
      if (guidanceFiles && !files['pose.png']) Object.assign(files, await this.queue.run(() => guidanceFiles(image, skeleton, sample)));
      const id = await this.store.save(files);
      job.result = { id, files: this.store.urls(id, Object.keys(files)) };
      job.state = 'done';
      job.progress = 1;
      job.message = 'done';
    }).catch((err: unknown) => {
      job.state = 'failed';
      job.error = oneLine(err);
      job.message = job.error;
      this.log.warn({ job: job.id, err: job.error }, 'edit failed');
    });
    return { ...job };
  }

  job(id: string): EditJob {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundError(`no edit job with id ${id}`);
    return { ...job };
  }
}

/** Boxes must overlap the image. */
function checkBoxes(image: { width: number; height: number }, boxes: Record<string, readonly number[]>): void {
  for (const [name, b] of Object.entries(boxes)) {
    if (b[2] <= 0 || b[3] <= 0 || b[0] >= image.width || b[1] >= image.height) {
      throw new UsageError(`${name} [${b.join(',')}] lies outside the ${image.width}x${image.height} image`);
    }
  }
}

function checkPins(pins: Array<{ joint: number }> | undefined): void {
  if (!pins) return;
  const seen = new Set<number>();
  for (const p of pins) {
    if (seen.has(p.joint)) throw new UsageError(`pins must name each joint once, joint ${p.joint} appears twice`);
    seen.add(p.joint);
  }
}
