/**
 * Training of the diffuser on cached features (paper §3): pred-x0 objective with the cosine schedule, the HOI loss
 * (J_param weighting + confidence loss), Adam with a step schedule, flip augmentation, fixed seeds, checkpoints and
 * resume. Exported as a function over a sample source so other modes (human-to-human) reuse it.
 */
import * as tf from '@tensorflow/tfjs';
import { Diffuser } from './diffuser.ts';
import { conditionInputs } from './evaluate.ts';
import { gaussian, mulberry32 } from './layers.ts';
import { cosineAlphaBar, skipCoefficients } from './schedule.ts';
import { jointWeights, type JParamKind, DEFAULT_LAMBDA } from './loss.ts';
import { NUM_JOINTS } from './topology.ts';
import { jointFrame, toJointSpace } from './calculators/joint-space.ts';
import { interactingHand } from './calculators/hand.ts';
import type { ModelConfig, TrainExample } from './types.ts';
import { jointPinFeature, PIN_DIM, type ConditionInputs } from './diffuser.ts';
import { FusedAdam } from '../tensor/fused-adam.ts';
import { ParameterEma, splitEmaState } from '../tensor/ema.ts';
import { useSharedIdentity } from '../tensor/shared-identity.ts';
import { markConstant } from '../tensor/matmul.ts';

/** A named tensor (optimiser state). */
export interface NamedTensor { name: string; tensor: tf.Tensor }

/** Where training examples come from. */
export interface SampleSource {
  /** Number of examples. */
  readonly size: number;
  /** Example i; `flip` asks for the horizontally mirrored version (joints, box and features). */
  example(i: number, flip: boolean): TrainExample;
}

/** Where an optimisation starts from: a model (weights loaded), the optimiser's state (absent: fresh) and the step. */
export interface ResumePoint { model: Diffuser; optimizer?: NamedTensor[]; step: number }

export interface TrainOptions {
  config: ModelConfig;
  source: SampleSource;
  /** Optimiser steps in all. */
  steps: number;
  batch: number;
  /** Adam learning rate before decay. */
  lr: number;
  /** Fractions of `steps` at which the rate is divided by `lrFactor` (paper: epochs 70 and 120 of 180). */
  lrDecayAt: number[];
  lrFactor: number;
  seed: number;
  jparam: JParamKind;
  lambda?: number;
  /** Blend of J_param with uniform weights (1 = pure J_param; see loss.ts). */
  jparamMix?: number;
  /** Weight of the confidence loss. */
  confWeight: number;
  /** For models with hypotheses: weight of the selector's cross-entropy (default DEFAULT_HYP_WEIGHT). */
  hypWeight?: number;
  /** Flip augmentation with probability 0.5. */
  flip: boolean;
  /** For models with a pin input: the share of examples that get 1-3 random joints pinned (default PIN_PROBABILITY). */
  pinProb?: number;
  /**
   * Decay of an exponential moving average of the weights (tensor/ema.ts), kept as the final weights; absent or 0:
   * the last step's weights, as in the paper.
   */
  ema?: number;
  /** Resume: a model (weights loaded), the optimiser's state and the step reached. */
  resume?: ResumePoint;
  /** Called every `checkpointEvery` steps and at the end with the state to save. */
  checkpointEvery?: number;
  onCheckpoint?(s: { model: Diffuser; optimizer: NamedTensor[]; step: number; final: boolean }): Promise<void>;
  /** Called after each step. */
  onStep?(s: StepInfo): void;
  /**
   * A backbone trained together with the model (e.g. compact-cnn.ts): its variables join the optimiser, and inside
   * the gradient tape `condition` returns the batch's image and object features (global, roi) for its examples, in
   * place of the source's cached ones.
   */
  trainable?: { vars: tf.Variable[]; condition(examples: TrainExample[]): Pick<ConditionInputs, 'global' | 'roi'> };
}

export interface StepInfo { step: number; total: number; loss: number; lossJoint: number; lossConf: number; lr: number; ms: number; /** Steps skipped so far (non-finite loss or gradient). */ skipped: number }

