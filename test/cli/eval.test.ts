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
});
