/**
 * Node-only: `pinplace train` as a function. Reads the data set, featurizes it once (cached), trains with
 * trainDiffuser, checkpoints into the model directory (resumable), appends a JSON log, evaluates on --val and
 * writes the final model with its baseline statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.ts';
import { DEFAULT_MODEL_CONFIG } from './constants.ts';
import { featurizeSamples, FeatureSource, readHoiSamples } from './dataset-node.ts';
import type { Backbone } from './features.ts';
import { loadBackbone } from './backbone-node.ts';
import { deserializeModel } from './model-io.ts';
import { Diffuser } from './diffuser.ts';
import { readModelDir, saveModelDir } from './model-store-node.ts';
import { openTrainSession } from './train-session-node.ts';
import { trainDiffuser, type StepInfo, type TrainOptions } from './train.ts';
import { baselineStats } from './baselines.ts';
import { evaluateModel } from './eval-node.ts';
import type { JParamKind } from './loss.ts';
import type { ModelConfig } from './types.ts';
import { comparePaired, type MetricsResult, type PairedDifference } from './metrics.ts';

/** `pinplace train`'s options: the optimisation's own (TrainOptions, documented there) and the run's. */
export interface TrainRunOptions extends Pick<TrainOptions,
  'batch' | 'seed' | 'lr' | 'lrDecayAt' | 'lrFactor' | 'jparam' | 'lambda' | 'jparamMix' | 'confWeight' | 'hypWeight' |
  'flip' | 'pinProb' | 'ema'> {
  data: string;
  val?: string;
  out: string;
  epochs?: number;
  /** Overrides epochs. */
  steps?: number;
  /** Architecture overrides of DEFAULT_MODEL_CONFIG. */
  model: Partial<ModelConfig>;
  /** Use category / action embeddings (vocabularies from the training data). */
  useCategory: boolean;
  useAction: boolean;
  checkpointEvery: number;
  /** Use at most this many samples (first N). */
  maxSamples?: number;
  /** Start from this model directory's weights (same architecture; a pin input may be added), step 0. */
  init?: string;
  /** The command line, recorded in the model card data. */
  command?: string;
  backbone?: Backbone;
}

export interface TrainReport {
  out: string; samples: number; steps: number; resumedFrom: number; seconds: number;
  finalLoss: number; val?: MetricsResult; valVsInit?: ValVsInit; parameters: number;
}

export interface TrainHooks {
  log(line: string): void;
  featurizeProgress?(done: number, total: number): void;
  start?(total: number, from: number): void;
  step?(s: StepInfo): void;
  stop?(): void;
}

export async function trainOnData(o: TrainRunOptions, hooks: TrainHooks): Promise<TrainReport> {
  const t0 = performance.now();
  const samples = await readHoiSamples(o.data);
  if (!samples.length) throw new UsageError(`data set ${o.data} has no (person, object) samples`);
  // --max-samples trains on the first N usable samples; features are computed (and cached) for the whole set
  const used = o.maxSamples ? samples.slice(0, o.maxSamples) : samples;
  const uniq = (xs: Array<string | null>) => [...new Set(xs.filter((x): x is string => !!x))].sort();
  const config: ModelConfig = {
    ...DEFAULT_MODEL_CONFIG, ...o.model,
    categories: o.useCategory ? uniq(used.map((s) => s.category)) : [],
    actions: o.useAction ? uniq(used.map((s) => s.action)) : [],
  };
  const backbone = o.backbone ?? await loadBackbone(config);
  config.imageFeatureDim = backbone.globalDim;
  config.objectFeatureDim = backbone.mapDim;
  config.backboneInput = backbone.inputSize;
  hooks.log(`featurizing ${samples.length} samples with ${backbone.name} (cached in the data directory)`);
  const feats = await featurizeSamples(samples, backbone, config.gridSize, { cacheDir: o.data, onProgress: hooks.featurizeProgress });
  const source = new FeatureSource(samples, feats, config);
  if (o.maxSamples) source.indices.splice(o.maxSamples);
  if (!source.size) throw new UsageError(`data set ${o.data}: no sample has its object box inside the person crop`);
  const steps = o.steps ?? Math.max(1, Math.ceil(((o.epochs ?? 30) * source.size) / o.batch));
  const options = { ...o, backbone: undefined, steps, config };
  // resume a checkpoint in the output directory, or start from --init's weights
  const session = await openTrainSession(o.out, config, steps, hooks.log, t0);
  let resume = session.resume;
  if (!resume && o.init) {
    const init = await initialModel(o.init, config, o.seed);
    resume = { model: init.model, step: 0 };
    hooks.log(`starting from the weights of ${o.init}${init.pinAdded ? ' (pin input added, initialised to zero)' : ''}`);
  }
  const training = (extra: Record<string, unknown>) => ({
    data: o.data, samples: source.size, steps, batch: o.batch, seed: o.seed, lr: o.lr, lr_decay_at: o.lrDecayAt,
    lr_factor: o.lrFactor, jparam: o.jparam, lambda: o.lambda, jparam_mix: o.jparamMix ?? 1, conf_weight: o.confWeight, ...(o.hypWeight !== undefined ? { hyp_weight: o.hypWeight } : {}), flip: o.flip, ...(o.ema ? { ema: o.ema } : {}),
    backbone: backbone.name, command: o.command, ...extra,
  });
  hooks.start?.(steps, resume?.step ?? 0);
  let last: StepInfo | undefined;
  const { model } = await trainDiffuser({
    config, source, steps, batch: o.batch, lr: o.lr, lrDecayAt: o.lrDecayAt, lrFactor: o.lrFactor, seed: o.seed,
    jparam: o.jparam, lambda: o.lambda, jparamMix: o.jparamMix, confWeight: o.confWeight, hypWeight: o.hypWeight, flip: o.flip, pinProb: o.pinProb, ema: o.ema, resume,
    checkpointEvery: o.checkpointEvery,
    onStep: (s) => {
      last = s;
      hooks.step?.(s);
      session.logStep(s);
    },
    onCheckpoint: async (c) => {
      const seconds = Math.round(session.seconds());
      await saveModelDir(o.out, c.model, {
        training: training({ step: c.step, seconds }), optimizer: c.optimizer,
        state: { step: c.step, steps, options: JSON.parse(JSON.stringify(options)), seconds },
      });
    },
  });
  hooks.stop?.();
  let val: MetricsResult | undefined;
  let valVsInit: ValVsInit | undefined;
  if (o.val) {
    hooks.log(`evaluating on ${o.val}`);
    const { scores, ...metrics } = await evaluateModel(model, backbone, { data: o.val, seed: 1 });
    val = metrics;
    // fine-tuning: did it beat the model it started from, scene by scene on the same validation samples?
    if (o.init) {
      hooks.log(`evaluating the --init model on ${o.val}`);
      const { model: start } = await readModelDir(o.init);
      try {
        const { scores: startScores, ...startMetrics } = await evaluateModel(start, backbone, { data: o.val, seed: 1 });
        valVsInit = { init: o.init, init_metrics: startMetrics, difference: comparePaired(scores, startScores) };
      } finally {
        start.dispose();
      }
    }
  }
  const stats = baselineStats(source.indices.map((i) => samples[i]));
  const seconds = session.seconds();
  await saveModelDir(o.out, model, {
    training: training({
      step: steps, seconds: Math.round(seconds), final_loss: last?.loss,
      ...(val ? { val: o.val, val_metrics: val } : {}), ...(valVsInit ? { val_vs_init: valVsInit } : {}),
    }),
    baseline: stats,
  });
  // the final directory keeps config.json + weights.bin + baseline.json.gz; optimiser state stays for resume
  session.logDone({ done: true, steps, seconds: Math.round(seconds), val });
  return {
    out: o.out, samples: source.size, steps, resumedFrom: resume?.step ?? 0, seconds, finalLoss: last?.loss ?? NaN, val, valVsInit,
    parameters: model.parameterCount,
  };
}

