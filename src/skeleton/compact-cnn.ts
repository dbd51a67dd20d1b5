/**
 * A compact CNN trained together with the diffuser (the alternative to a frozen pretrained backbone; see
 * docs/model.md "Backbone choice"). Built only from reshape, transpose and matMul so that its weights get gradients
 * on wasm, which has no conv weight gradients: every stage is a non-overlapping patch merge (space-to-depth, the
 * strided convolution of ViT's patch embedding and ConvNeXt's downsampling layers, written as a matMul) followed by
 * a residual per-pixel MLP.
 *
 *   input [B, S, S, 3] (S = 128, RGB / 255)
 *   stem:    8x8 patches -> [B, S/8, S/8, 64] + MLP     = the mid map for ROI-Align (stride 16 in the 256 crop)
 *   stage 2: 2x2 patches -> [B, S/16, S/16, 128] + MLP  -> average-pooled global feature
 */
import * as tf from '@tensorflow/tfjs';
import { gelu, layerNorm, linear, mulberry32, ParamStore } from './layers.ts';
import type { Backbone } from './features.ts';

export interface CompactCnnConfig {
  /** Square input side (a multiple of 16). */
  inputSize: number;
  /** Channels of the mid map and of the last map. */
  channels: [number, number];
}

export const DEFAULT_COMPACT_CNN: CompactCnnConfig = { inputSize: 128, channels: [64, 128] };

/** [B, H, W, C] -> [B, H/p, W/p, p*p*C]: each p x p patch becomes one pixel (row, col, channel order). */
export function spaceToDepth(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  const y = tf.reshape(x, [B, H / p, p, W / p, p, C]);
  return tf.reshape(tf.transpose(y, [0, 1, 3, 2, 4, 5]), [B, H / p, W / p, p * p * C]) as tf.Tensor4D;
}

export class CompactCnn {
  readonly params = new ParamStore();

  constructor(readonly config: CompactCnnConfig = DEFAULT_COMPACT_CNN, seed = 1) {
    if (config.inputSize % 16) throw new RangeError(`CompactCnn: inputSize must be a multiple of 16, got ${config.inputSize}`);
    const rand = mulberry32(seed >>> 0);
    const p = this.params;
    const [c1, c2] = config.channels;
    const he = (fanIn: number) => Math.sqrt(2 / fanIn);
    p.add('s1.w', [64 * 3, c1], he(192), rand); p.add('s1.b', [c1], 'zeros', rand);
    p.add('s2.w', [4 * c1, c2], he(4 * c1), rand); p.add('s2.b', [c2], 'zeros', rand);
    for (const [s, c] of [['m1', c1], ['m2', c2]] as const) {
      p.add(`${s}.ln.g`, [c], 'ones', rand); p.add(`${s}.ln.b`, [c], 'zeros', rand);
      p.add(`${s}.fc1.w`, [c, 2 * c], he(c), rand); p.add(`${s}.fc1.b`, [2 * c], 'zeros', rand);
      p.add(`${s}.fc2.w`, [2 * c, c], 0.02, rand); p.add(`${s}.fc2.b`, [c], 'zeros', rand);
    }
  }

  /** Mid map [B, S/8, S/8, c1] and global feature [B, c2] of images [B, S, S, 3] in [0, 1]. */
  forward(images: tf.Tensor4D): { global: tf.Tensor2D; map: tf.Tensor4D } {
    const p = (n: string) => this.params.get(n);
    const mlp = (x: tf.Tensor, s: string) => tf.add(x, linear(gelu(linear(layerNorm(x, p(`${s}.ln.g`), p(`${s}.ln.b`)), p(`${s}.fc1.w`), p(`${s}.fc1.b`))), p(`${s}.fc2.w`), p(`${s}.fc2.b`)));
    const x0 = tf.sub(images, 0.5) as tf.Tensor4D;
    const map = mlp(gelu(linear(spaceToDepth(x0, 8), p('s1.w'), p('s1.b'))), 'm1') as tf.Tensor4D;
    const last = mlp(gelu(linear(spaceToDepth(map, 2), p('s2.w'), p('s2.b'))), 'm2');
    return { global: tf.mean(last, [1, 2]) as tf.Tensor2D, map };
  }

  /** The network as a frozen Backbone (inference: features for evaluation and generation). */
  asBackbone(name = 'compact_cnn'): Backbone {
    const S = this.config.inputSize;
    return {
      name: `${name}@${S}`, inputSize: S, globalDim: this.config.channels[1], mapDim: this.config.channels[0], mapSize: S / 8,
      extract: (batch) => tf.tidy(() => this.forward(batch)),
      dispose: () => this.params.dispose(),
    };
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.vars.values()) n += v.size;
    return n;
  }
}
