import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../cli/run-cli.ts';
import { editCommand } from '../../src/cli/commands/edit.ts';
import { encodePng } from '../../src/io/image.ts';
import { toOpenPoseJson } from '../../src/edit/openpose-map.ts';
import { startFakeComfyUI, type FakeComfy } from '../../src/edit/testing/fake-comfyui.ts';
import { startFakeA1111, type FakeA1111 } from '../../src/edit/testing/fake-a1111.ts';
import { closedPort, H, scene, skeletonFile, standing, W } from './helpers.ts';
import { fileURLToPath } from 'node:url';

let dir: string;
let comfy: FakeComfy;
let hung: FakeComfy;
let broken: FakeComfy;
let failing: FakeComfy;
let a1111: FakeA1111;
let img: string;
let skel: string;
beforeAll(async () => {
  process.env.PINPLACE_POLL_MS = '10';
  dir = await mkdtemp(join(tmpdir(), 'pinplace-cli-edit-'));
  [comfy, hung, broken, failing, a1111] = await Promise.all([
    startFakeComfyUI(), startFakeComfyUI({ behaviour: 'hang' }), startFakeComfyUI({ behaviour: 'http500' }),
    startFakeComfyUI({ behaviour: 'execution-error' }), startFakeA1111(),
  ]);
  img = join(dir, 'scene.png');
  skel = join(dir, 'skeleton.json');
  await writeFile(img, await encodePng(scene()));
  await writeFile(skel, JSON.stringify(skeletonFile()));
});
afterAll(async () => {
  delete process.env.PINPLACE_POLL_MS;
  await Promise.all([comfy.close(), hung.close(), broken.close(), failing.close(), a1111.close()]);
  await rm(dir, { recursive: true, force: true });
});

const base = (): string[] => ['edit', '--image', img, '--skeleton', skel, '--prompt', 'a person sitting on the chair'];

describe('pinplace edit', () => {
  it('ComfyUI (the default API): writes edited.png, the guidance files and workflow.json; --json result', async () => {
    const out = join(dir, 'comfy');
    const r = await run([...base(), '--server', comfy.url, '--out', out, '--steps', '5', '--seed', '3', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(res).toMatchObject({ api: 'comfyui', seed: 3, steps: 5, checkpoint: 'sd-v1-5-inpainting.ckpt', edited: join(out, 'edited.png') });
    expect((await readdir(out)).sort()).toEqual(['edit.json', 'edited.png', 'mask.png', 'masked.png', 'openpose.json', 'overlay.png', 'pose.png', 'workflow.json']);
    const prompt = comfy.log.prompts[comfy.log.prompts.length - 1].prompt as Record<string, { inputs: Record<string, unknown> }>;
    expect(prompt['11'].inputs).toMatchObject({ seed: 3, steps: 5 });
  });

  it('AUTOMATIC1111 with an OpenPose JSON skeleton', async () => {
    const out = join(dir, 'a1111');
    const op = join(dir, 'openpose.json');
    await writeFile(op, JSON.stringify(toOpenPoseJson([standing()], W, H)));
    const r = await run(['edit', '--image', img, '--skeleton', op, '--prompt', 'a person', '--server', a1111.url, '--api', 'a1111', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^painted on a1111 at http:\/\/127\.0\.0\.1:\d+ with sd-v1-5-inpainting\.ckpt \[c6bbc15e32\] \+ control_v11p_sd15_openpose \[cab727d4\]/);
    expect(await readdir(out)).toContain('a1111-request.json');
  });

  it('draws a progress bar on a terminal and logs the phases with --verbose', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(`out ${l}`), err: (l: string) => lines.push(`err ${l}`), debug: (l: string) => lines.push(`debug ${l}`), json: false, verbose: true, progress: true };
    const writes: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => { writes.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      const res = await editCommand.run({ image: img, skeleton: skel, server: comfy.url, prompt: 'a person', steps: '8', out: join(dir, 'bar') }, io);
      expect(res).toMatchObject({ steps: 8 });
    } finally {
      process.stderr.write = write;
    }
    expect(writes.join('')).toMatch(/comfyui \[[^\]]+\] \d\/8 steps/);
    expect(lines).toEqual(expect.arrayContaining(['debug edit: checking', 'debug edit: uploading', 'debug edit: sampling']));
  });

  const failures: Array<[string, () => Promise<string[]>, number, RegExp]> = [
    ['a hung job and --timeout', async () => ['--server', hung.url, '--timeout', '1.5'], 1, /^pinplace edit: ComfyUI at \S+ did not finish within 1\.5 s; prompt \S+ was interrupted on the server\n$/],
    ['an unreachable server', async () => ['--server', `http://127.0.0.1:${await closedPort()}`], 1, /^pinplace edit: cannot reach ComfyUI at \S+ \(ECONNREFUSED\); is the server running at that address\?\n$/],
    ['HTTP 500 from the server', async () => ['--server', broken.url], 1, /^pinplace edit: ComfyUI at \S+ answered POST \/prompt with HTTP 500: 500 Internal Server Error Server got itself in trouble\n$/],
    ['an error while the job runs', async () => ['--server', failing.url], 1, /^pinplace edit: ComfyUI at \S+ failed in node 11 \(KSampler\): CUDA out of memory\. .*\n$/],
    ['an unknown checkpoint', async () => ['--server', comfy.url, '--checkpoint', 'x.ckpt'], 1, /^pinplace edit: checkpoint "x\.ckpt" is not installed on ComfyUI at \S+; installed: "sd-v1-5-inpainting\.ckpt", "v1-5-pruned-emaonly\.safetensors"\n$/],
    ['a bad --api', async () => ['--server', comfy.url, '--api', 'invoke'], 2, /^pinplace edit: --api must be one of comfyui, a1111, got "invoke"\n$/],
    ['a bad --timeout', async () => ['--server', comfy.url, '--timeout', '0'], 2, /^pinplace edit: --timeout must be a number in \[0\.001, 86400\], got "0"\n$/],
    ['no --server', async () => [], 2, /^pinplace edit: --server is required\n$/],
  ];
  it.each(failures)('%s: one line, non-zero exit, nothing written', async (_n, extra, code, re) => {
    const out = join(dir, `fail-${Math.random().toString(36).slice(2)}`);
    const r = await run([...base(), ...(await extra()), '--out', out]);
    expect(r.code, r.err).toBe(code);
    expect(r.err).toMatch(re);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('as a real process: exit code 1 and one stderr line when the server is down', async () => {
    const port = await closedPort();
    const out = join(dir, 'proc');
    const res = await promisify(execFile)('node', ['bin/pinplace.js', ...base(), '--server', `http://127.0.0.1:${port}`, '--out', out], { cwd: join(fileURLToPath(new URL('.', import.meta.url)), '..', '..') })
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr.trim().split('\n'), res.stderr).toHaveLength(1);
    expect(res.stderr).toMatch(/cannot reach ComfyUI/);
  }, 30_000);
});