/** Learning rate at a step of the step schedule. */
export function learningRate(o: Pick<TrainOptions, 'lr' | 'lrDecayAt' | 'lrFactor' | 'steps'>, step: number): number {
  let lr = o.lr;
  for (const f of o.lrDecayAt) if (step >= Math.round(f * o.steps)) lr /= o.lrFactor;
  return lr;
}

/** Share of training examples with pinned joints, for models with a pin input. */
export const PIN_PROBABILITY = 0.5;

/**
 * Random pins for one example: with probability `prob`, 1-3 distinct valid joints pinned at their true positions.
 * Writes the pin feature (diffuser.ts pinFeature) into `feat` and imposes the pins on x_t (their values in the
 * model's joint space, `z0`), as the sampler does.
 */
function drawPins(rand: () => number, prob: number, ex: TrainExample, feat: Float32Array, xt: Float32Array, z0: Float32Array): void {
  if (rand() >= prob) return;
  const valid = Array.from({ length: NUM_JOINTS }, (_, j) => j).filter((j) => ex.mask[j] > 0);
  for (let n = 1 + Math.floor(rand() * 3); n > 0 && valid.length; n--) {
    const j = valid.splice(Math.floor(rand() * valid.length), 1)[0];
    const u = ex.joints[2 * j], v = ex.joints[2 * j + 1];
    jointPinFeature(u, v, feat.subarray(j * PIN_DIM, (j + 1) * PIN_DIM));
    xt[2 * j] = z0[2 * j]; xt[2 * j + 1] = z0[2 * j + 1];
  }
}

/**
 * A batch as tensors plus JS-side targets. x0 (the target) is in crop units; xt is in the model's joint space, and
 * `frame` (person-space models) maps the model's prediction back: crop = x0 * scale [B,1,1] + offset [B,1,2].
 */
interface Batch {
  inputs: ConditionInputs; examples: TrainExample[]; xt: tf.Tensor; x0: tf.Tensor; weights: tf.Tensor; mask: tf.Tensor; t: number[];
  frame?: { scale: tf.Tensor; offset: tf.Tensor };
  /** For models with x0Skip: the per-example skip and out coefficients [B,1,1] (schedule.ts skipCoefficients). */
  skip?: { skip: tf.Tensor; out: tf.Tensor };
  /** For models with hypotheses assigned by hand: each example's candidate, one-hot [B,K] (interactingHand). */
  assigned?: tf.Tensor;
}

/** A batch's x0 prediction in crop units, where the loss is taken, from the network's output `y` (joint space). */
export function predictionInCropUnits(b: Pick<Batch, 'frame' | 'skip' | 'xt'>, y: tf.Tensor): tf.Tensor {
  const x0 = b.skip ? tf.add(tf.mul(b.xt, b.skip.skip), tf.mul(y, b.skip.out)) : y;
  return b.frame ? tf.add(tf.mul(x0, b.frame.scale), b.frame.offset) : x0;
}

/**
 * Assemble a training batch: examples (with flips), t ~ U{0..T-1}, x_t = sqrt(ab) x0 + sqrt(1-ab) eps clamped to
 * +-1.1, J_param weights. Everything random comes from `rand`.
 */
