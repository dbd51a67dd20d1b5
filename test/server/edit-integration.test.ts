/** POST /api/edit with the real edit() against the fake ComfyUI server: progress, the edited image, and a failing server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edit } from '../../src/edit/edit.ts';
import { guidanceFiles } from '../../src/edit/guidance.ts';
import { startFakeComfyUI, type FakeComfy } from '../../src/edit/testing/fake-comfyui.ts';
import { fakeDeps, testImagePng } from './fakes.ts';
import { postJson, startTestServer, type TestServer } from './helpers.ts';

async function waitJob(url: string, id: string): Promise<{ job: Record<string, unknown>; progress: number[] }> {
  const progress: number[] = [];
  for (let i = 0; i < 400; i++) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as Record<string, unknown>;
    progress.push(job.progress as number);
    if (job.state === 'done' || job.state === 'failed') return { job, progress };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('edit job did not finish');
}

describe('POST /api/edit with the real edit()', () => {
  let srv: TestServer;
  let comfy: FakeComfy;
  let broken: FakeComfy;
  let imageId: string;
  let skeleton: unknown;

  beforeAll(async () => {
    comfy = await startFakeComfyUI({ stepDelayMs: 5 });
    broken = await startFakeComfyUI({ behaviour: 'http500' });
    srv = await startTestServer({ ...fakeDeps().deps, edit, guidanceFiles });
    const up = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await testImagePng(160, 120) });
    imageId = ((await up.json()) as { id: string }).id;
    const gen = await postJson(`${srv.url}/api/generate`, { image: imageId, person_box: [20, 10, 70, 115], object_box: [100, 60, 140, 100] });
    skeleton = gen.json.skeleton;
  });
  afterAll(async () => {
    await srv.close();
    await comfy.close();
    await broken.close();
  });

  it('runs the edit as a job, reports progress and serves edited.png with the guidance files', async () => {
    const start = await postJson(`${srv.url}/api/edit`, { image: imageId, skeleton, server: comfy.url, prompt: 'a person reaching for the box', steps: 6, seed: 3 });
    expect(start.status).toBe(202);
    const { job } = await waitJob(srv.url, start.json.id as string);
    expect(job.error).toBeUndefined();
    expect(job.state).toBe('done');
    expect(job.progress).toBe(1);
    const files = (job.result as { files: Record<string, string> }).files;
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['edited.png', 'pose.png', 'mask.png', 'openpose.json']));
    const png = Buffer.from(await (await fetch(srv.url + files['edited.png'])).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(comfy.log.prompts.length).toBe(1);
  });

  it('fails the job with one line when the image server answers an error', async () => {
    const start = await postJson(`${srv.url}/api/edit`, { image: imageId, skeleton, server: broken.url, prompt: 'x' });
    expect(start.status).toBe(202);
    const { job } = await waitJob(srv.url, start.json.id as string);
    expect(job.state).toBe('failed');
    expect(typeof job.error).toBe('string');
    expect(job.error as string).not.toContain('\n');
    expect((await fetch(`${srv.url}/api/health`)).status).toBe(200);
  });
});
