/** `pinplace eval`: official top-N / SPD of the model (or a baseline) on a data set. */
import type { CommandDef } from '../command.ts';
import { parseChoiceFlag, parseIntFlag, requireOption, parseSeed } from '../options.ts';
import { UsageError } from '../../errors.ts';
import { initBackend } from '../../backend.ts';
import { DEFAULT_MODEL_DIR, loadModelDir, readBaselineStats } from '../../skeleton/model-store-node.ts';
import { evaluateBaseline, evaluateModel, type EvalResult } from '../../skeleton/eval-node.ts';
import { loadBackbone } from '../../skeleton/backbone-node.ts';
import { readHoiSamples } from '../../skeleton/dataset-node.ts';
import { baselineStats, type BaselineStats } from '../../skeleton/baselines.ts';
import { comparePaired, type MetricsResult } from '../../skeleton/metrics.ts';

/** Percentages to 4 decimals, SPD to 6, in the JSON results. */
const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** A difference with its sign: +0.2, -0.0028. */
export const signed = (v: number, digits: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

/** Standard errors as the JSON gives them: points to 4 decimals, SPD to 6. */
const roundedErrors = (se: { top1: number; top3: number; top5: number; spd: number }) =>
  ({ top1: r4(se.top1), top3: r4(se.top3), top5: r4(se.top5), spd: r6(se.spd) });

/** The SPEC result object plus the literal top-N and bookkeeping. */
export function metricsJson(r: MetricsResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    samples: r.samples, top1: r4(r.top1), top3: r4(r.top3), top5: r4(r.top5), spd: r6(r.spd),
    top1_literal: r4(r.top1_literal), top3_literal: r4(r.top3_literal), top5_literal: r4(r.top5_literal),
    scored: r.scored, spd_nan: r.spd_nan,
    standard_error: roundedErrors(r.standard_error),
    ...extra,
  };
}

export function printMetrics(out: (l: string) => void, label: string, r: MetricsResult): void {
  out(`${label}: ${r.samples} samples (${r.scored} scored)`);
  out(`  top-1 ${r.top1.toFixed(1)} %  top-3 ${r.top3.toFixed(1)} %  top-5 ${r.top5.toFixed(1)} %  SPD ${r.spd.toFixed(4)}`);
  out(`  literal top-N: ${r.top1_literal.toFixed(1)} / ${r.top3_literal.toFixed(1)} / ${r.top5_literal.toFixed(1)} %`);
  const se = r.standard_error;
  if (Number.isFinite(se.spd)) out(`  standard error: top-1 ${se.top1.toFixed(1)}  top-3 ${se.top3.toFixed(1)}  top-5 ${se.top5.toFixed(1)} points  SPD ${se.spd.toFixed(4)}`);
}

/** Print what `eval` found beside the official metrics and return its JSON keys. */
function reportExtras(out: (l: string) => void, r: EvalResult): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  const b = r.bestOf;
  if (b) {
    out(`  best of ${b.n} (oracle: the sample nearest the ground truth): top-1 ${b.top1.toFixed(1)} %  top-3 ${b.top3.toFixed(1)} %  top-5 ${b.top5.toFixed(1)} %  SPD ${b.spd.toFixed(4)}`);
    extra.best_of_n = { n: b.n, top1: r4(b.top1), top3: r4(b.top3), top5: r4(b.top5), spd: r6(b.spd) };
  }
  if (r.byInteraction) {
    out('  per interaction, largest share of the SPD first:');
    out(`  ${'interaction'.padEnd(28)} ${'n'.padStart(5)} ${'top-1'.padStart(7)} ${'top-5'.padStart(7)} ${'SPD'.padStart(7)} ${'share'.padStart(6)}`);
    for (const { interaction, metrics: m, spdShare } of r.byInteraction) {
      out(`  ${interaction.padEnd(28)} ${String(m.scored).padStart(5)} ${m.top1.toFixed(1).padStart(7)} ${m.top5.toFixed(1).padStart(7)} ${m.spd.toFixed(4).padStart(7)} ${(100 * spdShare).toFixed(1).padStart(5)}%`);
    }
    extra.by_interaction = r.byInteraction.map(({ interaction, metrics: m, spdShare }) => ({
      interaction, samples: m.samples, scored: m.scored, top1: r4(m.top1), top3: r4(m.top3), top5: r4(m.top5), spd: r6(m.spd), spd_share: r4(spdShare),
    }));
  }
  return extra;
}

