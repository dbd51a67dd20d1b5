import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';

describe('pinplace eval (a baseline, end to end)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pinplace-eval-'));
  const data = join(root, 'data');
  expect((await runCli(['synth', '--out', data, '--count', '6', '--seed', '9', '--kind', 'hoi', '--size', '256,256'])).code).toBe(0);

  it('prints the official metrics with their standard errors, and the same in JSON', async () => {
    const text = await runCli(['eval', '--data', data, '--baseline', 'mean', '--train', data]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/top-1 [\d.]+ %\s+top-3 [\d.]+ %\s+top-5 [\d.]+ %\s+SPD [\d.]+/);
    expect(text.out).toMatch(/standard error: top-1 [\d.]+\s+top-3 [\d.]+\s+top-5 [\d.]+ points\s+SPD [\d.]+/);
    const r = await runCli(['eval', '--data', data, '--baseline', 'mean', '--train', data, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').at(-1)!);
    expect(j.scored).toBe(6);
    for (const k of ['top1', 'top3', 'top5', 'spd']) expect(Number.isFinite(j.standard_error[k])).toBe(true);
    // the mean pose sits the same in every box, and its SPD varies from scene to scene
    expect(j.standard_error.spd).toBeGreaterThan(0);
  });

  it('--against scores a second predictor on the same samples and reports the paired difference', async () => {
    const args = ['eval', '--data', data, '--baseline', 'nearest', '--train', data, '--against', 'mean'];
    const text = await runCli(args);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/against baseline mean: 6 samples/);
    expect(text.out).toMatch(/difference \(first minus against\), paired over 6 samples, ± one standard error:\n\s+top-1 [+-][\d.]+ ± [\d.]+ .*SPD -[\d.]+ ± [\d.]+ \(-\d+\.\d %\)/);
    const r = await runCli([...args, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').at(-1)!);
    expect(j.baseline).toBe('nearest');
    expect(j.against.baseline).toBe('mean');
    expect(j.difference.samples).toBe(6);
    expect(j.difference.spd).toBeCloseTo(j.spd - j.against.spd, 5);
    expect(j.difference.top1).toBeCloseTo(j.top1 - j.against.top1, 3);
    // on its own training scenes the nearest sample is the scene itself (poses stored to 4 decimals): SPD about 0
    expect(j.spd).toBeLessThan(0.001);
    expect(j.difference.spd).toBeLessThan(0);
  });

  it('refuses an --against that is neither a model directory nor a baseline, with one line', async () => {
    const r = await runCli(['eval', '--data', data, '--baseline', 'mean', '--train', data, '--against', join(root, 'no-such-model')]);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe(''); // the bad model is found before anything is scored or printed
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/no-such-model/);
  });
});