export function makeBatch(model: Diffuser, src: SampleSource, idx: number[], rand: () => number, o: Pick<TrainOptions, 'flip' | 'jparam' | 'lambda' | 'jparamMix' | 'pinProb'>, alphaBar: Float64Array): Batch {
  const c = model.config;
  const B = idx.length;
  const extra = c.extraTokens ? new Float32Array(B * c.extraTokens * c.embedDim) : null;
  const x0 = new Float32Array(B * NUM_JOINTS * 2);
  const xt = new Float32Array(B * NUM_JOINTS * 2);
  const w = new Float32Array(B * NUM_JOINTS);
  const m = new Float32Array(B * NUM_JOINTS);
  const pins = c.pinInput ? new Float32Array(B * NUM_JOINTS * PIN_DIM) : null;
  const t: number[] = [];
  const examples: TrainExample[] = [];
  const person = (c.jointSpace ?? 'crop') === 'person';
  const byHand = (c.hypotheses ?? 1) > 1 && c.hypothesisAssign === 'hand';
  const assigned = byHand ? new Float32Array(B * 2) : null;
  const scale = new Float32Array(B), offset = new Float32Array(B * 2);
  idx.forEach((i, b) => {
    const ex = src.example(i, o.flip && rand() < 0.5);
    examples.push(ex);
    if (extra && ex.extra) extra.set(ex.extra, b * c.extraTokens * c.embedDim);
    x0.set(ex.joints, b * NUM_JOINTS * 2);
    if (assigned) assigned[2 * b + interactingHand(ex.joints, ex.mask, ex.objectBox)] = 1;
    m.set(ex.mask, b * NUM_JOINTS);
    w.set(jointWeights(ex.joints, ex.mask, ex.objectBox, o.jparam, o.lambda ?? DEFAULT_LAMBDA[o.jparam], o.jparamMix ?? 1), b * NUM_JOINTS);
    const tb = Math.min(alphaBar.length - 1, Math.floor(rand() * alphaBar.length));
    t.push(tb);
    const frame = jointFrame(c.jointSpace, ex.personBox);
    scale[b] = frame.scale; offset[2 * b] = frame.cx; offset[2 * b + 1] = frame.cy;
    const z0 = person ? toJointSpace([frame], ex.joints) : ex.joints;
    const sa = Math.sqrt(alphaBar[tb]), sn = Math.sqrt(1 - alphaBar[tb]);
    for (let k = 0; k < NUM_JOINTS * 2; k++) {
      const v = sa * z0[k] + sn * gaussian(rand);
      xt[b * NUM_JOINTS * 2 + k] = Math.max(-1.1, Math.min(1.1, v));
    }
    if (pins) drawPins(rand, o.pinProb ?? PIN_PROBABILITY, ex, pins.subarray(b * NUM_JOINTS * PIN_DIM, (b + 1) * NUM_JOINTS * PIN_DIM), xt.subarray(b * NUM_JOINTS * 2, (b + 1) * NUM_JOINTS * 2), z0);
  });
  // the condition tensors are stacked exactly as at inference
  const inputs = conditionInputs(model, examples, extra ?? undefined);
  if (pins) inputs.pins = tf.tensor3d(pins, [B, NUM_JOINTS, PIN_DIM]);
  const batch: Batch = {
    inputs, examples, t,
    xt: tf.tensor3d(xt, [B, NUM_JOINTS, 2]),
    x0: tf.tensor3d(x0, [B, NUM_JOINTS, 2]),
    weights: tf.tensor3d(w, [B, NUM_JOINTS, 1]),
    mask: tf.tensor2d(m, [B, NUM_JOINTS]),
    ...(person ? { frame: { scale: tf.tensor3d(scale, [B, 1, 1]), offset: tf.tensor3d(offset, [B, 1, 2]) } } : {}),
    ...(c.x0Skip ? { skip: skipTensors(t, alphaBar) } : {}),
    ...(assigned ? { assigned: tf.tensor2d(assigned, [B, 2]) } : {}),
  };
  // data: no gradient flows into it (matmul.ts needsGradient)
  markConstant(...Object.values(inputs), batch.xt, batch.x0, batch.weights, batch.mask, ...batchExtras(batch));
  return batch;
}

/** The per-example skip coefficients of timesteps `t` as [B,1,1] tensors. */
function skipTensors(t: number[], alphaBar: Float64Array): { skip: tf.Tensor; out: tf.Tensor } {
  const k = t.map((tb) => skipCoefficients(alphaBar[tb]));
  return { skip: tf.tensor3d(k.map((c) => c.skip), [t.length, 1, 1]), out: tf.tensor3d(k.map((c) => c.out), [t.length, 1, 1]) };
}

