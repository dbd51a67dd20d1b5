/**
 * Image features for the diffuser, from a pluggable backbone: a global vector (last map, average-pooled; the
 * paper's x4 path) and a mid-level map for ROI-Align of the object box (the paper's x3 path).
 *
 * Default backbone: the ImageNet-derived MobileNetV2 whose weights ship inside the `nsfwjs` npm package (frozen;
 * at the default 160 px input `block_12_add` 10x10x96 is the mid map and `out_relu` 5x5x1280, average-pooled, the
 * global feature; at 224 px they are 14x14 and 7x7). A user can plug a
 * ResNet of the paper's shape (or any tfjs LayersModel) from a local tfjs model directory: `tfjsDirBackbone`.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKBONE_INPUT } from './constants.ts';
import { cropTransform, personCropRegion, warpAffine, type RasterImage } from './calculators/crop.ts';
import type { Box } from './calculators/box.ts';
import { BackendError } from '../errors.ts';

/** A frozen feature extractor. */
export interface Backbone {
  name: string;
  /** Square input side in pixels. */
  inputSize: number;
  globalDim: number;
  mapDim: number;
  /** Side of the mid-level map. */
  mapSize: number;
  /** [B, S, S, 3] in [0, 1] -> global [B, globalDim] and map [B, mapSize, mapSize, mapDim]. */
  extract(batch: tf.Tensor4D): { global: tf.Tensor2D; map: tf.Tensor4D };
  dispose(): void;
}

/**
 * Wrap a LayersModel cut at two layers (mid map, last map) as a Backbone. With `inputSize` the layer graph is
 * replayed on a new square input of that side (convolutional layers do not depend on the spatial size).
 */
export function backboneFromLayers(name: string, model: tf.LayersModel, mapLayer: string, lastLayer: string, inputSize?: number): Backbone {
  let cut: tf.LayersModel;
  if (inputSize) {
    const input = tf.input({ shape: [inputSize, inputSize, 3] });
    const outs = new Map<string, tf.SymbolicTensor>();
    let mid: tf.SymbolicTensor | undefined, last: tf.SymbolicTensor | undefined;
    for (const layer of model.layers) {
      const node = (layer as unknown as { inboundNodes: Array<{ inboundLayers: tf.layers.Layer[] }> }).inboundNodes[0];
      if (!node.inboundLayers.length) { outs.set(layer.name, input); continue; }
      const ins = node.inboundLayers.map((l) => outs.get(l.name)!);
      const out = layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
      outs.set(layer.name, out);
      if (layer.name === mapLayer) mid = out;
      if (layer.name === lastLayer) { last = out; break; }
    }
    if (!mid || !last) throw new BackendError(`backbone ${name} has no layers ${mapLayer} and ${lastLayer}`);
    cut = tf.model({ inputs: input, outputs: [mid, last] });
  } else {
    cut = tf.model({
      inputs: model.inputs,
      outputs: [model.getLayer(mapLayer).output as tf.SymbolicTensor, model.getLayer(lastLayer).output as tf.SymbolicTensor],
    });
  }
  const inShape = cut.inputs[0].shape;
  const [mapShape, lastShape] = cut.outputs.map((o) => o.shape);
  const side = (inShape[1] ?? BACKBONE_INPUT) as number;
  return {
    name: `${name}@${side}`,
    inputSize: side,
    globalDim: lastShape[3] as number,
    mapDim: mapShape[3] as number,
    mapSize: mapShape[1] as number,
    extract(batch) {
      return tf.tidy(() => {
        const [map, last] = cut.predict(batch) as tf.Tensor4D[];
        return { global: tf.mean(last, [1, 2]) as tf.Tensor2D, map };
      });
    },
    dispose() { model.dispose(); },
  };
}

const mobilenets = new Map<number, Promise<Backbone>>();

/**
 * The frozen MobileNetV2 shipped in the `nsfwjs` package (loads offline; cached per process and input size).
 * `inputSize` (default BACKBONE_INPUT = 160) resamples the crop; 224 is the network's native size.
 */
export function mobileNetV2Backbone(inputSize = BACKBONE_INPUT): Promise<Backbone> {
  let mobilenet = mobilenets.get(inputSize);
  if (!mobilenet) {
    mobilenet = (async () => {
      const info = console.info;
      console.info = () => {}; // nsfwjs announces the model on stdout
      try {
        const nsfw = await import('nsfwjs');
        const m = (await nsfw.load('MobileNetV2')) as unknown as { model: tf.LayersModel };
        return backboneFromLayers('mobilenet_v2', m.model, 'block_12_add', 'out_relu', inputSize === 224 ? undefined : inputSize);
      } catch (err) {
        mobilenets.delete(inputSize);
        throw new BackendError(`the MobileNetV2 backbone (nsfwjs package) could not be loaded: ${(err as Error).message.split('\n')[0]}`);
      } finally {
        console.info = info;
      }
    })();
    mobilenets.set(inputSize, mobilenet);
  }
  return mobilenet;
}

/**
 * A backbone from a tfjs LayersModel (e.g. a converted ResNet-101 of the paper's shape). `mapLayer` should be a
 * stride-16 map (ResNet layer3), `lastLayer` the last map (layer4).
 */
export async function tfjsDirBackbone(handler: tf.io.IOHandler | string, mapLayer: string, lastLayer: string): Promise<Backbone> {
  const model = await tf.loadLayersModel(handler);
  return backboneFromLayers('tfjs_dir', model, mapLayer, lastLayer);
}

/** Features of one person crop: global [globalDim] and the mid map [mapSize * mapSize * mapDim] (HWC). */
export interface CropFeatures { global: Float32Array; map: Float32Array }

/**
 * Warp each (image, person box) to the paper's crop region resampled at the backbone's input size, run the backbone
 * in batches, and return plain arrays. Pixels are RGB / 255 (no mean/std), as in the paper.
 */
export async function cropFeatures(
  backbone: Backbone, items: Array<{ image: RasterImage; personBox: Box }>, batchSize = 16,
): Promise<CropFeatures[]> {
  const out: CropFeatures[] = [];
  const S = backbone.inputSize;
  for (let i = 0; i < items.length; i += batchSize) {
    const chunk = items.slice(i, i + batchSize);
    const buf = new Float32Array(chunk.length * S * S * 3);
    chunk.forEach((it, k) => {
      const region = personCropRegion(it.personBox, it.image.width, it.image.height);
      if (!region) throw new RangeError('cropFeatures(): the person box is outside the image');
      const warped = warpAffine(it.image, cropTransform(region, S).toImage, S);
      const off = k * S * S * 3;
      for (let j = 0; j < warped.data.length; j++) buf[off + j] = warped.data[j] / 255;
    });
    const input = tf.tensor4d(buf, [chunk.length, S, S, 3]);
    const { global, map } = backbone.extract(input);
    const g = global.dataSync() as Float32Array;
    const m = map.dataSync() as Float32Array;
    input.dispose(); global.dispose(); map.dispose();
    const gd = backbone.globalDim, md = backbone.mapSize * backbone.mapSize * backbone.mapDim;
    for (let k = 0; k < chunk.length; k++) out.push({ global: g.slice(k * gd, (k + 1) * gd), map: m.slice(k * md, (k + 1) * md) });
  }
  return out;
}
