/**
 * ComfyUI client (Node): pre-flight against /object_info, uploads through /upload/image (using the names the server
 * returns), the inpainting + ControlNet-openpose workflow queued on /prompt, progress from the WebSocket (/ws) with a
 * fallback to polling /history when the socket drops, a deadline that interrupts the job on the server, and the
 * result downloaded from /view. Every failure is a one-line ServerError.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { ServerError } from '../errors.ts';
import { AbortedError, displayUrl, failStatus, formatSeconds, joinUrl, raceAbort, request, sleep, snippet, splitCredentials, type HttpAnswer } from './http.ts';
import { buildComfyWorkflow, type ComfyGraph } from './comfyui-workflow.ts';
import { chooseModel, listNames } from './model-choice.ts';
import { rasterToPng, shortHash } from './png.ts';
import {
  CHECKPOINT_PREFERENCES, COMFY_NODE_TYPES, COMFY_SAVE_NODE, CONTROLNET_PREFERENCES, DEFAULT_NEGATIVE, EDIT_DEFAULTS,
} from './constants.ts';
import type { EditProgress, EditRequest, EditResult, ImageServerClient, ImageServerConfig, RunOptions } from './types.ts';

type NodeSchema = { input?: { required?: Record<string, unknown[]>; optional?: Record<string, unknown[]> } };
type ObjectInfo = Record<string, NodeSchema>;

/** The options of a COMBO input, in both the classic `[[...names]]` and the newer `["COMBO", {options}]` forms. */
export function comboOptions(spec: unknown): string[] {
  if (!Array.isArray(spec)) return [];
  if (Array.isArray(spec[0])) return spec[0].map(String);
  if (spec[0] === 'COMBO' && spec[1] && typeof spec[1] === 'object') {
    const opts = (spec[1] as { options?: unknown }).options;
    if (Array.isArray(opts)) return opts.map(String);
  }
  return [];
}

/** How a job ended as seen on the socket. */
type SocketOutcome = 'done' | 'dropped';

/**
 * The job's WebSocket: buffers messages until the prompt id is known, then reports progress and resolves on
 * completion ('done'), or on a lost connection ('dropped'); rejects on execution_error / execution_interrupted.
 */
class JobSocket {
  private buffered: Array<Record<string, unknown>> = [];
  private promptId: string | null = null;
  private settle: ((o: SocketOutcome) => void) | null = null;
  private fail: ((e: Error) => void) | null = null;
  private outcome: SocketOutcome | Error | null = null;
  private closedByUs = false;

  private constructor(private ws: WebSocket, private what: string, private onProgress?: (p: EditProgress) => void) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return; // preview frames: 4-byte event type, 4-byte image type, image bytes
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (this.promptId === null) this.buffered.push(msg);
      else this.handle(msg);
    });
    ws.on('close', () => { if (!this.closedByUs) this.finish('dropped'); });
    ws.on('error', () => { /* 'close' follows */ });
  }

  /** Open the socket; resolves null when it cannot be opened (the caller polls instead). */
  static open(url: string, clientId: string, what: string, timeoutMs: number, onProgress?: (p: EditProgress) => void): Promise<JobSocket | null> {
    const auth = splitCredentials(url);
    const u = new URL(joinUrl(auth.url, '/ws', { clientId }));
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return new Promise((resolve) => {
      const ws = new WebSocket(u.toString(), { handshakeTimeout: timeoutMs, headers: auth.headers });
      const js = new JobSocket(ws, what, onProgress);
      ws.once('open', () => resolve(js));
      ws.once('error', () => resolve(null));
      ws.once('close', () => resolve(null));
    });
  }

  /** Start following prompt `id` (replays what arrived before the id was known). */
  follow(id: string): Promise<SocketOutcome> {
    this.promptId = id;
    const p = new Promise<SocketOutcome>((resolve, reject) => { this.settle = resolve; this.fail = reject; });
    for (const m of this.buffered.splice(0)) this.handle(m);
    if (this.outcome !== null) this.finish(this.outcome);
    return p;
  }

  close(): void {
    this.closedByUs = true;
    this.ws.removeAllListeners('message');
    this.ws.on('error', () => {});
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }

  private finish(o: SocketOutcome | Error): void {
    this.outcome ??= o;
    if (!this.settle || !this.fail) return;
    const [settle, fail] = [this.settle, this.fail];
    this.settle = this.fail = null;
    const first = this.outcome;
    if (first instanceof Error) fail(first);
    else settle(first);
  }

  private handle(msg: Record<string, unknown>): void {
    const type = msg.type;
    const data = (msg.data ?? {}) as Record<string, unknown>;
    const pid = data.prompt_id as string | undefined;
    if (pid !== undefined && pid !== this.promptId) return;
    switch (type) {
      case 'execution_start':
        this.onProgress?.({ phase: 'running', value: 0, max: 0 });
        break;
      case 'progress':
        this.onProgress?.({ phase: 'sampling', value: Number(data.value) || 0, max: Number(data.max) || 0 });
        break;
      case 'executing':
        if (data.node === null && pid === this.promptId) this.finish('done');
        break;
      case 'execution_success':
        this.finish('done');
        break;
      case 'execution_error':
        this.finish(new ServerError(`${this.what} failed in node ${data.node_id ?? '?'} (${data.node_type ?? '?'}): ${snippet(String(data.exception_message ?? data.exception_type ?? 'unknown error'))}`));
        break;
      case 'execution_interrupted':
        this.finish(new ServerError(`${this.what} interrupted the job (node ${data.node_id ?? '?'})`));
        break;
      default:
        break;
    }
  }
}

