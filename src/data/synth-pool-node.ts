/**
 * Node-only: a small pool of worker threads that generate synthetic samples in parallel (each worker loads the
 * TypeScript sources through tsx). The pool lives for the process (workers are unref'd, so they never keep it
 * alive) and is reused by later calls. When workers cannot start, callers fall back to the main thread.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SceneOptions } from './scene.ts';
import type { SynthSample } from './types.ts';

interface Slot {
  worker: Worker;
  busy: number;
}

let pool: Promise<Slot[] | null> | null = null;
let poolSize = 0;

/** Default number of generator threads: the machine's cores. */
export function defaultSynthWorkers(): number {
  return Math.max(1, availableParallelism());
}

function start(n: number): Promise<Slot[] | null> {
  let tsxApi: string;
  try {
    tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  } catch {
    return Promise.resolve(null);
  }
  const script = new URL('./synth-worker-node.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); });`;
  const slots = Array.from({ length: n }, () => ({ worker: new Worker(code, { eval: true }), busy: 0 }));
  return Promise.all(slots.map((s) => new Promise<boolean>((res) => {
    const onMsg = (m: { ready?: boolean }) => { if (m?.ready) { cleanup(); res(true); } };
    const onErr = () => { cleanup(); res(false); };
    const cleanup = () => { s.worker.off('message', onMsg); s.worker.off('error', onErr); s.worker.off('exit', onErr); };
    s.worker.on('message', onMsg);
    s.worker.once('error', onErr);
    s.worker.once('exit', onErr);
  }))).then((ok) => {
    for (const s of slots) s.worker.unref();
    if (ok.every(Boolean)) return slots;
    for (const s of slots) void s.worker.terminate();
    return null;
  });
}

/** The process-wide pool of `n` workers (started on first use; restarted when `n` changes); null if unavailable. */
export function synthPool(n: number): Promise<Slot[] | null> {
  if (!pool || poolSize !== n) {
    const old = pool;
    if (old) void old.then((s) => s?.forEach((x) => void x.worker.terminate()));
    poolSize = n;
    pool = start(n);
  }
  return pool;
}

/** Generate one sample on the least busy worker. */
export function generateOn(slots: Slot[], job: SceneOptions): Promise<SynthSample> {
  const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  slot.busy++;
  slot.worker.ref();
  return new Promise<SynthSample>((resolve, reject) => {
    const onMsg = (m: { ok?: boolean; sample?: SynthSample; index?: number; error?: string; ready?: boolean }) => {
      if (m.ready) return;
      if (m.ok && m.sample?.index !== job.index) return; // another job's answer
      if (!m.ok && m.index !== job.index) return;
      slot.worker.off('message', onMsg);
      slot.worker.off('error', onErr);
      slot.busy--;
      if (slot.busy === 0) slot.worker.unref();
      if (m.ok) resolve({ ...m.sample!, rgb: new Uint8Array(m.sample!.rgb.buffer) });
      else reject(new Error(m.error));
    };
    const onErr = (err: Error) => {
      slot.worker.off('message', onMsg);
      slot.busy--;
      reject(err);
    };
    slot.worker.on('message', onMsg);
    slot.worker.once('error', onErr);
    slot.worker.postMessage(job);
  });
}
