/**
 * The h2h training loop: the diffuser trainer's batches (makeBatch), loss (hoiLoss), step schedule and BatchNorm
 * update, with two safeguards for the wasm backend:
 *
 * 1. The image-condition layer (img.ln, img.fc: LN then Linear(globalDim, 17 E), reshaped to [B, 17, E]) gets its
 *    gradient in a second, small pass. On wasm the gradient of img.fc.w taken through the whole network comes out
 *    wrong (about 94 % zeros, cosine ~0 against the cpu backend; every other parameter matches cpu), while the same
 *    gradient taken from dL/d(icond) in a separate tape is right. So pass 1 treats the image condition as a leaf
 *    variable and returns dL/d(icond); pass 2 backpropagates it through img.ln/img.fc.
 * 2. A step whose loss or gradients are not finite is skipped (counted in the step log), not applied.
 */
import { tf } from '../backend.ts';
import { Diffuser } from '../skeleton/diffuser.ts';
import { layerNorm, linear, mulberry32 } from '../skeleton/layers.ts';
import { cosineAlphaBar } from '../skeleton/schedule.ts';
import { disposeBatch, learningRate, makeBatch, predictionInCropUnits, type NamedTensor, type TrainOptions, type StepInfo } from '../skeleton/train.ts';
import { NUM_JOINTS } from '../skeleton/topology.ts';
import type { BnStats } from '../skeleton/attention.ts';

/** Parameters of the image condition (trained in pass 2). */
const IMAGE_PARAMS = ['img.ln.g', 'img.ln.b', 'img.fc.w', 'img.fc.b'];

export interface LoopStepInfo extends StepInfo { skipped: number }

/** Gradients of one batch (both passes), the loss parts and the BatchNorm statistics. */
export function batchGradients(model: Diffuser, b: ReturnType<typeof makeBatch>, confWeight: number): {
  loss: number; joint: number; conf: number; grads: Map<string, tf.Tensor>; bn?: BnStats;
} {
  const p = model.params;
  const E = model.config.embedDim;
  const B = b.inputs.global.shape[0];
  const names = [...p.vars.keys()];
  const main = names.filter((n) => !IMAGE_PARAMS.includes(n));
  const icondLeaf = tf.variable(tf.zeros([B, NUM_JOINTS, E]), true);
  let bn: BnStats | undefined;
  let parts: tf.Tensor[] = [];
  // pass 1: everything but the image condition, with dL/d(icond)
  const r1 = tf.variableGrads(() => {
    const cond = model.condition(b.inputs);
    icondLeaf.assign(cond.icond);
    const c = { ...cond, icond: icondLeaf };
    const r = model.denoise(b.xt, c, model.timeEmbedding(b.t), true);
    const joint = tf.mean(tf.mul(tf.abs(tf.sub(b.x0, predictionInCropUnits(b, r.x0))), b.weights));
    const conf = tf.mean(tf.abs(tf.sub(c.conf, b.mask)));
    parts = [tf.keep(joint), tf.keep(conf)];
    if (r.bn) bn = { mean: tf.keep(r.bn.mean), variance: tf.keep(r.bn.variance) };
    return tf.add(joint, tf.mul(conf, confWeight)) as tf.Scalar;
  }, [...main.map((n) => p.get(n)), icondLeaf]);
  const dIcond = r1.grads[icondLeaf.name];
  // pass 2: the image condition, from dL/d(icond)
  const imageVars = IMAGE_PARAMS.filter((n) => p.vars.has(n)).map((n) => p.get(n));
  const r2 = tf.variableGrads(() => {
    const y = linear(layerNorm(b.inputs.global, p.get('img.ln.g'), p.get('img.ln.b')), p.get('img.fc.w'), p.get('img.fc.b'));
    return tf.sum(tf.mul(tf.reshape(y, [B, NUM_JOINTS, E]), dIcond)) as tf.Scalar;
  }, imageVars);
  const grads = new Map<string, tf.Tensor>();
  const byVar = new Map([...p.vars.entries()].map(([n, v]) => [v.name, n]));
  for (const [vn, g] of [...Object.entries(r1.grads), ...Object.entries(r2.grads)]) {
    const n = byVar.get(vn);
    if (n) grads.set(n, g); else g.dispose();
  }
  const loss = r1.value.dataSync()[0];
  const out = { loss, joint: parts[0].dataSync()[0], conf: parts[1].dataSync()[0], grads, bn };
  tf.dispose([r1.value, r2.value, icondLeaf, ...parts]);
  return out;
}

/**
 * Train (or resume training) a diffuser with the two-pass gradient (same options and checkpoints as the diffuser's
 * trainDiffuser). Returns the model and the per-step log.
 */
export async function trainLoop(o: TrainOptions & { onStep?(s: LoopStepInfo): void; budgetSeconds?: number }): Promise<{ model: Diffuser; log: LoopStepInfo[]; skipped: number; steps: number }> {
  if (o.source.size < 1) throw new RangeError('trainLoop(): the sample source is empty');
  const model = o.resume?.model ?? new Diffuser(o.config, o.seed);
  const alphaBar = cosineAlphaBar(model.config.timesteps);
  const opt = tf.train.adam(o.lr, 0.9, 0.999, 1e-8);
  if (o.resume?.optimizer?.length) await opt.setWeights(o.resume.optimizer);
  const log: LoopStepInfo[] = [];
  const rows = o.batch * NUM_JOINTS;
  let skipped = 0;
  const start = performance.now();
  const first = o.resume?.step ?? 0;
  // With a time budget the schedule runs on max(step progress, time progress) and training ends at 1.
  const progress = (step: number) => Math.max(step / o.steps, o.budgetSeconds ? (performance.now() - start) / 1000 / o.budgetSeconds : 0);
  let done = first;
  for (let step = first; step < o.steps; step++) {
    const t0 = performance.now();
    const lr = o.budgetSeconds ? o.lr / o.lrFactor ** o.lrDecayAt.filter((f) => progress(step) >= f).length : learningRate(o, step);
    (opt as unknown as { learningRate: number }).learningRate = lr;
    const rand = mulberry32((o.seed * 1_000_003 + step * 7919) >>> 0);
    const idx = Array.from({ length: o.batch }, () => Math.floor(rand() * o.source.size));
    const batch = makeBatch(model, o.source, idx, rand, o, alphaBar);
    const g = batchGradients(model, batch, o.confWeight);
    const finite = Number.isFinite(g.loss) && [...g.grads.values()].every((t) => tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0] === 1));
    if (finite) {
      opt.applyGradients([...g.grads].map(([n, tensor]) => ({ name: model.params.get(n).name, tensor })));
      model.updateBatchNorm(g.bn, rows);
    } else {
      skipped++;
    }
    tf.dispose([...g.grads.values(), ...(g.bn ? [g.bn.mean, g.bn.variance] : [])]);
    disposeBatch(batch);
    const last = step + 1 === o.steps || (!!o.budgetSeconds && step > first && progress(step + 1) >= 1);
    const info: LoopStepInfo = { step: step + 1, total: last ? step + 1 : o.steps, loss: g.loss, lossJoint: g.joint, lossConf: g.conf, lr, ms: performance.now() - t0, skipped };
    log.push(info);
    o.onStep?.(info);
    done = step + 1;
    if (o.onCheckpoint && (last || (o.checkpointEvery && (step + 1) % o.checkpointEvery === 0))) {
      await o.onCheckpoint({ model, optimizer: await opt.getWeights() as NamedTensor[], step: step + 1, final: last });
    }
    if (last) break;
  }
  opt.dispose();
  return { model, log, skipped, steps: done };
}
