import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { mobileNetV2Backbone } from '../../src/skeleton/features.ts';
import { loadBackbone } from '../../src/skeleton/backbone-node.ts';
import { DEFAULT_MODEL_CONFIG } from '../../src/skeleton/constants.ts';
import { UsageError } from '../../src/errors.ts';

await initBackend('wasm');

describe('pluggable backbone (tfjs_dir)', () => {
  it('a LayersModel saved to a directory loads as the backbone and matches the built-in one', async () => {
    const info = console.info;
    console.info = () => {};
    const nsfw = await import('nsfwjs');
    const m = (await nsfw.load('MobileNetV2')) as unknown as { model: tf.LayersModel };
    console.info = info;
    const dir = mkdtempSync(join(tmpdir(), 'pinplace-bb-'));
    await m.model.save(tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: a.format, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const custom = await loadBackbone({ ...DEFAULT_MODEL_CONFIG, backbone: 'tfjs_dir', backboneDir: dir, backboneLayers: ['block_12_add', 'out_relu'] });
    const builtin = await mobileNetV2Backbone(224);
    expect([custom.inputSize, custom.mapSize, custom.mapDim, custom.globalDim]).toEqual([224, 14, 96, 1280]);
    const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const a = custom.extract(x), b = builtin.extract(x);
    expect(tf.max(tf.abs(tf.sub(a.global, b.global))).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(a.map, b.map))).dataSync()[0]).toBeLessThan(1e-4);
  });
  it('a missing directory is a one-line error', async () => {
    await expect(loadBackbone({ ...DEFAULT_MODEL_CONFIG, backbone: 'tfjs_dir', backboneDir: '/nonexistent/x', backboneLayers: ['a', 'b'] })).rejects.toThrow(UsageError);
  });
});
