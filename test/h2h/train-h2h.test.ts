import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../cli/run-cli.ts';
import { DEFAULT_TRAIN_H2H, trainH2h } from '../../src/h2h/train-h2h-node.ts';
import { readH2hSamples } from '../../src/h2h/h2h-data-node.ts';
import { parseSkeletonFile } from '../../src/data/formats.ts';
import { writeH2hFixture } from './h2h-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinplace-h2h-train-'));
const data = join(dir, 'data');
const modelDir = join(dir, 'model');
let scene: Awaited<ReturnType<typeof writeH2hFixture>>;

beforeAll(async () => {
  scene = await writeH2hFixture(data, 3);
  await trainH2h({ ...DEFAULT_TRAIN_H2H, data, out: modelDir, steps: 3, batch: 4, checkpointEvery: 2, model: { depth: 1, heads: 4 } });
}, 120_000);

describe('h2h data, training and the shipped-model path', () => {
  it('reads partners through partner_id (visibility -> confidence), drops the drawn partner as a target', async () => {
    const s = await readH2hSamples(data);
    expect(s).toHaveLength(3);
    expect(s[0].partner.keypoints).toHaveLength(17);
    expect(s[0].partner.keypoints[0][2]).toBe(1);
    expect(s[0].partner.box).toEqual(s[0].objectBox);
    expect(s.map((x) => x.action)).toEqual(['handshake', 'high-five', 'handshake']);
  });

  it('the source cycles through the exact partner and perturbed versions; flips mirror the tokens', async () => {
    const { h2hSource } = await import('../../src/h2h/train-h2h-node.ts');
    const { mobileNetV2Backbone } = await import('../../src/skeleton/features.ts');
    const { DEFAULT_MODEL_CONFIG } = await import('../../src/skeleton/constants.ts');
    const bb = await mobileNetV2Backbone();
    const cfg = { ...DEFAULT_MODEL_CONFIG, extraTokens: 17, imageFeatureDim: bb.globalDim, objectFeatureDim: bb.mapDim };
    const src = await h2hSource(await readH2hSamples(data), cfg, bb, data);
    const seen = Array.from({ length: 5 }, () => Array.from(src.example(0, false).extra!));
    expect(seen[0]).toEqual(Array.from(src.exact(0).extra!));
    expect(seen[1]).not.toEqual(seen[0]);
    expect(seen[4]).toEqual(seen[0]);
    const plain = src.exact(0).extra!, flipped = src.exact(0, true).extra!;
    // token 9 (left wrist) of the flipped crop is the mirrored right wrist (token 10): u -> 1 - u
    expect(flipped[9 * 32 + 18]).toBeCloseTo(-plain[10 * 32 + 18], 5);
    const plainOnly = await h2hSource(await readH2hSamples(data), cfg, bb, data, { augment: false });
    expect(Array.from(plainOnly.example(0, false).extra!)).toEqual(Array.from(plainOnly.example(0, false).extra!));
  });

  it('writes an h2h model directory (17 partner tokens, the actions, baselines)', () => {
    const cfg = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
    expect(cfg.config.extraTokens).toBe(17);
    expect(cfg.config.actions).toEqual(['handshake', 'high-five']);
    expect(cfg.config.categories).toEqual(['person']);
    expect(cfg.training.mode).toBe('h2h');
    expect(existsSync(join(modelDir, 'baseline.json.gz'))).toBe(true);
    // the training log: the last step, then the closing line
    const log = readFileSync(join(modelDir, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.step ?? 'done')).toEqual([3, 'done']);
    expect(log[1]).toMatchObject({ done: true, steps: 3 });
  });

  it('a second run with more steps resumes the checkpoint and continues the log', async () => {
    const out = join(dir, 'resumed');
    const o = { ...DEFAULT_TRAIN_H2H, data, out, batch: 4, checkpointEvery: 1, model: { depth: 1, heads: 4 } };
    const a = await trainH2h({ ...o, steps: 2 });
    expect(a.resumedFrom).toBe(0);
    const b = await trainH2h({ ...o, steps: 4 });
    expect(b.resumedFrom).toBe(2);
    expect(b.steps).toBe(4);
    expect(b.seconds).toBeGreaterThanOrEqual(Math.floor(a.seconds));
    const log = readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.step ?? 'done')).toEqual([2, 'done', 4, 'done']);
  }, 120_000);

  it('pinplace h2h writes skeleton.json with the partner and both people in openpose.json; same seed, same output', async () => {
    const partnerFile = join(dir, 'partner.json');
    writeFileSync(partnerFile, JSON.stringify({ keypoints: scene.partner }));
    const args = ['h2h', '--image', join(data, 'images', '000.png'), '--person', scene.personBox.join(','), '--partner', scene.partnerBox.join(','),
      '--partner-keypoints', partnerFile, '--action', 'handshake', '--samples', '3', '--seed', '5', '--model', modelDir];
    const a = await run([...args, '--out', join(dir, 'out-a'), '--json']);
    expect(a.code, a.err).toBe(0);
    const skel = parseSkeletonFile(JSON.parse(readFileSync(join(dir, 'out-a', 'skeleton.json'), 'utf8')));
    expect(skel.samples).toHaveLength(3);
    expect(skel.partner?.box).toEqual(scene.partnerBox);
    expect(skel.object_box).toEqual(scene.partnerBox);
    expect(skel.action).toBe('handshake');
    expect(JSON.parse(readFileSync(join(dir, 'out-a', 'openpose.json'), 'utf8')).people).toHaveLength(2);
    for (const f of ['pose.png', 'mask.png', 'overlay.png']) expect(existsSync(join(dir, 'out-a', f))).toBe(true);
    const b = await run([...args, '--out', join(dir, 'out-b')]);
    expect(b.code, b.err).toBe(0);
    expect(readFileSync(join(dir, 'out-b', 'skeleton.json'), 'utf8').replace(/"ms": \d+/, '')).toBe(readFileSync(join(dir, 'out-a', 'skeleton.json'), 'utf8').replace(/"ms": \d+/, ''));
  });

  it('pinplace h2h detects the partner when no file is given', async () => {
    const r = await run(['h2h', '--image', join(data, 'images', '000.png'), '--person', scene.personBox.join(','), '--partner', scene.partnerBox.join(','), '--model', modelDir, '--out', join(dir, 'out-d'), '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n').pop()!).partner_source).toBe('detected');
  });

  it('an unknown action and a non-h2h model directory are one-line errors', async () => {
    const base = ['h2h', '--image', join(data, 'images', '000.png'), '--person', scene.personBox.join(','), '--partner', scene.partnerBox.join(','), '--partner-keypoints', join(dir, 'partner.json')];
    const a = await run([...base, '--model', modelDir, '--action', 'juggle', '--out', join(dir, 'x')]);
    expect(a.err).toMatch(/--action must be one of handshake, high-five, got "juggle"/);
    const cfg = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
    cfg.config.extraTokens = 0;
    const other = join(dir, 'hoi-model');
    await import('node:fs').then((fs) => { fs.mkdirSync(other); fs.writeFileSync(join(other, 'config.json'), JSON.stringify(cfg)); fs.copyFileSync(join(modelDir, 'weights.bin'), join(other, 'weights.bin')); });
    const b = await run([...base, '--model', other, '--out', join(dir, 'y')]);
    expect(b.err).toMatch(/is not an h2h model \(extraTokens 0/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect(existsSync(join(dir, 'y'))).toBe(false);
  });

  it('pinplace h2h-eval reports the model and both baselines', async () => {
    const r = await run(['h2h-eval', '--data', data, '--model', modelDir, '--samples', '2', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(j.scenes).toBe(3);
    expect(j.result.metrics.scored).toBe(3);
    expect(j.result.handContact.samples).toBe(6);
    expect(j.baselines.mean.metrics.scored).toBe(3);
    expect(j.baselines.nearest.handContact.gtRate).toBe(100);
  });

  it('pinplace h2h-eval generates odd samples from the mirror image unless --no-mirror', async () => {
    const args = ['h2h-eval', '--data', data, '--model', modelDir, '--samples', '2', '--json'];
    const [m, plain] = [await run(args), await run([...args, '--no-mirror'])];
    expect(m.code, m.err).toBe(0);
    expect(plain.code, plain.err).toBe(0);
    const [jm, jp] = [m, plain].map((r) => JSON.parse(r.out.trim().split('\n').pop()!));
    expect(jm.mirror).toBe(true);
    expect(jp.mirror).toBe(false);
    expect(jm.result.handContact.medianDistance).not.toBe(jp.result.handContact.medianDistance);
  });

  it('pinplace h2h-eval --partner detected conditions on detected partners and reports how well they were found', async () => {
    const r = await run(['h2h-eval', '--data', data, '--model', modelDir, '--samples', '1', '--partner', 'detected', '--limit', '2', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(j.scenes).toBe(2);
    expect(j.partner_detection.found).toBe(100);
    expect(j.partner_detection.medianJointError).toBeLessThan(0.05);
  });
});