/** ComfyUI behind the ImageServerClient interface. */
export class ComfyUIClient implements ImageServerClient {
  readonly api = 'comfyui' as const;
  readonly url: string;
  private readonly what: string;
  private readonly pollMs: number;
  private readonly requestMs: number;

  constructor(config: ImageServerConfig) {
    this.url = config.url;
    this.what = `ComfyUI at ${displayUrl(config.url)}`;
    this.pollMs = config.pollIntervalMs ?? 1000;
    this.requestMs = config.requestTimeoutMs ?? 30_000;
  }

  private req(path: string, o: { method?: string; body?: BodyInit; json?: unknown; query?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HttpAnswer> {
    const body = o.json !== undefined ? JSON.stringify(o.json) : o.body;
    const headers = o.json !== undefined ? { 'content-type': 'application/json' } : undefined;
    return request(this.what, joinUrl(this.url, path, o.query), { method: o.method, body, headers, timeoutMs: this.requestMs, signal: o.signal });
  }

  private async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const a = await this.req(path, { signal });
    if (a.status < 200 || a.status > 299) failStatus(this.what, 'GET', path, a);
    return a.json();
  }

  /** Pre-flight: the node types exist; returns their schemas. */
  async objectInfo(signal?: AbortSignal): Promise<ObjectInfo> {
    const parts = await Promise.all(COMFY_NODE_TYPES.map((cls) => this.getJson(`/object_info/${cls}`, signal)));
    const info: ObjectInfo = {};
    for (const p of parts) Object.assign(info, p as ObjectInfo);
    const missing = COMFY_NODE_TYPES.filter((cls) => !info[cls]?.input);
    if (missing.length) {
      throw new ServerError(`${this.what} lacks the node types ${missing.join(', ')} that the inpainting + ControlNet workflow needs; update ComfyUI`, 422);
    }
    return info;
  }

  /** The checkpoint and ControlNet model to use, checked against what is installed. */
  chooseModels(info: ObjectInfo, req: EditRequest): { checkpoint: string; controlnet: string } {
    const ckpts = comboOptions(info.CheckpointLoaderSimple.input?.required?.ckpt_name);
    const cnets = comboOptions(info.ControlNetLoader.input?.required?.control_net_name);
    const checkpoint = chooseModel('checkpoint', this.what, ckpts, req.checkpoint, CHECKPOINT_PREFERENCES, 'exact');
    if (!checkpoint) {
      throw new ServerError(`${this.what} has no SD 1.5 (inpainting) checkpoint pinplace recognises; pass --checkpoint with one of: ${listNames(ckpts)}`, 422);
    }
    const controlnet = chooseModel('ControlNet model', this.what, cnets, req.controlnet, CONTROLNET_PREFERENCES, 'exact');
    if (!controlnet) {
      throw new ServerError(`${this.what} has no OpenPose ControlNet model installed (put control_v11p_sd15_openpose.pth in models/controlnet); installed: ${listNames(cnets)}`, 422);
    }
    return { checkpoint, controlnet };
  }

  /** Upload PNG bytes; returns the name to give LoadImage (the server's name, with its subfolder). */
  async upload(bytes: Uint8Array, name: string, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
    form.append('type', 'input');
    const a = await this.req('/upload/image', { method: 'POST', body: form, signal });
    if (a.status < 200 || a.status > 299) failStatus(this.what, 'POST', '/upload/image', a);
    const r = a.json() as { name?: unknown; subfolder?: unknown };
    if (typeof r.name !== 'string' || r.name === '') {
      throw new ServerError(`${this.what} answered POST /upload/image without a file name: ${snippet(a.text())}`);
    }
    return typeof r.subfolder === 'string' && r.subfolder !== '' ? `${r.subfolder}/${r.name}` : r.name;
  }

  /** Queue the graph; returns the prompt id. 400 answers become one line naming the first node error. */
  async queue(graph: ComfyGraph, clientId: string, signal?: AbortSignal): Promise<string> {
    const a = await this.req('/prompt', { method: 'POST', json: { prompt: graph, client_id: clientId }, signal });
    if (a.status === 400) throw new ServerError(`${this.what} rejected the workflow: ${describePromptError(a)}`, 422);
    if (a.status < 200 || a.status > 299) failStatus(this.what, 'POST', '/prompt', a);
    const r = a.json() as { prompt_id?: unknown; node_errors?: Record<string, unknown> };
    if (typeof r.prompt_id !== 'string') throw new ServerError(`${this.what} answered POST /prompt without a prompt_id: ${snippet(a.text())}`);
    return r.prompt_id;
  }

  /** The history entry of a prompt, or null while it is not finished. Throws on a recorded error. */
  async history(id: string, signal?: AbortSignal): Promise<HistoryEntry | null> {
    const h = (await this.getJson(`/history/${encodeURIComponent(id)}`, signal)) as Record<string, HistoryEntry>;
    const e = h?.[id];
    if (!e) return null;
    const status = e.status;
    if (status?.status_str === 'error') {
      const err = status.messages?.find((m) => m[0] === 'execution_error' || m[0] === 'execution_interrupted');
      const d = (err?.[1] ?? {}) as Record<string, unknown>;
      if (err?.[0] === 'execution_interrupted') throw new ServerError(`${this.what} interrupted the job (node ${d.node_id ?? '?'})`);
      throw new ServerError(`${this.what} failed in node ${d.node_id ?? '?'} (${d.node_type ?? '?'}): ${snippet(String(d.exception_message ?? 'unknown error'))}`);
    }
    if (status && status.completed === false) return null;
    return e;
  }

  /** Poll /history until the prompt is finished. */
  private async pollUntilDone(id: string, signal: AbortSignal, onProgress?: (p: EditProgress) => void): Promise<HistoryEntry> {
    onProgress?.({ phase: 'waiting', value: 0, max: 0 });
    for (;;) {
      const e = await this.history(id, signal);
      if (e) return e;
      await sleep(this.pollMs, signal);
    }
  }

  /** Ask the server to stop our job: interrupt it if running, drop it from the queue if pending. Best effort. */
  async interrupt(id: string): Promise<void> {
    const short = { signal: AbortSignal.timeout(5000) };
    await Promise.allSettled([
      this.req('/interrupt', { method: 'POST', json: { prompt_id: id }, ...short }),
      this.req('/queue', { method: 'POST', json: { delete: [id] }, ...short }),
    ]);
  }

  async run(req: EditRequest, opts: RunOptions = {}): Promise<EditResult> {
    const timeoutMs = opts.timeoutMs ?? EDIT_DEFAULTS.timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    const onProgress = opts.onProgress;
    let promptId: string | null = null;
    let socket: JobSocket | null = null;
    try {
      onProgress?.({ phase: 'checking', value: 0, max: 0 });
      const info = await this.objectInfo(signal);
      const { checkpoint, controlnet } = this.chooseModels(info, req);

      onProgress?.({ phase: 'uploading', value: 0, max: 0 });
      const [imagePng, maskPng, posePng] = await Promise.all([rasterToPng(req.image), rasterToPng(req.mask), rasterToPng(req.pose)]);
      const [image, mask, pose] = await Promise.all([
        this.upload(imagePng, `pinplace-${shortHash(imagePng)}-image.png`, signal),
        this.upload(maskPng, `pinplace-${shortHash(maskPng)}-mask.png`, signal),
        this.upload(posePng, `pinplace-${shortHash(posePng)}-pose.png`, signal),
      ]);

      const inpaintInputs = info.InpaintModelConditioning.input;
      const graph = buildComfyWorkflow({
        image, mask, pose, checkpoint, controlnet,
        prompt: req.prompt, negative: req.negative ?? DEFAULT_NEGATIVE,
        steps: req.steps ?? EDIT_DEFAULTS.steps, seed: req.seed ?? EDIT_DEFAULTS.seed, cfg: req.cfg ?? EDIT_DEFAULTS.cfg,
        controlStrength: req.controlStrength ?? EDIT_DEFAULTS.controlStrength,
        noiseMask: !!(inpaintInputs?.required?.noise_mask ?? inpaintInputs?.optional?.noise_mask),
      });

      const clientId = randomUUID();
      socket = await JobSocket.open(this.url, clientId, this.what, Math.min(this.requestMs, 10_000), onProgress);
      onProgress?.({ phase: 'queued', value: 0, max: 0 });
      promptId = await this.queue(graph, clientId, signal);

      let entry: HistoryEntry | null = null;
      if (socket) {
        const outcome = await raceAbort(socket.follow(promptId), signal);
        if (outcome === 'done') entry = await this.history(promptId, signal);
      }
      // no socket, socket dropped, or history not written yet: poll
      entry ??= await this.pollUntilDone(promptId, signal, onProgress);

      const images = entry.outputs?.[COMFY_SAVE_NODE]?.images ?? [];
      const first = images[0];
      if (!first?.filename) throw new ServerError(`${this.what} finished prompt ${promptId} without an image from the SaveImage node`);
      onProgress?.({ phase: 'downloading', value: 0, max: 0 });
      const view = await this.req('/view', { query: { filename: first.filename, subfolder: first.subfolder ?? '', type: first.type ?? 'output' }, signal });
      if (view.status !== 200) failStatus(this.what, 'GET', '/view', view);
      if (!isPng(view.body)) throw new ServerError(`${this.what} sent ${first.filename} as ${view.contentType || 'unknown type'}, not a PNG image`);
      return {
        image: view.body,
        files: { 'workflow.json': JSON.stringify(graph, null, 2) + '\n' },
        info: { api: this.api, server: displayUrl(this.url), prompt_id: promptId, checkpoint, controlnet, uploaded: { image, mask, pose }, output: first.filename },
      };
    } catch (err) {
      if (err instanceof AbortedError || signal.aborted) {
        if (promptId) await this.interrupt(promptId);
        if (deadline.aborted) {
          throw new ServerError(`${this.what} did not finish within ${formatSeconds(timeoutMs)}${promptId ? `; prompt ${promptId} was interrupted on the server` : ''}`, 504);
        }
        throw new ServerError(`edit on ${this.what} was cancelled${promptId ? `; prompt ${promptId} was interrupted on the server` : ''}`, 499);
      }
      throw err;
    } finally {
      socket?.close();
    }
  }
}

/** One entry of GET /history/{id}. */
interface HistoryEntry {
  outputs?: Record<string, { images?: Array<{ filename: string; subfolder?: string; type?: string }> }>;
  status?: { status_str?: string; completed?: boolean; messages?: Array<[string, unknown]> };
}

/** One line out of ComfyUI's 400 answer: the error message and the first node error with its details. */
export function describePromptError(a: HttpAnswer): string {
  let body: { error?: { message?: string; details?: string; type?: string } | string; node_errors?: Record<string, { class_type?: string; errors?: Array<{ message?: string; details?: string }> }> };
  try {
    body = JSON.parse(a.text());
  } catch {
    return snippet(a.text()) || 'HTTP 400';
  }
  const e = typeof body.error === 'string' ? { message: body.error } : body.error ?? {};
  const parts = [e.message ?? e.type ?? 'invalid prompt'];
  if (e.details) parts[0] += `: ${e.details}`;
  const nodeErrors = body.node_errors && !Array.isArray(body.node_errors) ? Object.entries(body.node_errors) : [];
  for (const [id, ne] of nodeErrors.slice(0, 2)) {
    const first = ne.errors?.[0];
    if (first) parts.push(`node ${id} ${ne.class_type ?? ''}: ${first.message ?? ''}${first.details ? ` (${first.details})` : ''}`.replace(/\s+/g, ' '));
  }
  if (nodeErrors.length > 2) parts.push(`and ${nodeErrors.length - 2} more node(s)`);
  return snippet(parts.join('; '), 400);
}

function isPng(b: Uint8Array): boolean {
  return b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}
