/**
 * An in-process fake ComfyUI for tests and offline demos (Node): express + ws on 127.0.0.1 with a random port.
 *
 * It validates what the real server validates before queueing (node types exist, required inputs present, links
 * are [node id, slot] to an existing node with the right output type, combo values among the installed models and
 * uploaded files, numbers within their ranges, an output node present) and answers with ComfyUI's error shapes. It
 * runs a job by emitting ComfyUI's WebSocket sequence (status, execution_start, execution_cached, executing,
 * progress, executed, execution_success, executing null) to the queueing client, writes /history, and serves a
 * deterministic result on /view: the uploaded scene with the OpenPose map painted into the mask region.
 * Behaviours for failure tests: HTTP 500, execution error, a job that hangs until /interrupt, a dropped socket,
 * no socket at all. Every route is served under /api too, as ComfyUI does.
 */
import { randomUUID, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { type Request, type Response } from 'express';
import { WebSocketServer, WebSocket } from 'ws';
import sharp from 'sharp';
import { comfyObjectInfo, type ComfyNodeInfo } from './comfy-object-info.ts';
import { parseMultipart } from './multipart.ts';

export type FakeComfyBehaviour = 'ok' | 'http500' | 'execution-error' | 'hang' | 'drop-socket' | 'no-socket';

export interface FakeComfyOptions {
  /** Installed checkpoints ['sd-v1-5-inpainting.ckpt', 'v1-5-pruned-emaonly.safetensors']. */
  checkpoints?: string[];
  /** Installed ControlNet models ['control_v11p_sd15_openpose.pth', 'control_v11p_sd15_canny.pth']. */
  controlnets?: string[];
  /** Node types the server lacks. */
  without?: string[];
  /** What the next jobs do ['ok']. */
  behaviour?: FakeComfyBehaviour;
  /** Delay between sampling steps, ms [5]. */
  stepDelayMs?: number;
  /** Require HTTP basic auth "user:password" (as a reverse proxy in front of ComfyUI would) ['']. */
  basicAuth?: string;
}

/** What the fake saw, for assertions. */
export interface FakeComfyLog {
  requests: string[];
  uploads: Array<{ requested: string; stored: string }>;
  prompts: Array<{ id: string; prompt: Record<string, unknown>; clientId: string }>;
  interrupts: unknown[];
  queueDeletes: string[];
}

export interface FakeComfy {
  url: string;
  log: FakeComfyLog;
  options: Required<FakeComfyOptions>;
  /** Files written to the input folder (uploads), by name. */
  inputs: Map<string, Buffer>;
  close(): Promise<void>;
}

type Graph = Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>;
interface NodeError { type: string; message: string; details: string; extra_info: Record<string, unknown> }

const DEFAULTS: Required<FakeComfyOptions> = {
  checkpoints: ['sd-v1-5-inpainting.ckpt', 'v1-5-pruned-emaonly.safetensors'],
  controlnets: ['control_v11p_sd15_openpose.pth', 'control_v11p_sd15_canny.pth'],
  without: [],
  behaviour: 'ok',
  stepDelayMs: 5,
  basicAuth: '',
};

/** Start a fake ComfyUI on 127.0.0.1 with a random port. */
export async function startFakeComfyUI(opts: FakeComfyOptions = {}): Promise<FakeComfy> {
  const options: Required<FakeComfyOptions> = { ...DEFAULTS, ...opts };
  const log: FakeComfyLog = { requests: [], uploads: [], prompts: [], interrupts: [], queueDeletes: [] };
  const inputs = new Map<string, Buffer>();
  const outputs = new Map<string, Buffer>();
  const history: Record<string, unknown> = {};
  const sockets = new Map<string, Set<WebSocket>>();
  const running = new Map<string, { interrupted: boolean; wake?: () => void }>();
  let number = 0;

  const info = (): Record<string, ComfyNodeInfo> => comfyObjectInfo({
    checkpoints: options.checkpoints, controlnets: options.controlnets, inputs: [...inputs.keys()].sort(), without: options.without,
  });

  const send = (clientId: string | null, msg: unknown): void => {
    const targets = clientId === null ? [...sockets.values()].flatMap((s) => [...s]) : [...(sockets.get(clientId) ?? [])];
    for (const ws of targets) if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  };

  const router = express.Router();
  router.use((req, _res, next) => { log.requests.push(`${req.method} ${req.path}`); next(); });

  router.get('/object_info', (_req, res) => { res.json(info()); });
  router.get('/object_info/:cls', (req, res) => {
    const cls = String(req.params.cls);
    const all = info();
    res.json(all[cls] ? { [cls]: all[cls] } : {});
  });
  router.get('/system_stats', (_req, res) => {
    res.json({ system: { os: 'posix', python_version: '3.11', comfyui_version: '0.3.40-fake', embedded_python: false }, devices: [] });
  });

  router.post('/upload/image', express.raw({ type: 'multipart/form-data', limit: '64mb' }), (req: Request, res: Response) => {
    let parts;
    try {
      parts = parseMultipart(req.body as Buffer, String(req.headers['content-type'] ?? ''));
    } catch {
      res.status(400).send('400: Bad Request');
      return;
    }
    const file = parts.find((p) => p.name === 'image' && p.filename !== undefined);
    if (!file || !file.filename) {
      res.status(400).send('400: Bad Request');
      return;
    }
    const overwrite = ['true', '1'].includes(parts.find((p) => p.name === 'overwrite')?.data.toString() ?? '');
    const type = parts.find((p) => p.name === 'type')?.data.toString() || 'input';
    const requested = file.filename.replace(/^.*[\\/]/, '');
    if (requested === '' || requested.startsWith('.')) {
      res.status(400).send('400: Bad Request');
      return;
    }
    let name = requested;
    if (!overwrite) {
      // ComfyUI keeps an identical file under its name and renames a clash to "name (n).ext"
      const dot = requested.lastIndexOf('.');
      const [base, ext] = dot > 0 ? [requested.slice(0, dot), requested.slice(dot)] : [requested, ''];
      for (let i = 1; inputs.has(name) && !sameBytes(inputs.get(name)!, file.data); i++) name = `${base} (${i})${ext}`;
    }
    inputs.set(name, file.data);
    log.uploads.push({ requested, stored: name });
    res.json({ name, subfolder: '', type });
  });

  router.post('/prompt', express.json({ limit: '64mb' }), (req: Request, res: Response) => {
    if (options.behaviour === 'http500') {
      res.status(500).type('text/plain').send('500 Internal Server Error\n\nServer got itself in trouble');
      return;
    }
    const body = req.body as { prompt?: Graph; client_id?: string } | undefined;
    const graph = body?.prompt;
    if (!graph || typeof graph !== 'object') {
      res.status(400).json({ error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} });
      return;
    }
    const verdict = validatePrompt(graph, info(), inputs);
    if (verdict) {
      res.status(400).json(verdict);
      return;
    }
    const id = randomUUID();
    const clientId = body.client_id ?? '';
    log.prompts.push({ id, prompt: graph as Record<string, unknown>, clientId });
    res.json({ prompt_id: id, number: number++, node_errors: {} });
    void execute(id, graph, clientId);
  });

  router.get('/history/:id', (req, res) => {
    const id = String(req.params.id);
    res.json(history[id] ? { [id]: history[id] } : {});
  });
  router.get('/history', (_req, res) => { res.json(history); });
  router.get('/queue', (_req, res) => {
    res.json({ queue_running: [...running.keys()].map((id) => [0, id, {}, {}, []]), queue_pending: [] });
  });
  router.post('/queue', express.json(), (req, res) => {
    const del = (req.body as { delete?: unknown })?.delete;
    if (Array.isArray(del)) log.queueDeletes.push(...del.map(String));
    res.status(200).send('');
  });
  router.post('/interrupt', express.json(), (req, res) => {
    const pid = (req.body as { prompt_id?: string } | undefined)?.prompt_id;
    log.interrupts.push(req.body ?? null);
    for (const [id, job] of running) {
      if (pid === undefined || pid === id) {
        job.interrupted = true;
        job.wake?.();
      }
    }
    res.status(200).send('');
  });
  router.get('/view', (req, res) => {
    const filename = String(req.query.filename ?? '');
    const type = String(req.query.type ?? 'output');
    if (!filename || filename.includes('..') || filename.includes('/') || filename.includes('\\')) {
      res.status(400).send('400: Bad Request');
      return;
    }
    const file = (type === 'input' ? inputs : outputs).get(filename);
    if (!file) {
      res.status(404).send('404: Not Found');
      return;
    }
    res.type('image/png').send(file);
  });

  async function execute(id: string, graph: Graph, clientId: string): Promise<void> {
    const job: { interrupted: boolean; wake?: () => void } = { interrupted: false };
    running.set(id, job);
    const messages: Array<[string, unknown]> = [];
    const emit = (type: string, data: Record<string, unknown>, broadcast = false): void => {
      const d = { ...data, prompt_id: id, timestamp: Date.now() };
      if (['execution_start', 'execution_cached', 'execution_success', 'execution_error', 'execution_interrupted'].includes(type)) messages.push([type, d]);
      send(broadcast ? null : clientId, { type, data: d });
    };
    const wait = (ms: number): Promise<void> => new Promise((r) => { const t = setTimeout(r, ms); job.wake = () => { clearTimeout(t); r(); }; });
    const order = topoOrder(graph);
    const outputsById: Record<string, unknown> = {};
    const fail = (type: string, data: Record<string, unknown>, status: 'error'): void => {
      emit(type, data);
      history[id] = { prompt: [0, id, graph, { client_id: clientId }, [order[order.length - 1]]], outputs: outputsById, status: { status_str: status, completed: false, messages }, meta: {} };
      running.delete(id);
    };
    send(null, { type: 'status', data: { status: { exec_info: { queue_remaining: running.size } } } });
    await wait(1);
    emit('execution_start', {});
    emit('execution_cached', { nodes: [] });
    for (const nodeId of order) {
      const n = graph[nodeId];
      emit('executing', { node: nodeId, display_node: nodeId });
      if (n.class_type === 'KSampler') {
        const steps = Number(n.inputs?.steps ?? 20);
        for (let k = 1; k <= steps; k++) {
          await wait(options.stepDelayMs);
          if (job.interrupted) {
            fail('execution_interrupted', { node_id: nodeId, node_type: 'KSampler', executed: order.slice(0, order.indexOf(nodeId)) }, 'error');
            return;
          }
          emit('progress', { value: k, max: steps, node: nodeId });
          if (k === 1) {
            // a binary preview frame: event type 1 (PREVIEW_IMAGE), image type 2 (PNG), image bytes
            const head = Buffer.alloc(8);
            head.writeUInt32BE(1, 0);
            head.writeUInt32BE(2, 4);
            for (const ws of sockets.get(clientId) ?? []) if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([head, Buffer.from([0x89, 0x50, 0x4e, 0x47])]));
          }
          if (k === 2 && options.behaviour === 'drop-socket') {
            for (const ws of sockets.get(clientId) ?? []) ws.terminate();
          }
          if (k === 2 && options.behaviour === 'execution-error') {
            fail('execution_error', {
              node_id: nodeId, node_type: 'KSampler', executed: [],
              exception_message: 'CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)',
              exception_type: 'torch.OutOfMemoryError', traceback: ['  File "execution.py", line 323, in execute\n'],
              current_inputs: {}, current_outputs: {},
            }, 'error');
            return;
          }
          if (k === 2 && options.behaviour === 'hang') {
            while (!job.interrupted) await wait(60_000);
            fail('execution_interrupted', { node_id: nodeId, node_type: 'KSampler', executed: [] }, 'error');
            return;
          }
        }
      }
      if (n.class_type === 'SaveImage') {
        const png = await resultImage(graph, inputs);
        const filename = `${String(n.inputs?.filename_prefix ?? 'ComfyUI')}_${String(outputs.size + 1).padStart(5, '0')}_.png`;
        outputs.set(filename, png);
        const out = { images: [{ filename, subfolder: '', type: 'output' }] };
        outputsById[nodeId] = out;
        emit('executed', { node: nodeId, display_node: nodeId, output: out });
      }
    }
    history[id] = {
      prompt: [0, id, graph, { client_id: clientId }, Object.keys(outputsById)],
      outputs: outputsById,
      status: { status_str: 'success', completed: true, messages: [...messages, ['execution_success', { prompt_id: id }]] },
      meta: {},
    };
    running.delete(id);
    emit('execution_success', {});
    emit('executing', { node: null });
    send(null, { type: 'status', data: { status: { exec_info: { queue_remaining: running.size } } } });
  }

  const app = express();
  const authorised = (h: string | undefined): boolean => !options.basicAuth || h === `Basic ${Buffer.from(options.basicAuth).toString('base64')}`;
  app.use((req, res, next) => {
    if (authorised(req.headers.authorization)) return next();
    res.status(401).set('www-authenticate', 'Basic realm="comfyui"').send('401: Unauthorized');
  });
  app.use('/api', router);
  app.use('/', router);

  const server: Server = createServer(app);
  const wss = new WebSocketServer({ noServer: true });
  const conns = new Set<Socket>();
  server.on('connection', (s) => { conns.add(s); s.on('close', () => conns.delete(s)); });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (!authorised(req.headers.authorization)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    if (options.behaviour === 'no-socket' || (u.pathname !== '/ws' && u.pathname !== '/api/ws')) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sid = u.searchParams.get('clientId') || randomUUID().replace(/-/g, '');
      if (!sockets.has(sid)) sockets.set(sid, new Set());
      sockets.get(sid)!.add(ws);
      ws.on('close', () => sockets.get(sid)?.delete(ws));
      ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: running.size } }, sid } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    options,
    inputs,
    async close() {
      for (const job of running.values()) { job.interrupted = true; job.wake?.(); }
      for (const ws of wss.clients) ws.terminate();
      for (const s of conns) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return createHash('sha256').update(a).digest('hex') === createHash('sha256').update(b).digest('hex');
}

