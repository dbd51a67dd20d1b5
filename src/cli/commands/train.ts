/** `pinplace train`: train the skeleton diffuser on a data set (progress bar, checkpoints, resume, JSON log). */
import cliProgress from 'cli-progress';
import type { CommandDef } from '../command.ts';
import { parseChoiceFlag, parseIntFlag, parseNumberFlag, requireOption, parseSeed } from '../options.ts';
import { initBackend } from '../../backend.ts';
import { trainOnData } from '../../skeleton/train-node.ts';
import { DEFAULT_LAMBDA, type JParamKind } from '../../skeleton/loss.ts';
import { DEFAULT_HYP_WEIGHT } from '../../skeleton/train.ts';
import { MAX_HYPOTHESES } from '../../skeleton/constants.ts';
import type { AttentionKind, HypothesisAssign, ModelConfig } from '../../skeleton/types.ts';
import { JOINT_SPACES, type JointSpace } from '../../skeleton/calculators/joint-space.ts';
import { signed } from './eval.ts';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.ts';

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

function backboneOpts(opts: Record<string, unknown>): Partial<ModelConfig> {
  if (opts.backboneDir === undefined) return {};
  const layers = String(requireOption(opts.backboneLayers, '--backbone-layers')).split(',').map((s) => s.trim());
  if (layers.length !== 2 || layers.some((l) => !l)) throw new UsageError(`--backbone-layers must be two layer names mid,last, got "${opts.backboneLayers}"`);
  return { backbone: 'tfjs_dir', backboneDir: resolve(String(opts.backboneDir)), backboneLayers: [layers[0], layers[1]] };
}