export const evalCommand: CommandDef = {
  name: 'eval',
  summary: 'Evaluate the skeleton model (or a baseline) on a data set with the official metrics',
  options(cmd) {
    cmd.option('--data <dir>', 'data set to evaluate on')
      .option('--model <dir>', 'model directory (default: the shipped model)')
      .option('--baseline <kind>', 'mean | nearest instead of the model')
      .option('--train <dir>', 'training set for the baseline statistics (default: those stored with the model)')
      .option('--seed <s>', 'sampling seed (the official test seed is 1)', '1')
      .option('--sampler <kind>', 'official | ddim', 'official')
      .option('--samples <n>', 'samples per input; the one generate ranks first (the medoid, or the most probable pose hypothesis) is scored, and with n > 1 also the best of the n (an oracle: what the samples cover)', '1')
      .option('--by-interaction', 'also score each action/category on its own, largest share of the SPD first')
      .option('--against <what>', 'also evaluate another model directory, or mean | nearest, on the same samples and report the difference with its paired standard error');
  },
  async run(opts, io) {
    const data = String(requireOption(opts.data, '--data'));
    const modelDir = opts.model ? String(opts.model) : DEFAULT_MODEL_DIR;
    const seed = parseSeed(opts.seed);
    const sampler = parseChoiceFlag(opts.sampler, '--sampler', ['official', 'ddim'] as const);
    const samples = parseIntFlag(opts.samples, '--samples', 1, 64);
    const byInteraction = opts.byInteraction === true;
    const against = opts.against === undefined ? undefined : String(opts.against);
    if (against === '') throw new UsageError('--against needs a model directory, mean or nearest');
    // the baselines' statistics: --train's, or those stored with the model (read once, when a baseline needs them)
    let stats: BaselineStats | undefined;
    const baselineStatsFor = async (flag: string): Promise<BaselineStats> => {
      if (stats) return stats;
      const s = opts.train ? baselineStats(await readHoiSamples(String(opts.train))) : await readBaselineStats(modelDir);
      if (!s) throw new UsageError(`${flag} needs training statistics: ${modelDir} has no baseline statistics (baseline.json.gz); pass --train DIR`);
      return (stats = s);
    };
    /** A baseline kind or a model directory, loaded (so a bad one fails before anything is printed), and how to run it. */
    const prepare = async (what: { baseline: 'mean' | 'nearest'; flag: string } | { model: string }) => {
      if ('baseline' in what) {
        const st = await baselineStatsFor(what.flag);
        return {
          label: `baseline ${what.baseline}`, json: { baseline: what.baseline },
          run: (extras: boolean) => evaluateBaseline(what.baseline, st, data, { byInteraction: extras && byInteraction }),
        };
      }
      await initBackend();
      const { model } = await loadModelDir(what.model);
      const backbone = await loadBackbone(model.config);
      return {
        label: `model ${what.model}`, json: { model: what.model, sampler, seed, samples_per_input: samples },
        run: (extras: boolean) => evaluateModel(model, backbone, { data, seed, sampler: { kind: sampler }, samples, byInteraction: extras && byInteraction }),
      };
    };
    const first = await prepare(opts.baseline !== undefined
      ? { baseline: parseChoiceFlag(opts.baseline, '--baseline', ['mean', 'nearest'] as const), flag: '--baseline' }
      : { model: modelDir });
    const second = against === undefined ? undefined
      : await prepare(against === 'mean' || against === 'nearest' ? { baseline: against, flag: '--against' } : { model: against });
    const r = await first.run(true);
    printMetrics(io.out, `${first.label} on ${data}`, r);
    const out = metricsJson(r, { ...first.json, ...reportExtras(io.out, r) });
    if (!second) return out;
    const other = await second.run(false);
    printMetrics(io.out, `against ${second.label}`, other);
    const d = comparePaired(r.scores, other.scores);
    const rel = other.spd > 0 ? ` (${signed((100 * d.spd) / other.spd, 1)} %)` : '';
    io.out(`difference (first minus against), paired over ${d.samples} samples, ± one standard error:`);
    io.out(`  top-1 ${signed(d.top1, 1)} ± ${d.standard_error.top1.toFixed(1)}  top-3 ${signed(d.top3, 1)} ± ${d.standard_error.top3.toFixed(1)}  top-5 ${signed(d.top5, 1)} ± ${d.standard_error.top5.toFixed(1)} points  SPD ${signed(d.spd, 4)} ± ${d.standard_error.spd.toFixed(4)}${rel}`);
    return {
      ...out,
      against: metricsJson(other, second.json),
      difference: {
        samples: d.samples, top1: r4(d.top1), top3: r4(d.top3), top5: r4(d.top5), spd: r6(d.spd),
        standard_error: roundedErrors(d.standard_error),
      },
    };
  },
};
