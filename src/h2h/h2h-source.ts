/**
 * The training sample source of the h2h model: the skeleton trainer's FeatureSource (image and ROI features, targets,
 * flips) plus the partner tokens of each sample, flipped with the crop.
 */
import type { SampleSource } from '../skeleton/train.ts';
import type { FeatureSource } from '../skeleton/dataset-node.ts';
import type { TrainExample } from '../skeleton/types.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { flipPartner, partnerInCrop, partnerTokens } from './partner-tokens.ts';

export class H2hSource implements SampleSource {
  /** Tokens per kept sample: [plain, flipped], each [17 * E]. */
  private readonly tokens: Array<[Float32Array, Float32Array]>;

  /**
   * @param base features and targets of the samples (FeatureSource keeps those whose partner box is in the crop)
   * @param partners the partner of each sample of `base.samples` (same order), image pixels
   */
  constructor(readonly base: FeatureSource, partners: ReadonlyArray<{ box: readonly number[]; keypoints: readonly Keypoint[] }>) {
    const E = base.config.embedDim;
    this.tokens = base.indices.map((i) => {
      const crop = base.feats.targets[i]!.crop;
      const p = partnerInCrop(partners[i], crop.toCrop, crop.size);
      const f = flipPartner(p.joints, p.box);
      return [partnerTokens(p.joints, p.box, E), partnerTokens(f.joints, f.box, E)];
    });
  }

  get size(): number { return this.base.size; }

  example(k: number, flip: boolean): TrainExample {
    return { ...this.base.example(k, flip), extra: this.tokens[k][flip ? 1 : 0] };
  }
}
