/**
 * The model directory format, as bytes (no file access here; see model-store-node.ts):
 * `config.json` = { format, version, config, training?, weights: [{name, shape, offset}] } and `weights.bin`
 * (little-endian float32, concatenated in manifest order).
 */
import * as tf from '@tensorflow/tfjs';
import { FormatError } from '../errors.ts';
import { DEFAULT_MODEL_CONFIG, MAX_HYPOTHESES, MODEL_FORMAT, MODEL_FORMAT_VERSION } from './constants.ts';
import { Diffuser } from './diffuser.ts';
import type { ModelConfig } from './types.ts';
import { JOINT_SPACES } from './calculators/joint-space.ts';

export interface WeightEntry { name: string; shape: number[]; offset: number }

/** config.json of a model directory. */
export interface ModelMeta {
  format: string;
  version: number;
  config: ModelConfig;
  /** Free-form record of how the model was trained (data, command, steps, metrics). */
  training?: Record<string, unknown>;
  weights: WeightEntry[];
}

/** Named float32 tensors -> manifest + one buffer. */
export function packTensors(named: Array<[string, tf.Tensor]>): { manifest: WeightEntry[]; bin: Uint8Array } {
  const manifest: WeightEntry[] = [];
  let total = 0;
  for (const [name, t] of named) { manifest.push({ name, shape: t.shape, offset: total }); total += t.size; }
  const data = new Float32Array(total);
  named.forEach(([, t], i) => data.set(t.dataSync() as Float32Array, manifest[i].offset));
  return { manifest, bin: new Uint8Array(data.buffer) };
}

/** Serialize a model: config.json text and weights.bin bytes. */
export function serializeModel(model: Diffuser, training?: Record<string, unknown>): { json: string; bin: Uint8Array } {
  const { manifest, bin } = packTensors(model.params.entries());
  const meta: ModelMeta = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, config: model.config, training, weights: manifest };
  return { json: JSON.stringify(meta, null, 1) + '\n', bin };
}

/** Parse and check config.json (format, version, config fields). */
export function parseModelMeta(json: unknown, source: string): ModelMeta {
  const m = json as Partial<ModelMeta> | null;
  if (!m || typeof m !== 'object') throw new FormatError(`${source} is not a model config (expected a JSON object)`);
  if (m.format !== MODEL_FORMAT) throw new FormatError(`${source} is not a ${MODEL_FORMAT} model (format ${JSON.stringify(m.format)})`);
  if (m.version !== MODEL_FORMAT_VERSION) throw new FormatError(`${source} has model format version ${JSON.stringify(m.version)}; this version of person-in-place reads version ${MODEL_FORMAT_VERSION}`);
  if (!m.config || typeof m.config !== 'object' || !Array.isArray(m.weights)) throw new FormatError(`${source} lacks "config" or "weights"`);
  // models written before the input size was recorded ran MobileNetV2 at its native 224 px
  const config = { ...DEFAULT_MODEL_CONFIG, ...{ backboneInput: 224 }, ...m.config } as ModelConfig;
  for (const k of ['embedDim', 'heads', 'depth', 'mlpRatio', 'gridSize', 'imageFeatureDim', 'objectFeatureDim', 'objectHidden', 'timesteps'] as const) {
    if (!Number.isInteger(config[k]) || config[k] <= 0) throw new FormatError(`${source}: config.${k} must be a positive integer, got ${JSON.stringify(config[k])}`);
  }
  if (!['associative', 'plain', 'none'].includes(config.attention)) throw new FormatError(`${source}: config.attention must be associative, plain or none`);
  if (config.jointSpace !== undefined && !JOINT_SPACES.includes(config.jointSpace)) throw new FormatError(`${source}: config.jointSpace must be crop or person, got ${JSON.stringify(config.jointSpace)}`);
  if (config.hypotheses !== undefined && !(Number.isInteger(config.hypotheses) && config.hypotheses >= 1 && config.hypotheses <= MAX_HYPOTHESES)) throw new FormatError(`${source}: config.hypotheses must be an integer in [1, ${MAX_HYPOTHESES}], got ${JSON.stringify(config.hypotheses)}`);
  if (config.hypothesisAssign !== undefined && !['nearest', 'hand'].includes(config.hypothesisAssign)) throw new FormatError(`${source}: config.hypothesisAssign must be nearest or hand, got ${JSON.stringify(config.hypothesisAssign)}`);
  if (config.hypothesisAssign === 'hand' && config.hypotheses !== 2) throw new FormatError(`${source}: config.hypothesisAssign "hand" needs config.hypotheses 2`);
  if (config.jointSpace === 'person' && !config.personPosition) throw new FormatError(`${source}: config.jointSpace "person" needs config.personPosition`);
  return { ...(m as ModelMeta), config };
}

/** Build a model from config.json (parsed) and weights.bin; every parameter must be present with its shape. */
export function deserializeModel(meta: ModelMeta, bin: Uint8Array, source: string): Diffuser {
  const model = new Diffuser(meta.config);
  try {
    if (bin.byteLength % 4 !== 0) throw new FormatError(`${source}: weights.bin has ${bin.byteLength} bytes, not a whole number of float32 values`);
    const data = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    const byName = new Map(meta.weights.map((w) => [w.name, w]));
    for (const [name, v] of model.params.entries()) {
      const w = byName.get(name);
      if (!w) throw new FormatError(`${source}: weights.bin lacks parameter "${name}"`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.shape.join(',') !== v.shape.join(',') || w.offset + n > data.length) {
        throw new FormatError(`${source}: parameter "${name}" has shape [${w.shape}] at ${w.offset}, expected [${v.shape}] within ${data.length} values`);
      }
      const vals = data.subarray(w.offset, w.offset + n);
      for (let i = 0; i < n; i++) if (!Number.isFinite(vals[i])) throw new FormatError(`${source}: parameter "${name}" holds a non-finite value`);
      v.assign(tf.tensor(vals, v.shape));
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}
