/**
 * The tensor runtime: one place that sets up TensorFlow.js for Node and the browser.
 *
 * Node default: `@tensorflow/tfjs` on the wasm backend (verified after `setBackend`, which silently falls back),
 * then cpu. Opt-in native backend: `PINPLACE_BACKEND=tensorflow` loads `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node` when the user installed one; otherwise it falls back to wasm with a message.
 * Opt-in WebGPU in Node: `PINPLACE_BACKEND=webgpu` with the user-installed packages `webgpu` (Dawn, prebuilt inside
 * the npm package) and `@tensorflow/tfjs-backend-webgpu`. WebGPU in Node has no synchronous reads, so only code that
 * reads tensors with `await data()` runs there (the mesh fitter's gradient solver); a synchronous read fails with a
 * one-line BackendError naming the fix.
 * Browser: webgpu/webgl when asked, wasm otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BackendError } from './errors.ts';

export type BackendName = 'wasm' | 'cpu' | 'tensorflow' | 'webgl' | 'webgpu';

export interface BackendInfo {
  /** The backend that runs (`tf.getBackend()` after setting it). */
  backend: string;
  /** What was asked for. */
  requested: BackendName;
  /** Human-readable line: which backend runs and why. */
  message: string;
  /** Set when the requested backend was not available. */
  fallbackReason?: string;
}

export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow', 'webgl', 'webgpu'];
const IS_NODE = typeof process !== 'undefined' && !!process.versions?.node;

let current: Promise<BackendInfo> | null = null;
let currentRequest: BackendName | null = null;

/** Native packages tried, in order, for `tensorflow`. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** Loader for the native packages; replaceable in tests. */
export let importNative: (name: string) => Promise<unknown> = (name) => import(/* @vite-ignore */ name);
export function setNativeImporter(fn: (name: string) => Promise<unknown>): void {
  importNative = fn;
}

async function trySet(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

function parseRequest(value: string | undefined): BackendName {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'wasm';
  if (v === 'native' || v === 'node' || v === 'tfjs-node' || v === 'gpu') return 'tensorflow';
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  throw new BackendError(`PINPLACE_BACKEND must be one of ${BACKEND_NAMES.join(', ')}, got "${value}"`);
}

async function setup(requested: BackendName): Promise<BackendInfo> {
  const fallbacks: string[] = [];
  if (requested === 'tensorflow') {
    for (const pkg of NATIVE_PACKAGES) {
      try {
        await importNative(pkg);
        if (await trySet('tensorflow')) {
          return { backend: 'tensorflow', requested, message: `tfjs backend: tensorflow (native, from ${pkg})` };
        }
        fallbacks.push(`${pkg} loaded but the tensorflow backend did not start`);
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err instanceof Error ? err.message.split('\n')[0] : String(err));
        fallbacks.push(`${pkg} unavailable: ${code}`);
      }
    }
  } else if (requested === 'webgl' || requested === 'webgpu') {
    if (requested === 'webgpu') {
      const missing = IS_NODE ? await installNodeWebGpu() : null;
      if (missing) fallbacks.push(missing);
      try { await importNative('@tensorflow/tfjs-backend-webgpu'); } catch { fallbacks.push('@tensorflow/tfjs-backend-webgpu is not installed'); }
    }
    if (fallbacks.length === 0 && await trySet(requested)) {
      if (requested === 'webgpu' && IS_NODE) refuseSyncReads();
      return { backend: requested, requested, message: `tfjs backend: ${requested}${adapterNote()}` };
    }
    fallbacks.push(`${requested} could not start`);
  } else if (requested === 'cpu') {
    if (await trySet('cpu')) return { backend: 'cpu', requested, message: 'tfjs backend: cpu' };
  }
  if (IS_NODE && requested !== 'cpu') {
    // tfjs-backend-wasm finds its .wasm files next to its own module in Node; nothing to configure.
  }
  if (await trySet('wasm')) {
    const reason = fallbacks.join('; ');
    return {
      backend: 'wasm', requested,
      message: reason ? `tfjs backend: wasm (falling back from ${requested}: ${reason})` : 'tfjs backend: wasm',
      ...(reason ? { fallbackReason: reason } : {}),
    };
  }
  fallbacks.push('wasm could not start');
  if (await trySet('cpu')) {
    const reason = fallbacks.join('; ');
    return { backend: 'cpu', requested, message: `tfjs backend: cpu (falling back from ${requested}: ${reason})`, fallbackReason: reason };
  }
  throw new BackendError(`no tfjs backend could start (${fallbacks.join('; ')})`);
}

/** The `webgpu` package's Dawn bindings: `create(flags)` gives a GPU object (navigator.gpu); `globals` the GPU* enums. */
interface DawnModule { create(flags: string[]): unknown; globals: Record<string, unknown> }

/**
 * Node: give tfjs-backend-webgpu what a browser has (navigator.gpu and the GPU* globals) from the optional `webgpu`
 * package. Must run before tfjs-backend-webgpu is imported (it registers itself only where navigator.gpu exists).
 * Returns why it could not, or null.
 */
async function installNodeWebGpu(): Promise<string | null> {
  const g = globalThis as Record<string, unknown> & { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return null;
  let dawn: DawnModule;
  try {
    dawn = (await importNative('webgpu')) as DawnModule;
  } catch {
    return 'the webgpu package is not installed (npm install webgpu @tensorflow/tfjs-backend-webgpu)';
  }
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
  const gpu = dawn.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else g.navigator = { gpu };
  return null;
}

/** WebGPU in Node cannot read a tensor synchronously (the browser path needs OffscreenCanvas): say so in one line. */
function refuseSyncReads(): void {
  const backend = tf.backend() as unknown as { readSync(id: unknown): unknown };
  const read = backend.readSync.bind(backend);
  backend.readSync = (id: unknown) => {
    // values already on the CPU come back as they are; only a read from GPU memory needs the canvas
    try {
      return read(id);
    } catch (err) {
      if (!(err instanceof ReferenceError)) throw err;
      throw new BackendError('this step reads tensors synchronously, which WebGPU in Node cannot; run it on wasm (unset PINPLACE_BACKEND)');
    }
  };
}

/** ` (adapter: vendor architecture)` for WebGPU when the adapter says, else ''. */
function adapterNote(): string {
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string; description?: string } }).adapterInfo;
  const words = [info?.vendor, info?.architecture, info?.description].filter((w) => w).join(' ');
  return words ? ` (adapter: ${words})` : '';
}

/**
 * Set up the tensor backend once. `requested` defaults to `PINPLACE_BACKEND` (Node) or wasm.
 * Calling again with the same request returns the same promise; a different request switches backend.
 */
export function initBackend(requested?: BackendName | string): Promise<BackendInfo> {
  const want = parseRequest(requested ?? (IS_NODE ? process.env.PINPLACE_BACKEND : undefined));
  if (current && currentRequest === want) return current;
  currentRequest = want;
  current = setup(want).catch((err) => {
    current = null;
    currentRequest = null;
    throw err;
  });
  return current;
}

export { tf };
