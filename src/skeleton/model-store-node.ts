/**
 * Node-only: model directories on disk (config.json + weights.bin [+ baseline.json.gz, training state]).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { FormatError, UsageError } from '../errors.ts';
import { parseJsonText } from '../data/formats.ts';
import { writeOutputs } from '../io/atomic.ts';
import { deserializeModel, packTensors, parseModelMeta, serializeModel, type ModelMeta } from './model-io.ts';
import type { Diffuser } from './diffuser.ts';
import type { BaselineStats } from './baselines.ts';
import type { NamedTensor } from './train.ts';
import * as tf from '@tensorflow/tfjs';

/** The shipped model: models/default at the package root. */
export const DEFAULT_MODEL_DIR = resolve(fileURLToPath(new URL('../../models/default', import.meta.url)));

async function readOr(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} not found: ${path}${code && code !== 'ENOENT' ? ` (${code})` : ''}`);
  }
}

/** Read config.json of a model directory (checked). */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  const file = join(dir, 'config.json');
  const text = (await readOr(file, 'model config')).toString('utf8');
  return parseModelMeta(parseJsonText(text, file), file);
}

const cache = new Map<string, Promise<{ model: Diffuser; meta: ModelMeta }>>();

/** Load a model directory as a new model the caller owns (and disposes). One-line errors as loadModelDir. */
export async function readModelDir(dir: string): Promise<{ model: Diffuser; meta: ModelMeta }> {
  const abs = resolve(dir);
  const meta = await readModelMeta(abs);
  const bin = await readOr(join(abs, 'weights.bin'), 'model weights');
  return { model: deserializeModel(meta, new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength), join(abs, 'weights.bin')), meta };
}

/**
 * Load a model directory (cached per absolute path: shared, so never dispose it). Corrupt or wrong-version
 * directories give one-line errors.
 */
export function loadModelDir(dir = DEFAULT_MODEL_DIR): Promise<{ model: Diffuser; meta: ModelMeta }> {
  const abs = resolve(dir);
  let p = cache.get(abs);
  if (!p) {
    p = readModelDir(abs);
    p.catch(() => cache.delete(abs));
    cache.set(abs, p);
  }
  return p;
}

/**
 * The baseline statistics file of a model directory. Gzipped: the nearest-sample entries of a 64,000-scene training
 * set are 20 MB of JSON, 6 MB compressed. Directories written before read as plain `baseline.json`.
 */
export const BASELINE_FILE = 'baseline.json.gz';
const PLAIN_BASELINE_FILE = 'baseline.json';

/** Read a file, or null when it does not exist. */
async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Baseline statistics stored with a model (baseline.json.gz, or an older directory's baseline.json), or null. */
export async function readBaselineStats(dir: string): Promise<BaselineStats | null> {
  let file = join(dir, BASELINE_FILE);
  let bytes = await readIfExists(file);
  if (bytes) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new FormatError(`${file} is not a gzip file (${(err as Error).message})`);
    }
  } else {
    file = join(dir, PLAIN_BASELINE_FILE);
    bytes = await readIfExists(file);
    if (!bytes) return null;
  }
  const j = parseJsonText(bytes.toString('utf8'), file) as BaselineStats;
  if (!Array.isArray(j?.meanPose) || !Array.isArray(j?.entries)) throw new FormatError(`${file} lacks meanPose/entries`);
  return j;
}

/** Training state saved beside a checkpoint. */
export interface TrainState {
  step: number; steps: number; options: Record<string, unknown>;
  /** Wall-clock seconds of training up to this checkpoint, summed over the runs that resumed it (absent before). */
  seconds?: number;
}

/** Write a model (and optionally optimiser state, training state and baseline stats) into `dir`, all or nothing. */
export async function saveModelDir(dir: string, model: Diffuser, o: {
  training?: Record<string, unknown>; optimizer?: NamedTensor[]; state?: TrainState; baseline?: BaselineStats; extra?: Record<string, string>;
} = {}): Promise<void> {
  const { json, bin } = serializeModel(model, o.training);
  const files: Record<string, string | Uint8Array> = { 'config.json': json, 'weights.bin': bin, ...(o.extra ?? {}) };
  if (o.optimizer) {
    const packed = packTensors(o.optimizer.map((n) => [n.name, n.tensor] as [string, tf.Tensor]));
    files['optimizer.bin'] = packed.bin;
    files['optimizer.json'] = JSON.stringify(packed.manifest);
  }
  if (o.state) files['train-state.json'] = JSON.stringify(o.state, null, 1) + '\n';
  if (o.baseline) files[BASELINE_FILE] = gzipSync(JSON.stringify(o.baseline));
  await writeOutputs(dir, files);
  cache.delete(resolve(dir));
}

/** Read a checkpoint's optimiser and training state (null when absent). */
export async function readCheckpointState(dir: string): Promise<{ state: TrainState; optimizer: NamedTensor[] } | null> {
  let stateText: string, manifestText: string, bin: Buffer;
  try {
    stateText = await readFile(join(dir, 'train-state.json'), 'utf8');
    manifestText = await readFile(join(dir, 'optimizer.json'), 'utf8');
    bin = await readFile(join(dir, 'optimizer.bin'));
  } catch {
    return null;
  }
  const state = parseJsonText(stateText, join(dir, 'train-state.json')) as TrainState;
  const manifest = parseJsonText(manifestText, join(dir, 'optimizer.json')) as Array<{ name: string; shape: number[]; offset: number }>;
  const data = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const optimizer = manifest.map((m) => ({ name: m.name, tensor: tf.tensor(data.slice(m.offset, m.offset + m.shape.reduce((a, b) => a * b, 1)), m.shape) }));
  return { state, optimizer };
}