export const trainCommand: CommandDef = {
  name: 'train',
  summary: 'Train the skeleton diffuser on a data set (resumable from MODEL_DIR)',
  options(cmd) {
    cmd.option('--data <dir>', 'training data set (annotations.json + images/)')
      .option('--val <dir>', 'held-out data set evaluated at the end (with --init, the starting model too, compared sample by sample)')
      .option('--out <dir>', 'model directory (checkpoints go here; an unfinished run resumes)')
      .option('--epochs <n>', 'epochs over the training samples', '30')
      .option('--steps <n>', 'optimiser steps (overrides --epochs)')
      .option('--batch <n>', 'batch size', '64')
      .option('--seed <n>', 'random seed', '1')
      .option('--lr <x>', 'Adam learning rate', '1e-3')
      .option('--lr-decay <fractions>', 'divide the rate by 10 at these fractions of the steps', '0.6,0.85')
      .option('--attention <kind>', 'associative | plain | none (paper Table 3)', 'associative')
      .option('--jparam <kind>', 'J_param weighting: code | paper | none', 'code')
      .option('--lambda <x>', 'J_param scale (default 100 for code, 1e4 for paper)')
      .option('--jparam-mix <x>', 'blend J_param with uniform joint weights (1 = pure J_param)', '1')
      .option('--conf-weight <x>', 'weight of the confidence loss', '1')
      .option('--no-flip', 'no flip augmentation')
      .option('--no-category', 'no category embedding')
      .option('--no-action', 'no action embedding')
      .option('--no-object-position', 'no position embedding of the object tokens (as in the paper)')
      .option('--no-person-position', 'no person-box condition (as in the paper)')
      .option('--backbone-dir <dir>', 'a tfjs LayersModel directory to use as the frozen backbone (e.g. a converted ResNet)')
      .option('--backbone-layers <mid,last>', 'with --backbone-dir: the stride-16 map layer and the last map layer')
      .option('--dim <n>', 'embedding dimension N_E', '32')
      .option('--heads <n>', 'attention heads', '8')
      .option('--depth <n>', 'trunk blocks', '8')
      .option('--checkpoint-every <n>', 'steps between checkpoints', '200')
      .option('--max-samples <n>', 'use at most this many training samples')
      .option('--joint-space <space>', 'crop (the paper: [0, 1] crop units) or person (centred and scaled on the person box: samples are distinct poses)', 'crop')
      .option('--x0-skip', 'x0 = skip(t) x_t + out(t) F: the model passes x_t through at small t (EDM preconditioning)')
      .option('--hypotheses <k>', 'pose hypotheses per prediction: K candidates trained winner-takes-all and a selector (1 = the paper)', '1')
      .option('--hyp-assign <how>', 'with --hypotheses: hand (2 candidates: the left or the right wrist at the object; the default for 2) or nearest (winner-takes-all; the default otherwise)')
      .option('--hyp-weight <x>', 'with --hypotheses: weight of the selector loss', String(DEFAULT_HYP_WEIGHT))
      .option('--ema <decay>', 'keep a moving average of the weights with this decay (e.g. 0.999) as the final model; 0: off', '0')
      .option('--pin-input', 'give the model pinned joints as a condition, trained with random pins (skeleton editing)')
      .option('--pin-prob <x>', 'with --pin-input: share of examples with 1-3 pinned joints', '0.5')
      .option('--init <dir>', 'start from the weights of this model directory (fine-tuning; e.g. adding --pin-input)');
  },
  async run(opts, io) {
    const data = String(requireOption(opts.data, '--data'));
    const out = String(requireOption(opts.out, '--out'));
    const jparam = parseChoiceFlag<JParamKind>(opts.jparam, '--jparam', ['code', 'paper', 'none']);
    const lrDecayAt = String(opts.lrDecay).split(',').filter(Boolean).map((v) => parseNumberFlag(v, '--lr-decay', 0, 1));
    const dim = parseIntFlag(opts.dim, '--dim', 4, 1024);
    const heads = parseIntFlag(opts.heads, '--heads', 1, 64);
    if (dim % heads) throw new UsageError(`--dim must be divisible by --heads, got ${dim} and ${heads}`);
    const jointSpace = parseChoiceFlag<JointSpace>(opts.jointSpace, '--joint-space', JOINT_SPACES);
    if (jointSpace === 'person' && opts.personPosition === false) throw new UsageError('--joint-space person needs the person box: drop --no-person-position');
    const hypotheses = parseIntFlag(opts.hypotheses, '--hypotheses', 1, MAX_HYPOTHESES);
    const hypothesisAssign = parseChoiceFlag<HypothesisAssign>(opts.hypAssign ?? (hypotheses === 2 ? 'hand' : 'nearest'), '--hyp-assign', ['nearest', 'hand']);
    if (hypothesisAssign === 'hand' && hypotheses !== 2) throw new UsageError(`--hyp-assign hand needs --hypotheses 2, got ${hypotheses}`);
    await initBackend();
    let bar: cliProgress.SingleBar | null = null;
    let lastLine = 0;
    const started = performance.now();
    let from = 0;
    let trainStart = started;
    const report = await trainOnData({
      data, out, val: opts.val ? String(opts.val) : undefined,
      epochs: parseNumberFlag(opts.epochs, '--epochs', 0.001, 1e6),
      steps: opts.steps !== undefined ? parseIntFlag(opts.steps, '--steps', 1) : undefined,
      batch: parseIntFlag(opts.batch, '--batch', 1, 4096),
      seed: parseSeed(opts.seed),
      lr: parseNumberFlag(opts.lr, '--lr', 1e-8, 1),
      lrDecayAt, lrFactor: 10, jparam,
      lambda: opts.lambda !== undefined ? parseNumberFlag(opts.lambda, '--lambda', 0) : DEFAULT_LAMBDA[jparam],
      jparamMix: parseNumberFlag(opts.jparamMix, '--jparam-mix', 0, 1),
      confWeight: parseNumberFlag(opts.confWeight, '--conf-weight', 0),
      ...(hypotheses > 1 ? { hypWeight: parseNumberFlag(opts.hypWeight, '--hyp-weight', 0) } : {}),
      flip: opts.flip !== false,
      model: {
        attention: parseChoiceFlag<AttentionKind>(opts.attention, '--attention', ['associative', 'plain', 'none']),
        embedDim: dim, heads, depth: parseIntFlag(opts.depth, '--depth', 1, 64),
        objectPosition: opts.objectPosition !== false,
        personPosition: opts.personPosition !== false,
        ...(opts.pinInput ? { pinInput: true } : {}),
        jointSpace,
        ...(opts.x0Skip ? { x0Skip: true } : {}),
        ...(hypotheses > 1 ? { hypotheses, hypothesisAssign } : {}),
        ...backboneOpts(opts),
      },
      useCategory: opts.category !== false,
      useAction: opts.action !== false,
      checkpointEvery: parseIntFlag(opts.checkpointEvery, '--checkpoint-every', 1),
      maxSamples: opts.maxSamples !== undefined ? parseIntFlag(opts.maxSamples, '--max-samples', 1) : undefined,
      init: opts.init !== undefined ? String(opts.init) : undefined,
      pinProb: parseNumberFlag(opts.pinProb, '--pin-prob', 0, 1),
      ema: parseNumberFlag(opts.ema, '--ema', 0, 0.99999),
      command: `pinplace train ${process.argv.slice(3).join(' ')}`.trim(),
    }, {
      log: (l) => io.err(l),
      featurizeProgress: (d, n) => { if (performance.now() - lastLine > 10_000 || d === n) { lastLine = performance.now(); io.err(`features ${d}/${n}`); } },
      start: (total, f) => {
        from = f;
        trainStart = performance.now();
        if (io.progress) {
          bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'train [{bar}] {value}/{total} loss {loss} lr {lr} | {rate} s/step | ETA {eta_h}' }, cliProgress.Presets.shades_classic);
          bar.start(total, f, { loss: '-', lr: '-', rate: '-', eta_h: '?' });
        }
      },
      step: (s) => {
        const elapsed = (performance.now() - trainStart) / 1000;
        const rate = elapsed / Math.max(1, s.step - from);
        const eta = rate * (s.total - s.step);
        if (bar) bar.update(s.step, { loss: s.loss.toFixed(4), lr: s.lr.toExponential(0), rate: rate.toFixed(2), eta_h: fmtTime(eta) });
        else if (s.step % 50 === 0 || s.step === s.total) io.err(`step ${s.step}/${s.total} loss ${s.loss.toFixed(4)} (joint ${s.lossJoint.toFixed(4)}, conf ${s.lossConf.toFixed(4)}) lr ${s.lr.toExponential(0)}${s.skipped ? ` skipped ${s.skipped}` : ""} ${rate.toFixed(2)} s/step ETA ${fmtTime(eta)}`);
      },
      stop: () => { (bar as cliProgress.SingleBar | null)?.stop(); },
    });
    io.out(`trained ${report.steps} steps on ${report.samples} samples in ${fmtTime(report.seconds)}${report.resumedFrom ? ` (all runs; resumed at step ${report.resumedFrom})` : ''}; model in ${report.out}`);
    if (report.val) io.out(`val: top1 ${report.val.top1.toFixed(1)} % top3 ${report.val.top3.toFixed(1)} % top5 ${report.val.top5.toFixed(1)} % SPD ${report.val.spd.toFixed(4)}`);
    const vi = report.valVsInit;
    if (vi) {
      const d = vi.difference;
      io.out(`val against --init ${vi.init} (paired, ± one standard error): top1 ${vi.init_metrics.top1.toFixed(1)} -> ${report.val!.top1.toFixed(1)} % (${signed(d.top1, 1)} ± ${d.standard_error.top1.toFixed(1)}), SPD ${vi.init_metrics.spd.toFixed(4)} -> ${report.val!.spd.toFixed(4)} (${signed(d.spd, 4)} ± ${d.standard_error.spd.toFixed(4)})`);
    }
    return { ...report, val: report.val ?? null, valVsInit: report.valVsInit ?? null };
  },
};
