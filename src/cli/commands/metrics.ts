/** `pinplace metrics`: score external predictions with the official metrics. */
import { readFile } from 'node:fs/promises';
import type { CommandDef } from '../command.ts';
import { requireOption } from '../options.ts';
import { FormatError, UsageError } from '../../errors.ts';
import { parseJsonText } from '../../data/formats.ts';
import { readHoiSamples } from '../../skeleton/dataset-node.ts';
import { scorePredictions } from '../../skeleton/eval-node.ts';
import type { Keypoint } from '../../skeleton/topology.ts';
import { metricsJson, printMetrics } from './eval.ts';

/** Parse the predictions file: a JSON list of {annotation_id, object_index, keypoints: 17 x [x,y,c]}. */
export function parsePredictions(json: unknown, source: string): Map<string, Keypoint[]> {
  if (!Array.isArray(json)) throw new FormatError(`${source} must be a JSON list of {annotation_id, object_index, keypoints}`);
  const out = new Map<string, Keypoint[]>();
  json.forEach((p, i) => {
    const e = p as { annotation_id?: unknown; object_index?: unknown; keypoints?: unknown };
    if (!e || (typeof e.annotation_id !== 'number' && typeof e.annotation_id !== 'string')) throw new FormatError(`${source}[${i}].annotation_id must be a number or string`);
    const k = e.object_index ?? 0;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new FormatError(`${source}[${i}].object_index must be a non-negative integer`);
    const kps = e.keypoints;
    if (!Array.isArray(kps) || kps.length !== 17 || !kps.every((q) => Array.isArray(q) && q.length >= 2 && q.slice(0, 3).every((v: unknown) => typeof v === 'number' && Number.isFinite(v)))) {
      throw new FormatError(`${source}[${i}].keypoints must be 17 x [x, y, c] finite numbers`);
    }
    out.set(`${e.annotation_id}|${k}`, (kps as number[][]).map((q): Keypoint => [q[0], q[1], q[2] ?? 1]));
  });
  return out;
}

export const metricsCommand: CommandDef = {
  name: 'metrics',
  summary: 'Score external skeleton predictions against a data set with the official metrics',
  options(cmd) {
    cmd.option('--data <dir>', 'data set with the ground truth')
      .option('--pred <file>', 'JSON list of {annotation_id, object_index, keypoints}');
  },
  async run(opts, io) {
    const data = String(requireOption(opts.data, '--data'));
    const predFile = String(requireOption(opts.pred, '--pred'));
    let text: string;
    try { text = await readFile(predFile, 'utf8'); } catch { throw new UsageError(`predictions file not found: ${predFile}`); }
    const preds = parsePredictions(parseJsonText(text, predFile), predFile);
    const samples = await readHoiSamples(data);
    const keys = new Set(samples.map((s) => `${s.annotationId}|${s.objectIndex}`));
    const list = samples.map((s) => preds.get(`${s.annotationId}|${s.objectIndex}`) ?? null);
    const missing = list.filter((p) => p === null).length;
    const unmatched = [...preds.keys()].filter((k) => !keys.has(k)).length;
    if (missing === samples.length) throw new UsageError(`${predFile} has no prediction for any sample of ${data} (match on annotation_id and object_index)`);
    const r = scorePredictions(samples, list);
    printMetrics(io.out, `predictions ${predFile} on ${data}`, r);
    if (missing) io.err(`${missing} sample(s) had no prediction and count as misses`);
    if (unmatched) io.err(`${unmatched} prediction(s) match no sample and were ignored`);
    return metricsJson(r, { missing, unmatched });
  },
};
