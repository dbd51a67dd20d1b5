/**
 * Node-only: choose the backbone a model was trained with. `mobilenet_v2` is the frozen MobileNetV2 of the `nsfwjs`
 * package; `tfjs_dir` is any tfjs LayersModel in a local directory (model.json + weight shards), e.g. a converted
 * ResNet of the paper's shape, cut at `backboneLayers` = [stride-16 map, last map].
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FormatError, UsageError } from '../errors.ts';
import { mobileNetV2Backbone, tfjsDirBackbone, type Backbone } from './features.ts';
import type { ModelConfig } from './types.ts';

/** A tfjs IOHandler that reads a LayersModel directory from disk (pure tfjs has no file:// loader in Node). */
export function fileModelHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      let json: { modelTopology: unknown; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>; format?: string };
      try {
        json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      } catch (err) {
        throw new UsageError(`backbone model not readable: ${join(dir, 'model.json')} (${(err as Error).message.split('\n')[0]})`);
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new FormatError(`${join(dir, 'model.json')} is not a tfjs LayersModel`);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const parts: Uint8Array[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) parts.push(new Uint8Array(await readFile(join(dir, p))));
      }
      const total = parts.reduce((a, b) => a + b.byteLength, 0);
      const data = new Uint8Array(total);
      let o = 0;
      for (const p of parts) { data.set(p, o); o += p.byteLength; }
      return { modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: specs, weightData: data.buffer, format: json.format };
    },
  };
}

/** The backbone a model config names. */
export async function loadBackbone(config: ModelConfig): Promise<Backbone> {
  if (config.backbone === 'tfjs_dir') {
    if (!config.backboneDir || !config.backboneLayers) throw new FormatError('a tfjs_dir backbone needs backboneDir and backboneLayers in the model config');
    return tfjsDirBackbone(fileModelHandler(config.backboneDir), config.backboneLayers[0], config.backboneLayers[1]);
  }
  return mobileNetV2Backbone(config.backboneInput);
}