/** The trained model against its `--init` model on the validation set (`difference` = trained minus init). */
export interface ValVsInit { init: string; init_metrics: MetricsResult; difference: PairedDifference }

/**
 * A new model of `config` holding the weights of the model in `dir`, which must have the same architecture. The
 * pin input may be added (fine-tuning a trained model into one that takes pins) and the vocabularies may grow:
 * every category and action the trained model knows must be in this run's, and keeps its embedding row; new ones
 * start from the fresh initialisation (fine-tuning on data with new objects or actions).
 */
async function initialModel(dir: string, config: ModelConfig, seed: number): Promise<{ model: Diffuser; pinAdded: boolean }> {
  const { model: from } = await readModelDir(dir); // its own copy: disposed below
  const strip = (c: ModelConfig) => JSON.stringify({ ...c, jointSpace: c.jointSpace ?? 'crop', pinInput: undefined, hypotheses: undefined, hypothesisAssign: undefined, categories: undefined, actions: undefined });
  const lost = (had: readonly string[], now: readonly string[]) => had.filter((n) => !now.includes(n));
  const missing = [...lost(from.config.categories, config.categories), ...lost(from.config.actions, config.actions)];
  if (strip(from.config) !== strip(config) || missing.length || (from.config.categories.length > 0) !== (config.categories.length > 0) || (from.config.actions.length > 0) !== (config.actions.length > 0)) {
    from.dispose();
    const why = missing.length ? `this run's data lacks ${missing.slice(0, 3).map((n) => `"${n}"`).join(', ')}${missing.length > 3 ? ', ...' : ''}` : 'its architecture or backbone differs from this run\'s';
    throw new UsageError(`--init ${dir}: ${why}`);
  }
  const model = new Diffuser(config, seed);
  // embedding rows: 0 = unknown, i + 1 = vocabulary entry i
  const rows: Record<string, [readonly string[], readonly string[]]> = { 'obj.cat': [from.config.categories, config.categories], 'obj.act': [from.config.actions, config.actions] };
  for (const [name, v] of model.params.entries()) {
    if (!(from.params.vars.has(name) || from.params.state.has(name))) continue;
    const old = from.params.get(name);
    const vocab = rows[name];
    if (!vocab || old.shape[0] === v.shape[0] && vocab[0].every((n, i) => vocab[1][i] === n)) { v.assign(old); continue; }
    const oldRows = old.arraySync() as number[][];
    const merged = (v.arraySync() as number[][]).map((fresh, r) => (r === 0 ? oldRows[0] : vocab[0].includes(vocab[1][r - 1]) ? oldRows[vocab[0].indexOf(vocab[1][r - 1]) + 1] : fresh));
    v.assign(tf.tensor2d(merged));
  }
  const pinAdded = !!config.pinInput && !from.config.pinInput;
  from.dispose();
  return { model, pinAdded };
}

export { deserializeModel };
