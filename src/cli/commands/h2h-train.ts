/**
 * `pinplace h2h-train --data DIR --out MODEL_DIR [--steps N] [--batch B] [--seed S] [--lr LR] [--depth D]`:
 * train the human-to-human model (partner tokens) on an h2h data set (`pinplace synth --kind h2h`), resumable.
 * `pinplace h2h-eval --data DIR [--model MODEL_DIR] [--samples N] [--json]`: top-N / SPD with the partner box as the
 * object box, the hand-contact rate, and the mean / nearest baselines of the model's training set.
 */
import type { CommandDef } from '../command.ts';
import { parseChoiceFlag, parseIntFlag, parseNumberFlag, requireOption, parseSeed } from '../options.ts';
import { initBackend } from '../../backend.ts';
import type { H2hEvalResult } from '../../h2h/evaluate.ts';

// The model code loads on demand, so that other commands start without it.
const DEFAULTS = { steps: 2000, batch: 64, seed: 1, lr: 1e-3, checkpointEvery: 100 };

export const h2hTrainCommand: CommandDef = {
  name: 'h2h-train',
  summary: 'Train the human-to-human model on an h2h data set (resumable)',
  options(cmd) {
    cmd
      .option('--data <dir>', 'h2h data set (pinplace synth --kind h2h)')
      .option('--out <dir>', 'model directory')
      .option('--steps <n>', 'optimiser steps', String(DEFAULTS.steps))
      .option('--batch <n>', 'batch size', String(DEFAULTS.batch))
      .option('--seed <s>', 'seed', String(DEFAULTS.seed))
      .option('--lr <x>', 'Adam learning rate', String(DEFAULTS.lr))
      .option('--depth <n>', 'trunk blocks (paper: 8)', '8')
      .option('--checkpoint-every <n>', 'steps between checkpoints', String(DEFAULTS.checkpointEvery))
      .option('--minutes <m>', 'time budget: the learning-rate schedule follows elapsed time and training stops at it')
      .option('--detected-partners', 'also train on the partners as pinplace detect sees them (detected once, cached next to the data)');
  },
  async run(opts, io) {
    const data = requireOption(opts.data as string | undefined, '--data');
    const out = requireOption(opts.out as string | undefined, '--out');
    const steps = parseIntFlag(opts.steps, '--steps', 1, 10_000_000);
    const batch = parseIntFlag(opts.batch, '--batch', 1, 4096);
    const seed = parseSeed(opts.seed);
    const lr = parseNumberFlag(opts.lr, '--lr', 1e-7, 1);
    const depth = parseIntFlag(opts.depth, '--depth', 1, 64);
    const checkpointEvery = parseIntFlag(opts.checkpointEvery, '--checkpoint-every', 1);
    const budgetSeconds = opts.minutes === undefined ? undefined : 60 * parseNumberFlag(opts.minutes, '--minutes', 0.01, 10_000);
    await initBackend();
    const { DEFAULT_TRAIN_H2H, trainH2h } = await import('../../h2h/train-h2h-node.ts');
    const t0 = performance.now();
    const r = await trainH2h({
      ...DEFAULT_TRAIN_H2H, data, out, steps, batch, seed, lr, checkpointEvery, model: { depth }, budgetSeconds, detectedPartners: !!opts.detectedPartners,
      command: `pinplace h2h-train --data ${data} --out ${out} --steps ${steps} --batch ${batch} --seed ${seed} --lr ${lr} --depth ${depth}${budgetSeconds ? ` --minutes ${budgetSeconds / 60}` : ''}${opts.detectedPartners ? ' --detected-partners' : ''}`,
    }, (l) => io.err(l), (s) => {
      if (s.step % 20 === 0 || s.step === s.total) {
        const eta = ((performance.now() - t0) / 1000 / s.step) * (s.total - s.step);
        io.err(`step ${s.step}/${s.total} loss ${s.loss.toFixed(4)} (joint ${s.lossJoint.toFixed(4)}, conf ${s.lossConf.toFixed(4)}) lr ${s.lr} ${Math.round(s.ms)} ms/step ETA ${Math.round(eta)} s`);
      }
    });
    io.out(`trained ${r.steps} steps on ${r.samples} samples in ${Math.round(r.seconds)} s; final loss ${r.finalLoss.toFixed(4)}; model in ${r.out}`);
    return { ...r };
  },
};