/** A batch's optional tensors (frame, skip). */
function batchExtras(b: Batch): tf.Tensor[] {
  return [...(b.frame ? [b.frame.scale, b.frame.offset] : []), ...(b.skip ? [b.skip.skip, b.skip.out] : []), ...(b.assigned ? [b.assigned] : [])];
}

/** Free a batch's tensors. */
export function disposeBatch(b: Batch): void {
  tf.dispose([b.xt, b.x0, b.weights, b.mask, ...Object.values(b.inputs), ...batchExtras(b)]);
}

/** Loss of one batch: { total, joint, conf } scalars (inside a tidy/minimize). */
export function hoiLoss(model: Diffuser, b: Batch, confWeight: number, training = true, hypWeight = DEFAULT_HYP_WEIGHT): { total: tf.Scalar; joint: tf.Scalar; conf: tf.Scalar; bn?: ReturnType<Diffuser['denoise']>['bn'] } {
  const cond = model.condition(b.inputs);
  const temb = model.timeEmbedding(b.t);
  const r = model.denoise(b.xt, cond, temb, training);
  const conf = tf.mean(tf.abs(tf.sub(cond.conf, b.mask))) as tf.Scalar;
  if (r.hypotheses && r.logits) {
    const h = hypothesisLoss(b, r.hypotheses, r.logits);
    const total = tf.addN([h.joint, tf.mul(conf, confWeight), tf.mul(h.select, hypWeight)]) as tf.Scalar;
    return { total, joint: h.joint, conf, bn: r.bn };
  }
  const joint = tf.mean(tf.mul(tf.abs(tf.sub(b.x0, predictionInCropUnits(b, r.x0))), b.weights)) as tf.Scalar;
  return { total: tf.add(joint, tf.mul(conf, confWeight)) as tf.Scalar, joint, conf, bn: r.bn };
}

/** Share of the joint loss that the candidates other than the winner keep (relaxed winner-takes-all). */
export const HYPOTHESIS_EPSILON = 0.05;
/** Default weight of the selector's cross-entropy (TrainOptions.hypWeight). */
export const DEFAULT_HYP_WEIGHT = 0.05;

/**
 * Loss of K candidates [K,B,17,2] (joint space) and selector logits [B,K]: each example's HOI joint loss on its
 * candidate, and the cross-entropy of the selector against that candidate's index. The candidate is the batch's
 * `assigned` one (by hand, the others untouched) or else the best by weighted squared error, chosen without gradient
 * (weight 1 - eps; the others share eps so none is left untrained).
 */
