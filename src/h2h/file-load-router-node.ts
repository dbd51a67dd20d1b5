/**
 * A tfjs `io` load router for `file://` URLs under one folder (Node only): reads `model.json` and its weight shards
 * with `fs`. Pure tfjs has no file handler in Node (tfjs-node has one), so models that are addressed by `file://`
 * URLs, like @vladmandic/human's, load through this.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../backend.ts';
import { FormatError } from '../errors.ts';

const registered = new Set<string>();

/** Read a tfjs model.json and its shards into ModelArtifacts. */
export function readModelArtifacts(path: string): tf.io.ModelArtifacts {
  let json: { modelTopology?: unknown; weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>; [k: string]: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FormatError(`cannot read model ${path} (${(err as Error).message.split('\n')[0]})`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new FormatError(`model ${path} is not a tfjs model.json (modelTopology and weightsManifest are required)`);
  }
  const dir = dirname(path);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) shards.push(readFileSync(join(dir, p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    format: json.format as string | undefined,
    generatedBy: json.generatedBy as string | undefined,
    convertedBy: json.convertedBy as string | null | undefined,
    signature: json.signature as object | undefined,
    userDefinedMetadata: json.userDefinedMetadata as Record<string, object> | undefined,
    weightSpecs: specs,
    weightData,
  };
}

/** `file://` URL -> absolute path. */
function urlToPath(url: string): string {
  return url.startsWith('file:///') ? fileURLToPath(url) : resolve(url.slice('file://'.length));
}

/**
 * Register (once per folder) a load router that answers `file://` URLs inside `root` and nothing else, so it never
 * competes with another handler for other URLs.
 */
export function registerFileLoadRouter(root: string): void {
  const base = resolve(root);
  if (registered.has(base)) return;
  registered.add(base);
  const router = (url: string | string[]): tf.io.IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const path = urlToPath(url);
    if (!path.startsWith(base + sep)) return null;
    return { load: async () => readModelArtifacts(path) } as tf.io.IOHandler;
  };
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
}
