import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/edit/create-client.ts';
import { rasterToPng, shortHash } from '../../src/edit/png.ts';
import { startFakeComfyUI, type FakeComfy, type FakeComfyOptions } from '../../src/edit/testing/fake-comfyui.ts';
import { ServerError } from '../../src/errors.ts';
import type { EditProgress } from '../../src/edit/types.ts';
import { closedPort, request } from './helpers.ts';

let fake: FakeComfy | null = null;
afterEach(async () => { await fake?.close(); fake = null; });
async function start(o: FakeComfyOptions = {}): Promise<FakeComfy> {
  fake = await startFakeComfyUI(o);
  return fake;
}
const client = (url: string) => createClient('comfyui', { url, pollIntervalMs: 10 });
const isPng = (b: Uint8Array): boolean => b[0] === 0x89 && b[1] === 0x50;

/** Run and return the one-line error (fails the test when it succeeds). */
async function failure(p: Promise<unknown>): Promise<ServerError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ServerError);
  expect((err as Error).message).not.toMatch(/\n/);
  return err as ServerError;
}

describe('ComfyUI client against the fake server', () => {
  it('success: pre-flight, uploads by returned name, workflow queued, progress to the last step, PNG back', async () => {
    const f = await start();
    const progress: EditProgress[] = [];
    const r = await client(f.url).run(request(), { onProgress: (p) => progress.push(p) });
    expect(isPng(r.image)).toBe(true);
    expect(r.info).toMatchObject({ checkpoint: 'sd-v1-5-inpainting.ckpt', controlnet: 'control_v11p_sd15_openpose.pth' });
    const sampling = progress.filter((p) => p.phase === 'sampling');
    expect(sampling.map((p) => p.value)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sampling.every((p) => p.max === 6)).toBe(true);
    const wf = JSON.parse(r.files['workflow.json']);
    expect(f.log.uploads.map((u) => u.stored).sort()).toEqual([wf['2'].inputs.image, wf['3'].inputs.image, wf['5'].inputs.image].sort());
    expect(f.log.requests.filter((q) => q.startsWith('GET /object_info/'))).toHaveLength(10);
    expect(f.log.requests).toContain('GET /view');
    expect(f.log.prompts).toHaveLength(1);
  });

  it('uses the name the server gives when an upload clashes with a different file', async () => {
    const f = await start();
    const req = request();
    const png = await rasterToPng(req.pose);
    const name = `pinplace-${shortHash(png)}-pose.png`;
    f.inputs.set(name, Buffer.from('someone else\'s file'));
    const r = await client(f.url).run(req);
    const wf = JSON.parse(r.files['workflow.json']);
    expect(wf['5'].inputs.image).toBe(name.replace('.png', ' (1).png'));
  });

  it('picks an inpainting checkpoint and the openpose ControlNet by itself; a named one must be installed', async () => {
    const f = await start({ checkpoints: ['dreamshaper_8.safetensors', 'v1-5-pruned-emaonly.safetensors'] });
    const r = await client(f.url).run(request());
    expect(r.info.checkpoint).toBe('v1-5-pruned-emaonly.safetensors');
    const err = await failure(client(f.url).run(request({ checkpoint: 'sd_xl_base_1.0.safetensors' })));
    expect(err.message).toBe(`checkpoint "sd_xl_base_1.0.safetensors" is not installed on ComfyUI at ${f.url}; installed: "dreamshaper_8.safetensors", "v1-5-pruned-emaonly.safetensors"`);
  });

  it('unknown ControlNet model: the error lists what is installed', async () => {
    const f = await start({ controlnets: ['control_v11p_sd15_canny.pth'] });
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toMatch(/no OpenPose ControlNet model installed .*installed: "control_v11p_sd15_canny.pth"/);
    expect(f.log.requests.some((q) => q.startsWith('POST'))).toBe(false);
  });

  it('missing node types are named before anything is uploaded', async () => {
    const f = await start({ without: ['InpaintModelConditioning'] });
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toMatch(/lacks the node types InpaintModelConditioning/);
    expect(f.log.uploads).toHaveLength(0);
  });

  it('node errors from /prompt become one line naming the node and input', async () => {
    const f = await start();
    const err = await failure(client(f.url).run(request({ steps: 20000 })));
    expect(err.message).toBe(`ComfyUI at ${f.url} rejected the workflow: Prompt outputs failed validation; node 11 KSampler: Value 20000 bigger than max of 10000 (steps)`);
  });

  it('HTTP 500 on /prompt', async () => {
    const f = await start({ behaviour: 'http500' });
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toBe(`ComfyUI at ${f.url} answered POST /prompt with HTTP 500: 500 Internal Server Error Server got itself in trouble`);
  });

  it('an execution error on the server', async () => {
    const f = await start({ behaviour: 'execution-error' });
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toMatch(/failed in node 11 \(KSampler\): CUDA out of memory/);
  });

  it('a hung job times out and is interrupted on the server', async () => {
    const f = await start({ behaviour: 'hang' });
    // long enough for the pre-flight and uploads on a busy machine; the fake hangs at step 2 until interrupted
    const err = await failure(client(f.url).run(request(), { timeoutMs: 1500 }));
    expect(err.message).toMatch(/did not finish within 1\.5 s; prompt [0-9a-f-]+ was interrupted on the server/);
    expect(f.log.interrupts).toEqual([{ prompt_id: f.log.prompts[0].id }]);
    expect(f.log.queueDeletes).toEqual([f.log.prompts[0].id]);
  });

  it('a dropped socket falls back to polling /history and still succeeds', async () => {
    const f = await start({ behaviour: 'drop-socket' });
    const phases: EditProgress[] = [];
    const r = await client(f.url).run(request(), { onProgress: (p) => phases.push(p) });
    expect(isPng(r.image)).toBe(true);
    // progress came over the socket until the drop (at step 2 of 6), then the client polled
    expect(Math.max(0, ...phases.filter((p) => p.phase === 'sampling').map((p) => p.value))).toBeLessThanOrEqual(2);
    expect(phases.map((p) => p.phase)).toContain('waiting');
    expect(f.log.requests.filter((q) => q.startsWith('GET /history/')).length).toBeGreaterThanOrEqual(1);
  });

  it('no WebSocket at all: polls from the start', async () => {
    const f = await start({ behaviour: 'no-socket' });
    const phases: string[] = [];
    const r = await client(f.url).run(request(), { onProgress: (p) => phases.push(p.phase) });
    expect(isPng(r.image)).toBe(true);
    expect(phases).toContain('waiting');
    expect(phases).not.toContain('sampling');
  });

  it('works behind the /api prefix', async () => {
    const f = await start();
    const r = await client(`${f.url}/api`).run(request());
    expect(isPng(r.image)).toBe(true);
    expect(f.log.requests.every((q) => !q.includes('/api/'))).toBe(true); // router strips the mount prefix
  });

  it('HTTP basic auth from the URL, on HTTP and on the socket; the password is not shown', async () => {
    const f = await start({ basicAuth: 'ana:s3cret' });
    const url = f.url.replace('http://', 'http://ana:s3cret@');
    const phases: string[] = [];
    const r = await client(url).run(request(), { onProgress: (p) => phases.push(p.phase) });
    expect(r.info.server).toBe(f.url.replace('http://', 'http://ana:***@'));
    expect(phases).toContain('sampling'); // progress came over the authenticated socket
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toMatch(/answered GET \/object_info\/\w+ with HTTP 401/);
    const bad = await failure(client(f.url.replace('http://', 'http://ana:wrong@')).run(request()));
    expect(bad.message).not.toContain('wrong');
  });

  it('an unreachable server', async () => {
    const port = await closedPort();
    const err = await failure(client(`http://127.0.0.1:${port}`).run(request()));
    expect(err.message).toBe(`cannot reach ComfyUI at http://127.0.0.1:${port} (ECONNREFUSED); is the server running at that address?`);
  });

  it('cancellation from outside interrupts the job', async () => {
    const f = await start({ behaviour: 'hang' });
    const ac = new AbortController();
    const p = client(f.url).run(request(), { signal: ac.signal, onProgress: (e) => { if (e.phase === 'sampling') ac.abort(); } });
    const err = await failure(p);
    expect(err.message).toMatch(/was cancelled; prompt .* was interrupted/);
    expect(f.log.interrupts).toHaveLength(1);
  });
});
