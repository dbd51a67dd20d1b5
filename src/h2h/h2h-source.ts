/**
 * The training sample source of the h2h model: the skeleton trainer's FeatureSource (image and ROI features, targets,
 * flips) plus the partner tokens of each sample, flipped with the crop.
 *
 * Partner augmentation (beyond the data set): at inference the partner's skeleton usually comes from the detector,
 * a few percent of the body height off and with joints missed. Each sample therefore has VARIANTS versions of its
 * partner tokens: the exact skeleton, and versions with every joint moved by N(0, JITTER x partner box height) and
 * each joint dropped with probability DROP. Successive requests of a sample cycle through them (deterministic for a
 * deterministic request order).
 *
 * With the detector's view of each partner (detected-partners-node.ts), versions 1 and 3 are the detected skeleton
 * instead (exact, detected, perturbed, detected): half of the training then sees the partner as `pinplace detect`
 * gives it, with its missed hidden joints and misplaced arms, which random jitter does not imitate (its scores on the
 * data set's levels, detected-levels.ts, as `pinplace h2h` conditions on a detected partner).
 */
import type { SampleSource } from '../skeleton/train.ts';
import type { FeatureSource } from '../skeleton/dataset-node.ts';
import type { TrainExample } from '../skeleton/types.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { gaussian, mulberry32 } from '../skeleton/layers.ts';
import { flipPartner, partnerInCrop, partnerTokens } from './partner-tokens.ts';
import { detectedLevels } from './detected-levels.ts';

/** Partner-token versions per sample (1 exact + VARIANTS - 1 perturbed). */
export const VARIANTS = 4;
/** Joint jitter, fraction of the partner box height. */
export const JITTER = 0.02;
/** Probability that a perturbed version drops a joint. */
export const DROP = 0.1;

export interface H2hSourceOptions {
  /** Perturbed partner versions (default true; false: the exact partner only). */
  augment?: boolean;
  seed?: number;
  /**
   * The detector's skeleton of each partner (same order as `partners`, image pixels; null where it found none).
   * Used for versions 1 and 3 when augmenting.
   */
  detected?: ReadonlyArray<readonly Keypoint[] | null>;
}

export class H2hSource implements SampleSource {
  /** Tokens per kept sample and variant: [plain, flipped], each [17 * E]. */
  private readonly tokens: Array<Array<[Float32Array, Float32Array]>>;
  private readonly calls: Uint32Array;

  /**
   * @param base features and targets of the samples (FeatureSource keeps those whose partner box is in the crop)
   * @param partners the partner of each sample of `base.samples` (same order), image pixels
   */
  constructor(readonly base: FeatureSource, partners: ReadonlyArray<{ box: readonly number[]; keypoints: readonly Keypoint[] }>, o: H2hSourceOptions = {}) {
    const E = base.config.embedDim;
    const augment = o.augment ?? true;
    const rand = mulberry32((o.seed ?? 1) ^ 0x42a);
    this.tokens = base.indices.map((i) => {
      const crop = base.feats.targets[i]!.crop;
      const exact = partners[i];
      const h = exact.box[3] - exact.box[1];
      const versions = [exact.keypoints as Keypoint[]];
      const detected = o.detected?.[i];
      if (augment) {
        for (let v = 1; v < VARIANTS; v++) {
          const perturbed = exact.keypoints.map(([x, y, c]): Keypoint => (rand() < DROP ? [x, y, 0] : [x + JITTER * h * gaussian(rand), y + JITTER * h * gaussian(rand), c]));
          versions.push(detected && v % 2 === 1 ? detectedLevels(detected) : perturbed);
        }
      }
      return versions.map((keypoints): [Float32Array, Float32Array] => {
        const p = partnerInCrop({ box: exact.box, keypoints }, crop.toCrop, crop.size);
        const f = flipPartner(p.joints, p.box);
        return [partnerTokens(p.joints, p.box, E), partnerTokens(f.joints, f.box, E)];
      });
    });
    this.calls = new Uint32Array(this.tokens.length);
  }

  get size(): number { return this.base.size; }

  example(k: number, flip: boolean): TrainExample {
    const versions = this.tokens[k];
    const v = versions[this.calls[k]++ % versions.length];
    return { ...this.base.example(k, flip), extra: v[flip ? 1 : 0] };
  }

  /** The exact partner tokens of sample k (evaluation). */
  exact(k: number, flip = false): TrainExample {
    return { ...this.base.example(k, flip), extra: this.tokens[k][0][flip ? 1 : 0] };
  }
}
