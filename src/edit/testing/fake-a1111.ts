/**
 * An in-process fake AUTOMATIC1111 web UI (with --api and sd-webui-controlnet) for tests and offline demos (Node):
 * express on 127.0.0.1 with a random port. It checks what the real server checks (FastAPI field types with 422
 * answers, decodable base64 images, a mask of the image's size, a known sampler, the checkpoint override and the
 * ControlNet unit's model among the installed ones) and answers with the web UI's shapes. img2img returns the init
 * image with the ControlNet image painted into the mask, plus the control map as a second image, as the extension
 * does; /sdapi/v1/progress reports the steps while a job runs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { type Request, type Response } from 'express';
import sharp from 'sharp';

export type FakeA1111Behaviour = 'ok' | 'http500' | 'hang' | 'no-api' | 'no-controlnet';

export interface FakeA1111Options {
  /** Installed checkpoint titles. */
  checkpoints?: string[];
  /** Installed ControlNet models. */
  controlnets?: string[];
  behaviour?: FakeA1111Behaviour;
  /** Delay between sampling steps, ms [5]. */
  stepDelayMs?: number;
}

export interface FakeA1111 {
  url: string;
  log: { requests: string[]; bodies: Array<Record<string, unknown>>; interrupts: number };
  options: Required<FakeA1111Options>;
  close(): Promise<void>;
}

export const A1111_SAMPLERS = ['DPM++ 2M', 'DPM++ SDE', 'Euler a', 'Euler', 'LMS', 'Heun', 'DDIM', 'UniPC'];

const DEFAULTS: Required<FakeA1111Options> = {
  checkpoints: ['sd-v1-5-inpainting.ckpt [c6bbc15e32]', 'v1-5-pruned-emaonly.safetensors [6ce0161689]'],
  controlnets: ['control_v11p_sd15_openpose [cab727d4]', 'control_v11p_sd15_canny [d14c016b]'],
  behaviour: 'ok',
  stepDelayMs: 5,
};

type Raw = { data: Buffer; width: number; height: number };

