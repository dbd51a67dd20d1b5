import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend.ts';
import { runCli } from '../cli/run-cli.ts';
import { CompactCnn } from '../../src/skeleton/compact-cnn.ts';
import { trainOnData, type TrainRunOptions } from '../../src/skeleton/train-node.ts';
import { UsageError } from '../../src/errors.ts';

await initBackend('wasm');

/** Weights of a saved model by name. */
async function weights(dir: string): Promise<Map<string, Float32Array>> {
  const meta = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { weights: Array<{ name: string; shape: number[]; offset: number }> };
  const bin = await readFile(join(dir, 'weights.bin'));
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return new Map(meta.weights.map((w) => [w.name, all.slice(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1))]));
}

describe('train --init (fine-tuning, adding the pin input)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pinplace-init-'));
  const data = join(root, 'data');
  expect((await runCli(['synth', '--out', data, '--count', '4', '--seed', '5', '--kind', 'hoi', '--size', '256,256'])).code).toBe(0);
  // a tiny model on a tiny trainable backbone keeps this fast; the backbone's features are what the run caches
  const backbone = new CompactCnn({ inputSize: 32, channels: [4, 8] }, 1).asBackbone('tiny_test_cnn');
  const base: TrainRunOptions = {
    data, out: '', steps: 2, batch: 4, seed: 1, lr: 1e-3, lrDecayAt: [], lrFactor: 10, jparam: 'code', confWeight: 1,
    flip: true, model: { embedDim: 8, heads: 2, depth: 1 }, useCategory: true, useAction: true, checkpointEvery: 100, backbone,
  };
  const logs: string[] = [];
  const hooks = { log: (l: string) => { logs.push(l); } };
  const first = join(root, 'first');
  await trainOnData({ ...base, out: first }, hooks);

  it('starts from the given weights and adds a zero pin input', async () => {
    const second = join(root, 'second');
    await trainOnData({ ...base, out: second, init: first, lr: 1e-8, model: { ...base.model, pinInput: true } }, hooks);
    expect(logs.some((l) => l.includes(`starting from the weights of ${first} (pin input added`))).toBe(true);
    const a = await weights(first), b = await weights(second);
    expect(b.has('pin.w')).toBe(true);
    let maxd = 0;
    for (const [name, v] of a) {
      if (name.endsWith('bn.mean') || name.endsWith('bn.var')) continue; // running statistics move with every batch
      const w = b.get(name)!;
      for (let i = 0; i < v.length; i++) maxd = Math.max(maxd, Math.abs(v[i] - w[i]));
    }
    expect(maxd).toBeLessThan(1e-5); // two Adam steps at 1e-8 barely move a weight
    expect(Math.max(...b.get('pin.w')!.map(Math.abs))).toBeLessThan(1e-5);
    const config = JSON.parse(await readFile(join(second, 'config.json'), 'utf8'));
    expect(config.config.pinInput).toBe(true);
  });

  it('adds pose hypotheses: the trained x0 head is kept, the candidates start at (near) zero offsets', async () => {
    const hyp = join(root, 'hyp');
    await trainOnData({ ...base, out: hyp, init: first, lr: 1e-8, model: { ...base.model, hypotheses: 2, hypothesisAssign: 'hand' } }, hooks);
    const a = await weights(first), b = await weights(hyp);
    for (const name of ['head.fc.w', 'head.fc.b']) {
      const v = a.get(name)!, w = b.get(name)!;
      for (let i = 0; i < v.length; i++) expect(Math.abs(v[i] - w[i])).toBeLessThan(1e-5);
    }
    expect(Math.max(...b.get('hyp.joint')!.map(Math.abs))).toBeLessThan(1e-5);
    expect(b.get('hyp.delta.w')).toHaveLength(8 * 4);
    const config = JSON.parse(await readFile(join(hyp, 'config.json'), 'utf8'));
    expect(config.config.hypotheses).toBe(2);
    expect(config.config.hypothesisAssign).toBe('hand');
  });

  it('refuses a model of another architecture with a one-line error', async () => {
    await expect(trainOnData({ ...base, out: join(root, 'third'), init: first, model: { ...base.model, depth: 2 } }, hooks))
      .rejects.toThrow(UsageError);
    await expect(trainOnData({ ...base, out: join(root, 'third'), init: first, model: { ...base.model, depth: 2 } }, hooks))
      .rejects.toThrow(/^--init .*first: its architecture or backbone differs from this run's$/);
    // refused before training: no output directory
    expect(existsSync(join(root, 'third'))).toBe(false);
  });

  it('grows the vocabularies: known categories and actions keep their rows, new ones start fresh', async () => {
    // the same seed makes the first 4 scenes again, so the 12 scenes' vocabularies contain the 4 scenes' ones
    const more = join(root, 'more');
    expect((await runCli(['synth', '--out', more, '--count', '12', '--seed', '5', '--kind', 'hoi', '--size', '256,256'])).code).toBe(0);
    const grown = join(root, 'grown');
    await trainOnData({ ...base, data: more, out: grown, init: first, lr: 1e-8 }, hooks);
    const ca = JSON.parse(await readFile(join(first, 'config.json'), 'utf8')).config, cb = JSON.parse(await readFile(join(grown, 'config.json'), 'utf8')).config;
    const added = [...cb.categories.filter((n: string) => !ca.categories.includes(n)), ...cb.actions.filter((n: string) => !ca.actions.includes(n))];
    expect(added.length).toBeGreaterThan(0);
    const a = await weights(first), b = await weights(grown);
    const E = base.model!.embedDim!;
    const row = (w: Float32Array, r: number) => Array.from(w.subarray(r * E, (r + 1) * E));
    for (const [param, key] of [['obj.cat', 'categories'], ['obj.act', 'actions']] as const) {
      expect(row(b.get(param)!, 0)).toEqual(row(a.get(param)!, 0).map((v) => expect.closeTo(v, 5))); // unknown
      ca[key].forEach((n: string, i: number) => {
        const j = cb[key].indexOf(n);
        expect(row(b.get(param)!, j + 1)).toEqual(row(a.get(param)!, i + 1).map((v) => expect.closeTo(v, 5)));
      });
    }
    // and back: the small data set lacks what the grown model knows
    await expect(trainOnData({ ...base, out: join(root, 'shrunk'), init: grown }, hooks)).rejects.toThrow(/^--init .*grown: this run's data lacks "/);
  });

  it('a resumed run reports the training time of all its runs, not only its own', async () => {
    const dir = join(root, 'resumed');
    await trainOnData({ ...base, out: dir, steps: 2, checkpointEvery: 1 }, hooks);
    const state = JSON.parse(await readFile(join(dir, 'train-state.json'), 'utf8'));
    expect(state.step).toBe(2);
    expect(state.seconds).toBeGreaterThanOrEqual(0);
    // as if the runs up to that checkpoint had taken an hour; the next run goes on to step 4
    await writeFile(join(dir, 'train-state.json'), JSON.stringify({ ...state, seconds: 3600 }));
    const report = await trainOnData({ ...base, out: dir, steps: 4, checkpointEvery: 1 }, hooks);
    expect(report.resumedFrom).toBe(2);
    expect(report.seconds).toBeGreaterThanOrEqual(3600);
    expect(report.seconds).toBeLessThan(3600 + 600);
    const training = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).training;
    expect(training.seconds).toBeGreaterThanOrEqual(3600);
    expect(JSON.parse(await readFile(join(dir, 'train-state.json'), 'utf8')).seconds).toBeGreaterThanOrEqual(3600);
  });

  it('with --val and --init, also scores the starting model on the validation set and reports the paired difference', async () => {
    const dir = join(root, 'vs-init');
    const report = await trainOnData({ ...base, out: dir, init: first, val: data, lr: 1e-2 }, hooks);
    const vi = report.valVsInit!;
    expect(vi.init).toBe(first);
    expect(vi.difference.samples).toBe(report.val!.scored);
    expect(vi.difference.spd).toBeCloseTo(report.val!.spd - vi.init_metrics.spd, 9);
    expect(vi.difference.top1).toBeCloseTo(report.val!.top1 - vi.init_metrics.top1, 9);
    const training = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).training;
    expect(training.val_vs_init.init).toBe(first);
    expect(training.val_vs_init.difference.samples).toBe(report.val!.scored);
    // the stored metrics are the figures, not every sample's scores
    expect(training.val_metrics.scores).toBeUndefined();
    expect(training.val_metrics.standard_error).toBeDefined();
    // no --init: nothing to compare with
    const plain = await trainOnData({ ...base, out: join(root, 'no-init'), val: data }, hooks);
    expect(plain.valVsInit).toBeUndefined();
  });

  it('writes the training log in step order', async () => {
    const dir = join(root, 'logged');
    await trainOnData({ ...base, out: dir, steps: 60 }, hooks);
    const lines = (await readFile(join(dir, 'train-log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const steps = lines.filter((l) => l.step !== undefined).map((l) => l.step);
    expect(steps).toEqual([10, 20, 30, 40, 50, 60]);
    expect(lines.at(-1).done).toBe(true);
    // a new training into the same directory (here from --init's weights) starts a new log
    await trainOnData({ ...base, out: dir, steps: 20, init: first }, hooks);
    const again = (await readFile(join(dir, 'train-log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(again.filter((l) => l.step !== undefined).map((l) => l.step)).toEqual([10, 20]);
  });
});
