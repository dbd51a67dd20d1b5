/**
 * AUTOMATIC1111 web UI client (Node; the server must run with --api and the sd-webui-controlnet extension):
 * pre-flight against /sdapi/v1/sd-models and /controlnet/model_list, one POST /sdapi/v1/img2img with the
 * inpainting fields and a ControlNet unit (module "none": the OpenPose map is sent ready-made), progress polled from
 * /sdapi/v1/progress, and a deadline that calls /sdapi/v1/interrupt. Every failure is a one-line ServerError.
 */
import { ServerError } from '../errors.ts';
import { AbortedError, displayUrl, failStatus, formatSeconds, joinUrl, request, sleep, snippet, type HttpAnswer } from './http.ts';
import { chooseModel, listNames } from './model-choice.ts';
import { rasterToPng } from './png.ts';
import { CHECKPOINT_PREFERENCES, CONTROLNET_PREFERENCES, DEFAULT_NEGATIVE, EDIT_DEFAULTS } from './constants.ts';
import type { EditProgress, EditRequest, EditResult, ImageServerClient, ImageServerConfig, RunOptions } from './types.ts';

/** The img2img request body (the fields pinplace sets). */
export interface A1111Img2ImgBody {
  init_images: string[];
  mask: string;
  mask_blur: number;
  inpainting_fill: number;
  inpaint_full_res: boolean;
  inpaint_full_res_padding: number;
  inpainting_mask_invert: number;
  denoising_strength: number;
  resize_mode: number;
  prompt: string;
  negative_prompt: string;
  steps: number;
  cfg_scale: number;
  sampler_name: string;
  seed: number;
  width: number;
  height: number;
  batch_size: number;
  n_iter: number;
  override_settings?: { sd_model_checkpoint: string };
  override_settings_restore_afterwards: boolean;
  alwayson_scripts: { controlnet: { args: Array<Record<string, unknown>> } };
}

/** Build the img2img body from base64 PNGs. */
export function buildA1111Body(p: {
  image: string; mask: string; pose: string; width: number; height: number; prompt: string; negative: string;
  steps: number; seed: number; cfg: number; controlStrength: number; controlnet: string; checkpoint: string | null;
}): A1111Img2ImgBody {
  return {
    init_images: [p.image],
    mask: p.mask,
    mask_blur: 4,
    inpainting_fill: 1, // "original": the masked image as sent (grey in the repaint region)
    inpaint_full_res: false,
    inpaint_full_res_padding: 32,
    inpainting_mask_invert: 0,
    denoising_strength: 1.0,
    resize_mode: 0,
    prompt: p.prompt,
    negative_prompt: p.negative,
    steps: p.steps,
    cfg_scale: p.cfg,
    sampler_name: 'Euler a',
    seed: p.seed,
    width: p.width,
    height: p.height,
    batch_size: 1,
    n_iter: 1,
    ...(p.checkpoint ? { override_settings: { sd_model_checkpoint: p.checkpoint } } : {}),
    override_settings_restore_afterwards: true,
    alwayson_scripts: {
      controlnet: {
        args: [{
          enabled: true,
          module: 'none',
          model: p.controlnet,
          weight: p.controlStrength,
          image: p.pose,
          resize_mode: 'Just Resize',
          control_mode: 'Balanced',
          pixel_perfect: false,
          processor_res: Math.min(p.width, p.height),
          guidance_start: 0.0,
          guidance_end: 1.0,
          low_vram: false,
        }],
      },
    },
  };
}