export function hypothesisLoss(b: Pick<Batch, 'frame' | 'skip' | 'xt' | 'x0' | 'weights' | 'assigned'>, hypotheses: tf.Tensor, logits: tf.Tensor): { joint: tf.Scalar; select: tf.Scalar } {
  const K = hypotheses.shape[0];
  // per candidate and example: mean over joints and coordinates of |x0 - pred| h_j -> [K,B]
  const diff = tf.sub(b.x0, predictionInCropUnits(b, hypotheses));
  const err = tf.mean(tf.mul(tf.abs(diff), b.weights), [2, 3]);
  // the winner has the least sum of h_j (x0 - pred)^2: squares let the few joints where poses part (the hand on the
  // phone or at the hip) decide, not the small errors spread over all the others. A constant (argMax has no gradient)
  const win = b.assigned ?? tf.oneHot(tf.argMax(tf.neg(tf.sum(tf.mul(tf.square(diff), b.weights), [2, 3])), 0), K); // [B,K]
  const eps = b.assigned ? 0 : HYPOTHESIS_EPSILON;
  const share = tf.add(tf.mul(win, 1 - eps - eps / (K - 1)), eps / (K - 1));
  const joint = tf.mean(tf.sum(tf.mul(tf.transpose(err), share), 1)) as tf.Scalar;
  const select = tf.neg(tf.mean(tf.sum(tf.mul(win, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  return { joint, select };
}

/** Train (or resume training) a diffuser; returns the model and the per-step log. */
export async function trainDiffuser(o: TrainOptions): Promise<{ model: Diffuser; log: StepInfo[] }> {
  if (o.source.size < 1) throw new RangeError('trainDiffuser(): the sample source is empty');
  useSharedIdentity(); // the tape's saved tensors without copies (shared-identity.ts)
  const model = o.resume?.model ?? new Diffuser(o.config, o.seed);
  const alphaBar = cosineAlphaBar(model.config.timesteps);
  const vars = [...model.params.vars.values(), ...(o.trainable?.vars ?? [])];
  // Adam (tf.train.adam's function and checkpoint format) in one typed-array pass per parameter tensor
  const opt = new FusedAdam(o.lr, 0.9, 0.999, 1e-8);
  const ema = o.ema ? new ParameterEma(o.ema) : null;
  if (o.resume?.optimizer?.length) {
    const state = splitEmaState(o.resume.optimizer);
    opt.setWeights(state.optimizer);
    if (ema && state.ema.length === vars.length) ema.setWeights(state.ema);
  }
  const log: StepInfo[] = [];
  const start = o.resume?.step ?? 0;
  const rows = o.batch * NUM_JOINTS;
  let skipped = 0;
  for (let step = start; step < o.steps; step++) {
    const t0 = performance.now();
    const lr = learningRate(o, step);
    opt.learningRate = lr;
    // per-step seed: the same step draws the same batch after a resume
    const rand = mulberry32((o.seed * 1_000_003 + step * 7919) >>> 0);
    const idx = Array.from({ length: o.batch }, () => Math.floor(rand() * o.source.size));
    const batch = makeBatch(model, o.source, idx, rand, o, alphaBar);
    // gradients first, applied only when the loss and every gradient are finite (a guard against the wasm matMul
    // operator-cache fault described in layers.ts matMul; with fresh right-hand operands no step was skipped)
    let bn: ReturnType<Diffuser['denoise']>['bn'];
    let parts: tf.Scalar[] = [];
    let grads: Array<tf.Tensor | null> = [];
    const value = tf.tidy(() => {
      const { value, grads: g } = tf.variableGrads(() => {
        const b = o.trainable ? { ...batch, inputs: { ...batch.inputs, ...o.trainable.condition(batch.examples) } } : batch;
        const l = hoiLoss(model, b, o.confWeight, true, o.hypWeight);
        if (l.bn) bn = { mean: tf.keep(l.bn.mean), variance: tf.keep(l.bn.variance) };
        parts = [tf.keep(l.joint), tf.keep(l.conf)];
        return l.total;
      }, vars);
      grads = vars.map((v) => (g[v.name] ? tf.keep(g[v.name]) : null));
      return value;
    });
    const loss = value.dataSync()[0];
    // the optimiser checks the gradients and changes nothing when one is not finite
    if (Number.isFinite(loss) && opt.applyGradients(vars, grads)) {
      model.updateBatchNorm(bn, rows);
      ema?.update(vars);
    } else {
      skipped++;
      if (skipped > Math.max(10, 0.05 * (step - start + 1))) throw new RangeError(`trainDiffuser(): the loss or its gradient was not finite in ${skipped} steps (last at step ${step + 1})`);
    }
    const info: StepInfo = { step: step + 1, total: o.steps, loss, lossJoint: parts[0].dataSync()[0], lossConf: parts[1].dataSync()[0], lr, ms: performance.now() - t0, skipped };
    tf.dispose([value, ...parts, ...grads.filter((g): g is tf.Tensor => !!g), ...(bn ? [bn.mean, bn.variance] : [])]);
    disposeBatch(batch);
    log.push(info);
    o.onStep?.(info);
    const last = step + 1 === o.steps;
    // the run ends with the averaged weights
    if (last && ema) ema.applyTo(vars);
    if (o.onCheckpoint && (last || (o.checkpointEvery && (step + 1) % o.checkpointEvery === 0))) {
      const state = [...opt.getWeights(), ...(ema?.getWeights(vars) ?? [])];
      try {
        await o.onCheckpoint({ model, optimizer: state, step: step + 1, final: last });
      } finally {
        tf.dispose(state.map((n) => n.tensor));
      }
    }
  }
  return { model, log };
}
