import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run } from './run-cli.ts';
import { parseBodyFile, parseSkeletonFile, parseOpenPoseFile } from '../../src/data/formats.ts';
import { readSampleScene } from '../../src/cli/commands/demo.ts';

describe('pinplace demo', () => {
  it('generates and fits the bundled sample scene with the shipped model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinplace-demo-'));
    const saved = process.env.PINPLACE_SERVER;
    delete process.env.PINPLACE_SERVER;
    const r = await run(['demo', '--out', dir, '--samples', '2', '--json']).finally(() => {
      if (saved !== undefined) process.env.PINPLACE_SERVER = saved;
    });
    expect(r.err).not.toMatch(/pinplace demo:/);
    expect(r.code).toBe(0);
    const files = (await readdir(dir)).sort();
    for (const f of ['skeleton.json', 'openpose.json', 'pose.png', 'mask.png', 'overlay.png', 'body.json', 'body.glb', 'body.obj']) {
      expect(files).toContain(f);
    }
    const scene = await readSampleScene();
    const skel = parseSkeletonFile(JSON.parse(await readFile(join(dir, 'skeleton.json'), 'utf8')));
    expect(skel.samples).toHaveLength(2);
    expect(skel.person_box).toEqual(scene.person_box);
    expect(skel.category).toBe(scene.category);
    parseOpenPoseFile(JSON.parse(await readFile(join(dir, 'openpose.json'), 'utf8')));
    const body = parseBodyFile(JSON.parse(await readFile(join(dir, 'body.json'), 'utf8')));
    expect(body.joints2d).toHaveLength(17);
    const last = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(last.out).toBe(dir);
  });
});