/** One line out of an A1111 error body: FastAPI's 422 detail list, the API's {error, detail, errors}, or text. */
export function describeA1111Error(a: HttpAnswer): string {
  let body: unknown;
  try {
    body = JSON.parse(a.text());
  } catch {
    return snippet(a.text());
  }
  const b = body as { detail?: unknown; error?: unknown; errors?: unknown };
  if (Array.isArray(b.detail)) {
    return snippet(b.detail.slice(0, 2).map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).join('.')}: ${d.msg ?? ''}`).join('; '));
  }
  const parts = [b.error, b.detail, b.errors].filter((x) => typeof x === 'string' && x !== '') as string[];
  return snippet(parts.join(': ') || a.text());
}

/** AUTOMATIC1111 behind the ImageServerClient interface. */
export class A1111Client implements ImageServerClient {
  readonly api = 'a1111' as const;
  readonly url: string;
  private readonly what: string;
  private readonly pollMs: number;
  private readonly requestMs: number;

  constructor(config: ImageServerConfig) {
    this.url = config.url;
    this.what = `AUTOMATIC1111 at ${displayUrl(config.url)}`;
    this.pollMs = config.pollIntervalMs ?? 1000;
    this.requestMs = config.requestTimeoutMs ?? 30_000;
  }

  private req(path: string, o: { method?: string; json?: unknown; timeoutMs?: number; signal?: AbortSignal; query?: Record<string, string> } = {}): Promise<HttpAnswer> {
    return request(this.what, joinUrl(this.url, path, o.query), {
      method: o.method,
      body: o.json !== undefined ? JSON.stringify(o.json) : undefined,
      headers: o.json !== undefined ? { 'content-type': 'application/json' } : undefined,
      timeoutMs: o.timeoutMs ?? this.requestMs,
      signal: o.signal,
    });
  }

  /** Installed checkpoint titles ("name.safetensors [hash]"). */
  async checkpoints(signal?: AbortSignal): Promise<string[]> {
    const a = await this.req('/sdapi/v1/sd-models', { signal });
    if (a.status === 404) throw new ServerError(`${this.what} has no API (GET /sdapi/v1/sd-models answered 404); start the web UI with --api`, 502);
    if (a.status !== 200) failStatus(this.what, 'GET', '/sdapi/v1/sd-models', a, describeA1111Error(a));
    const list = a.json();
    if (!Array.isArray(list)) throw new ServerError(`${this.what} answered GET /sdapi/v1/sd-models with something that is not a list: ${snippet(a.text())}`);
    return list.map((m: { title?: unknown; model_name?: unknown }) => String(m.title ?? m.model_name ?? '')).filter((t) => t !== '');
  }

  /** Installed ControlNet models ("control_v11p_sd15_openpose [cab727d4]"). */
  async controlnets(signal?: AbortSignal): Promise<string[]> {
    const a = await this.req('/controlnet/model_list', { signal });
    if (a.status === 404) throw new ServerError(`${this.what} has no ControlNet extension (GET /controlnet/model_list answered 404); install sd-webui-controlnet`, 502);
    if (a.status !== 200) failStatus(this.what, 'GET', '/controlnet/model_list', a, describeA1111Error(a));
    const list = (a.json() as { model_list?: unknown }).model_list;
    if (!Array.isArray(list)) throw new ServerError(`${this.what} answered GET /controlnet/model_list without a model_list: ${snippet(a.text())}`);
    return list.map(String).filter((n) => n !== 'None' && n !== '');
  }

  /** Poll /sdapi/v1/progress until `stop` fires. */
  private async followProgress(stop: AbortSignal, onProgress: (p: EditProgress) => void): Promise<void> {
    while (!stop.aborted) {
      try {
        await sleep(this.pollMs, stop);
        const a = await this.req('/sdapi/v1/progress', { query: { skip_current_image: 'true' }, signal: stop, timeoutMs: Math.max(this.pollMs * 5, 2000) });
        if (a.status !== 200) continue;
        const p = a.json() as { progress?: number; state?: { sampling_step?: number; sampling_steps?: number; job_count?: number } };
        const max = Number(p.state?.sampling_steps) || 0;
        if (max > 0 && (p.state?.job_count ?? 1) !== 0) onProgress({ phase: 'sampling', value: Number(p.state?.sampling_step) || 0, max });
      } catch {
        // progress is best effort: a missed poll is not an error
      }
    }
  }

  async run(req: EditRequest, opts: RunOptions = {}): Promise<EditResult> {
    const timeoutMs = opts.timeoutMs ?? EDIT_DEFAULTS.timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    const onProgress = opts.onProgress;
    let started = false;
    const stopProgress = new AbortController();
    try {
      onProgress?.({ phase: 'checking', value: 0, max: 0 });
      const [ckpts, cnets] = await Promise.all([this.checkpoints(signal), this.controlnets(signal)]);
      const checkpoint = chooseModel('checkpoint', this.what, ckpts, req.checkpoint, CHECKPOINT_PREFERENCES, 'loose');
      const controlnet = chooseModel('ControlNet model', this.what, cnets, req.controlnet, CONTROLNET_PREFERENCES, 'loose');
      if (!controlnet) {
        throw new ServerError(`${this.what} has no OpenPose ControlNet model installed (put control_v11p_sd15_openpose.pth in extensions/sd-webui-controlnet/models); installed: ${listNames(cnets)}`, 422);
      }
      const b64 = async (r: EditRequest['image']): Promise<string> => Buffer.from(await rasterToPng(r)).toString('base64');
      const [image, mask, pose] = await Promise.all([b64(req.image), b64(req.mask), b64(req.pose)]);
      const body = buildA1111Body({
        image, mask, pose, width: req.image.width, height: req.image.height,
        prompt: req.prompt, negative: req.negative ?? DEFAULT_NEGATIVE,
        steps: req.steps ?? EDIT_DEFAULTS.steps, seed: req.seed ?? EDIT_DEFAULTS.seed, cfg: req.cfg ?? EDIT_DEFAULTS.cfg,
        controlStrength: req.controlStrength ?? EDIT_DEFAULTS.controlStrength, controlnet, checkpoint,
      });

      onProgress?.({ phase: 'queued', value: 0, max: 0 });
      started = true;
      const progress = onProgress ? this.followProgress(AbortSignal.any([stopProgress.signal, signal]), onProgress) : Promise.resolve();
      let a: HttpAnswer;
      try {
        a = await this.req('/sdapi/v1/img2img', { method: 'POST', json: body, timeoutMs: timeoutMs + 1000, signal });
      } finally {
        stopProgress.abort();
        await progress;
      }
      if (a.status !== 200) failStatus(this.what, 'POST', '/sdapi/v1/img2img', a, describeA1111Error(a));
      const r = a.json() as { images?: unknown; info?: unknown };
      const first = Array.isArray(r.images) ? r.images[0] : undefined;
      if (typeof first !== 'string' || first === '') throw new ServerError(`${this.what} answered img2img without an image`);
      const bytes = new Uint8Array(Buffer.from(first.replace(/^data:image\/\w+;base64,/, ''), 'base64'));
      let seed: unknown = body.seed;
      try {
        seed = (JSON.parse(String(r.info ?? '{}')) as { seed?: unknown }).seed ?? seed;
      } catch { /* info is informative only */ }
      const shown = { ...body, init_images: ['<masked.png, base64>'], mask: '<mask.png, base64>', alwayson_scripts: { controlnet: { args: [{ ...body.alwayson_scripts.controlnet.args[0], image: '<pose.png, base64>' }] } } };
      return {
        image: bytes,
        files: { 'a1111-request.json': JSON.stringify(shown, null, 2) + '\n' },
        info: { api: this.api, server: displayUrl(this.url), checkpoint: checkpoint ?? '(the checkpoint loaded on the server)', controlnet, seed },
      };
    } catch (err) {
      if (err instanceof AbortedError || signal.aborted) {
        if (started) await this.req('/sdapi/v1/interrupt', { method: 'POST', timeoutMs: 5000 }).catch(() => undefined);
        if (deadline.aborted) {
          throw new ServerError(`${this.what} did not finish within ${formatSeconds(timeoutMs)}${started ? '; the job was interrupted on the server' : ''}`, 504);
        }
        throw new ServerError(`edit on ${this.what} was cancelled${started ? '; the job was interrupted on the server' : ''}`, 499);
      }
      throw err;
    } finally {
      stopProgress.abort();
    }
  }
}