function row(name: string, r: H2hEvalResult): string {
  const m = r.metrics;
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
  return `${name.padEnd(8)} top1 ${f(m.top1)}  top3 ${f(m.top3)}  top5 ${f(m.top5)}  SPD ${Number.isFinite(m.spd) ? m.spd.toFixed(4) : 'n/a'}  hands meet ${f(r.handContact.rate)} % of ${r.handContact.samples} samples (wrists ${f(r.handContact.wristRate)} %; GT ${f(r.handContact.gtRate)} %, GT wrists ${f(r.handContact.gtWristRate)} %)`;
}

export const h2hEvalCommand: CommandDef = {
  name: 'h2h-eval',
  summary: 'Evaluate the human-to-human model (top-N, SPD, hand contact) against the baselines',
  options(cmd) {
    cmd
      .option('--data <dir>', 'held-out h2h data set')
      .option('--model <dir>', 'h2h model directory (default: the shipped models/h2h)')
      .option('--samples <n>', 'samples per scene (the hand check counts each)', '5')
      .option('--partner <from>', 'partner skeleton for the model: data (the data set), detected (pinplace detect) or none (box only)', 'data')
      .option('--limit <n>', 'evaluate the first N scenes only')
      .option('--no-mirror', 'all samples from the condition as given (default: odd samples from its mirror image, as pinplace h2h)')
      .option('--seed <s>', 'seed', '1');
  },
  async run(opts, io) {
    const data = requireOption(opts.data as string | undefined, '--data');
    const { DEFAULT_H2H_MODEL_DIR, readH2hModel } = await import('../../h2h/h2h-model.ts');
    const { evaluateH2h } = await import('../../h2h/train-h2h-node.ts');
    const { readBaselineStats } = await import('../../skeleton/model-store-node.ts');
    const dir = (opts.model as string | undefined) ?? DEFAULT_H2H_MODEL_DIR;
    const samplesPerScene = parseIntFlag(opts.samples, '--samples', 1, 64);
    const seed = parseSeed(opts.seed);
    const partner = parseChoiceFlag(opts.partner ?? 'data', '--partner', ['data', 'detected', 'none'] as const);
    const limit = opts.limit === undefined ? undefined : parseIntFlag(opts.limit, '--limit', 1);
    const { model } = await readH2hModel(dir);
    const r = await evaluateH2h(model, await readBaselineStats(dir), { data, samplesPerScene, seed, partner, limit, mirror: opts.mirror !== false });
    io.out(`${r.scenes} scenes of ${data}, model ${dir}, partner skeleton from ${{ data: 'the data set', detected: 'the detector', none: 'nowhere (box only)' }[partner]}`);
    if (r.partnerDetection) {
      const p = r.partnerDetection;
      io.out(`partner detection: found ${p.found.toFixed(1)} %, joint recall ${p.jointRecall.toFixed(1)} %, median joint error ${(100 * p.medianJointError).toFixed(1)} % of the box height`);
    }
    io.out(row('model', r.model));
    if (r.mean) io.out(row('mean', r.mean));
    if (r.nearest) io.out(row('nearest', r.nearest));
    return { data, model: dir, scenes: r.scenes, samples_per_scene: samplesPerScene, mirror: opts.mirror !== false, partner, partner_detection: r.partnerDetection, result: r.model, baselines: { mean: r.mean, nearest: r.nearest } };
  },
};