/** Execution order: dependencies first, then by id. */
function topoOrder(graph: Graph): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (id: string): void => {
    if (done.has(id)) return;
    done.add(id);
    for (const v of Object.values(graph[id]?.inputs ?? {})) if (Array.isArray(v) && graph[String(v[0])]) visit(String(v[0]));
    out.push(id);
  };
  for (const id of Object.keys(graph).sort((a, b) => Number(a) - Number(b))) visit(id);
  return out;
}

/** ComfyUI's prompt validation, in its answer shapes; null when the prompt is valid. */
export function validatePrompt(graph: Graph, info: Record<string, ComfyNodeInfo>, inputs: Map<string, Buffer>): Record<string, unknown> | null {
  const top = (type: string, message: string, details: string, nodeErrors: unknown = {}) =>
    ({ error: { type, message, details, extra_info: {} }, node_errors: nodeErrors });
  for (const [id, n] of Object.entries(graph)) {
    if (!n || typeof n !== 'object' || !('class_type' in n)) {
      return top('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`);
    }
    if (!info[String(n.class_type)]) {
      return top('invalid_prompt', `Cannot execute because node ${String(n.class_type)} does not exist.`, `Node ID '#${id}'`);
    }
  }
  const outputsIds = Object.entries(graph).filter(([, n]) => info[String(n.class_type)].output_node).map(([id]) => id);
  if (outputsIds.length === 0) return top('prompt_no_outputs', 'Prompt has no outputs', '', []);

  const nodeErrors: Record<string, unknown> = {};
  for (const [id, n] of Object.entries(graph)) {
    const cls = String(n.class_type);
    const schema = info[cls];
    const errors: NodeError[] = [];
    const err = (type: string, message: string, details: string, extra: Record<string, unknown> = {}): void => {
      errors.push({ type, message, details, extra_info: extra });
    };
    const given = n.inputs ?? {};
    const specs: Array<[string, unknown[], boolean]> = [
      ...Object.entries(schema.input.required).map(([k, v]): [string, unknown[], boolean] => [k, v, true]),
      ...Object.entries(schema.input.optional ?? {}).map(([k, v]): [string, unknown[], boolean] => [k, v, false]),
    ];
    for (const [name, spec, required] of specs) {
      if (!(name in given)) {
        if (required) err('required_input_missing', 'Required input is missing', name, { input_name: name });
        continue;
      }
      const val = given[name];
      const type = spec[0];
      const o = (spec[1] ?? {}) as { min?: number; max?: number };
      if (Array.isArray(val)) {
        if (val.length !== 2) {
          err('bad_linked_input', 'Bad linked input, must be a length-2 list of [node_id, slot_index]', name, { input_name: name, received_value: val });
          continue;
        }
        const src = graph[String(val[0])];
        const slot = Number(val[1]);
        const srcInfo = src ? info[String(src.class_type)] : undefined;
        if (!srcInfo || !Number.isInteger(slot) || slot < 0 || slot >= srcInfo.output.length) {
          err('exception_during_inner_validation', 'Exception when validating inner node', `${name}: link ${JSON.stringify(val)} points to no output`, { input_name: name });
          continue;
        }
        const received = srcInfo.output[slot];
        const wanted = Array.isArray(type) ? 'COMBO' : String(type);
        if (received !== wanted && received !== '*' && wanted !== '*') {
          err('return_type_mismatch', 'Return type mismatch between linked nodes', `${name}, received_type(${received}) mismatch input_type(${wanted})`, { input_name: name, received_type: received });
        }
        continue;
      }
      if (Array.isArray(type)) {
        if (cls === 'LoadImage' && name === 'image') {
          // LoadImage validates by file existence (VALIDATE_INPUTS), not by the list
          if (typeof val !== 'string' || !inputs.has(val)) err('custom_validation_failed', 'Custom validation failed for node', `image - Invalid image file: ${String(val)}`, { input_name: name });
        } else if (!type.includes(val)) {
          const shown = type.length > 20 ? `[${type.slice(0, 20).map((t) => `'${t}'`).join(', ')}, ...]` : `[${type.map((t) => `'${t}'`).join(', ')}]`;
          err('value_not_in_list', 'Value not in list', `${name}: '${String(val)}' not in ${shown}`, { input_name: name, received_value: val });
        }
        continue;
      }
      if (type === 'INT' || type === 'FLOAT') {
        const num = typeof val === 'number' ? val : typeof val === 'string' && val.trim() !== '' ? Number(val) : NaN;
        if (!Number.isFinite(num) || (type === 'INT' && !Number.isInteger(num))) {
          err('invalid_input_type', `Failed to convert an input value to a ${type} value`, `${name}, ${String(val)}, could not convert`, { input_name: name, received_value: val });
        } else if (o.min !== undefined && num < o.min) {
          err('value_smaller_than_min', `Value ${num} smaller than min of ${o.min}`, name, { input_name: name, received_value: val });
        } else if (o.max !== undefined && num > o.max) {
          err('value_bigger_than_max', `Value ${num} bigger than max of ${o.max}`, name, { input_name: name, received_value: val });
        }
      } else if (type === 'STRING' && typeof val !== 'string') {
        err('invalid_input_type', 'Failed to convert an input value to a STRING value', `${name}, ${String(val)}`, { input_name: name });
      } else if (type === 'BOOLEAN' && typeof val !== 'boolean') {
        err('invalid_input_type', 'Failed to convert an input value to a BOOLEAN value', `${name}, ${String(val)}`, { input_name: name });
      } else if (!['INT', 'FLOAT', 'STRING', 'BOOLEAN'].includes(String(type))) {
        err('required_input_missing', 'Required input is missing', name, { input_name: name });
      }
    }
    if (errors.length) nodeErrors[id] = { errors, dependent_outputs: outputsIds, class_type: cls };
  }
  if (Object.keys(nodeErrors).length) return top('prompt_outputs_failed_validation', 'Prompt outputs failed validation', '', nodeErrors);
  return null;
}

/**
 * The fake's "generation": the scene of LoadImage node 2 with the pose map of node 5 painted into the mask of
 * node 3 (pose pixels where the map is not black, a flat tone elsewhere in the mask).
 */
async function resultImage(graph: Graph, inputs: Map<string, Buffer>): Promise<Buffer> {
  const load = async (nodeId: string): Promise<{ data: Buffer; width: number; height: number }> => {
    const name = String(graph[nodeId]?.inputs?.image ?? '');
    const bytes = inputs.get(name);
    if (!bytes) throw new Error(`fake ComfyUI: no input ${name}`);
    const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  };
  const scene = await load('2');
  const mask = await load('3');
  const pose = await load('5');
  const out = Buffer.from(scene.data);
  const w = Math.min(scene.width, mask.width, pose.width);
  const h = Math.min(scene.height, mask.height, pose.height);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const m = mask.data[(y * mask.width + x) * 3];
      if (m < 128) continue;
      const o = (y * scene.width + x) * 3;
      const p = (y * pose.width + x) * 3;
      const lit = pose.data[p] + pose.data[p + 1] + pose.data[p + 2] > 0;
      out[o] = lit ? pose.data[p] : 190;
      out[o + 1] = lit ? pose.data[p + 1] : 160;
      out[o + 2] = lit ? pose.data[p + 2] : 140;
    }
  }
  // SD works on multiples of 8: the result is cropped like VAEEncode crops
  const cw = Math.floor(scene.width / 8) * 8;
  const ch = Math.floor(scene.height / 8) * 8;
  return sharp(out, { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .extract({ left: 0, top: 0, width: cw, height: ch }).png().toBuffer();
}