async function decodeB64(s: unknown): Promise<Raw | null> {
  if (typeof s !== 'string' || s === '') return null;
  try {
    const bytes = Buffer.from(s.replace(/^data:image\/\w+;base64,/, ''), 'base64');
    const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch {
    return null;
  }
}

/** Start a fake AUTOMATIC1111 on 127.0.0.1 with a random port. */
export async function startFakeA1111(opts: FakeA1111Options = {}): Promise<FakeA1111> {
  const options: Required<FakeA1111Options> = { ...DEFAULTS, ...opts };
  const log: FakeA1111['log'] = { requests: [], bodies: [], interrupts: 0 };
  const state = { job_count: 0, sampling_step: 0, sampling_steps: 0, interrupted: false, job: '' };
  let wake: (() => void) | null = null;
  const wait = (ms: number): Promise<void> => new Promise((r) => { const t = setTimeout(r, ms); wake = () => { clearTimeout(t); r(); }; });

  const app = express();
  app.use((req, _res, next) => { log.requests.push(`${req.method} ${req.path}`); next(); });
  if (options.behaviour === 'no-api') {
    app.use((_req, res) => { res.status(404).json({ detail: 'Not Found' }); });
  }
  app.get('/sdapi/v1/sd-models', (_req, res) => {
    res.json(options.checkpoints.map((title) => {
      const [file, hash] = title.split(' [');
      return { title, model_name: file.replace(/\.[^.]+$/, ''), hash: hash?.replace(']', '') ?? null, sha256: null, filename: `/webui/models/Stable-diffusion/${file}`, config: null };
    }));
  });
  app.get('/sdapi/v1/samplers', (_req, res) => { res.json(A1111_SAMPLERS.map((name) => ({ name, aliases: [], options: {} }))); });
  app.get('/controlnet/model_list', (_req, res) => {
    if (options.behaviour === 'no-controlnet') {
      res.status(404).json({ detail: 'Not Found' });
      return;
    }
    res.json({ model_list: options.controlnets });
  });
  app.get('/sdapi/v1/progress', (_req, res) => {
    const p = state.sampling_steps ? state.sampling_step / state.sampling_steps : 0;
    res.json({
      progress: state.job_count ? p : 0, eta_relative: state.job_count ? 1 - p : 0,
      state: { skipped: false, interrupted: state.interrupted, job: state.job, job_count: state.job_count, job_timestamp: '20260101000000', job_no: 0, sampling_step: state.sampling_step, sampling_steps: state.sampling_steps },
      current_image: null, textinfo: null,
    });
  });
  app.post('/sdapi/v1/interrupt', (_req, res) => {
    log.interrupts++;
    state.interrupted = true;
    wake?.();
    res.json({});
  });

  app.post('/sdapi/v1/img2img', express.json({ limit: '128mb' }), async (req: Request, res: Response) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    log.bodies.push(b);
    // FastAPI/pydantic field checks -> 422
    const detail: Array<{ loc: string[]; msg: string; type: string }> = [];
    const intField = (k: string): void => {
      if (k in b && !(typeof b[k] === 'number' && Number.isInteger(b[k]))) detail.push({ loc: ['body', k], msg: 'value is not a valid integer', type: 'type_error.integer' });
    };
    for (const k of ['steps', 'width', 'height', 'seed', 'mask_blur', 'inpainting_fill', 'batch_size', 'n_iter']) intField(k);
    for (const k of ['cfg_scale', 'denoising_strength']) {
      if (k in b && typeof b[k] !== 'number') detail.push({ loc: ['body', k], msg: 'value is not a valid float', type: 'type_error.float' });
    }
    if ('init_images' in b && !Array.isArray(b.init_images)) detail.push({ loc: ['body', 'init_images'], msg: 'value is not a valid list', type: 'type_error.list' });
    if (detail.length) {
      res.status(422).json({ detail });
      return;
    }
    const fail = (status: number, error: string, errors: string): void => {
      res.status(status).json({ error, detail: '', body: '', errors });
    };
    if (options.behaviour === 'http500') {
      fail(500, 'RuntimeError', 'Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!');
      return;
    }
    const init = await decodeB64(Array.isArray(b.init_images) ? b.init_images[0] : undefined);
    if (!init) {
      res.status(500).json({ detail: 'Invalid encoded image' });
      return;
    }
    const mask = await decodeB64(b.mask);
    if (!mask) {
      res.status(500).json({ detail: 'Invalid encoded image' });
      return;
    }
    if (mask.width !== init.width || mask.height !== init.height) {
      fail(500, 'ValueError', 'images do not match');
      return;
    }
    if (typeof b.sampler_name === 'string' && !A1111_SAMPLERS.includes(b.sampler_name)) {
      res.status(404).json({ detail: 'Sampler not found' });
      return;
    }
    const override = (b.override_settings ?? {}) as { sd_model_checkpoint?: string };
    if (override.sd_model_checkpoint !== undefined) {
      const want = override.sd_model_checkpoint;
      const hit = options.checkpoints.find((t) => t === want || t.split(' [')[0] === want || t.split(' [')[0].replace(/\.[^.]+$/, '') === want);
      if (!hit) {
        fail(500, 'RuntimeError', `checkpoint ${want} not found; available: ${options.checkpoints.join(', ')}`);
        return;
      }
    }
    const scripts = (b.alwayson_scripts ?? {}) as Record<string, { args?: unknown[] }>;
    const cnKey = Object.keys(scripts).find((k) => k.toLowerCase() === 'controlnet');
    const unit = (cnKey ? scripts[cnKey].args?.[0] : undefined) as Record<string, unknown> | undefined;
    let control: Raw | null = null;
    if (unit && unit.enabled !== false) {
      const model = String(unit.model ?? 'None');
      const known = options.controlnets.find((m) => m.toLowerCase().includes(model.toLowerCase().split(' [')[0]));
      if (model !== 'None' && !known) {
        fail(500, 'Exception', `ControlNet model ${model} not found`);
        return;
      }
      control = await decodeB64(unit.image ?? unit.input_image);
      if (!control) {
        fail(500, 'ValueError', 'ControlNet unit 0: image is not a valid base64 image');
        return;
      }
    }
    const steps = typeof b.steps === 'number' ? b.steps : 20;
    Object.assign(state, { job_count: 1, sampling_step: 0, sampling_steps: steps, interrupted: false, job: 'img2img' });
    for (let k = 1; k <= steps && !state.interrupted; k++) {
      await wait(options.stepDelayMs);
      state.sampling_step = k;
      if (k === 2 && options.behaviour === 'hang') {
        while (!state.interrupted && !res.destroyed && res.socket && !res.socket.destroyed) await wait(50);
      }
    }
    const out = Buffer.from(init.data);
    for (let i = 0; i < init.width * init.height; i++) {
      if (mask.data[i * 3] < 128) continue;
      const lit = control && control.width === init.width && control.height === init.height && control.data[i * 3] + control.data[i * 3 + 1] + control.data[i * 3 + 2] > 0;
      out[i * 3] = lit ? control!.data[i * 3] : 190;
      out[i * 3 + 1] = lit ? control!.data[i * 3 + 1] : 160;
      out[i * 3 + 2] = lit ? control!.data[i * 3 + 2] : 140;
    }
    const width = typeof b.width === 'number' ? b.width : init.width;
    const height = typeof b.height === 'number' ? b.height : init.height;
    const png = await sharp(out, { raw: { width: init.width, height: init.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).png().toBuffer();
    Object.assign(state, { job_count: 0, sampling_step: 0, sampling_steps: 0, job: '' });
    if (res.destroyed) return;
    const images = [png.toString('base64')];
    if (control) images.push(await sharp(control.data, { raw: { width: control.width, height: control.height, channels: 3 } }).png().toBuffer().then((x) => x.toString('base64')));
    const seed = typeof b.seed === 'number' && b.seed >= 0 ? b.seed : 1234;
    const { init_images: _i, mask: _m, ...parameters } = b;
    res.json({ images, parameters, info: JSON.stringify({ prompt: b.prompt, seed, all_seeds: [seed], steps, sampler_name: b.sampler_name, sd_model_name: 'sd-v1-5-inpainting' }) });
  });

  const server: Server = createServer(app);
  const conns = new Set<Socket>();
  server.on('connection', (s) => { conns.add(s); s.on('close', () => conns.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    options,
    async close() {
      state.interrupted = true;
      wake?.();
      for (const s of conns) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
