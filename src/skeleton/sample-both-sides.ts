/**
 * N samples alternating between a condition and its mirror image: odd samples are generated from the mirrored
 * condition (crop, boxes and any extra tokens mirrored, exactly as training's flip augmentation builds them) and
 * flipped back with left and right swapped, then all N are ranked together. The official sampler barely uses its
 * starting noise, so the mirror is what gives the N samples real alternatives (e.g. which hand holds the cup).
 */
import * as tf from '@tensorflow/tfjs';
import { flipJoints } from './calculators/normalise.ts';
import type { Diffuser } from './diffuser.ts';
import { conditionInputs } from './evaluate.ts';
import { rankSamples, runSampler } from './sampler.ts';
import { NUM_JOINTS } from './topology.ts';
import type { SampledSkeletons, SampleFeatures, SamplerConfig } from './types.ts';

/** Extra condition tokens (human-to-human partner tokens) for the plain and the mirrored condition. */
export interface MirroredExtra { plain: Float32Array; mirrored: Float32Array }

export function sampleBothSides(
  model: Diffuser, feats: SampleFeatures, mirrored: SampleFeatures, samples: number, seed: number,
  sampler?: Partial<SamplerConfig>, extra?: MirroredExtra,
): SampledSkeletons {
  let extras: Float32Array | undefined;
  if (extra) {
    const T = extra.plain.length;
    extras = new Float32Array(samples * T);
    for (let i = 0; i < samples; i++) extras.set(i % 2 ? extra.mirrored : extra.plain, i * T);
  }
  const inputs = conditionInputs(model, Array.from({ length: samples }, (_, i) => (i % 2 ? mirrored : feats)), extras);
  let r: { joints: Float32Array; confidence: Float32Array };
  try {
    r = runSampler(model, inputs, { samples, seed, sampler });
  } finally {
    tf.dispose(Object.values(inputs));
  }
  const D = NUM_JOINTS * 2;
  const joints = new Float32Array(r.joints);
  for (let i = 1; i < samples; i += 2) joints.set(flipJoints(r.joints.subarray(i * D, (i + 1) * D)).joints, i * D);
  return rankSamples(joints, samples, Array.from(r.confidence.subarray(0, NUM_JOINTS)));
}
