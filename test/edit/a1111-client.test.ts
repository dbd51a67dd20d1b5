import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createClient } from '../../src/edit/create-client.ts';
import { startFakeA1111, type FakeA1111, type FakeA1111Options } from '../../src/edit/testing/fake-a1111.ts';
import { ServerError, UsageError } from '../../src/errors.ts';
import type { EditProgress } from '../../src/edit/types.ts';
import { closedPort, request } from './helpers.ts';

let fake: FakeA1111 | null = null;
afterEach(async () => { await fake?.close(); fake = null; });
async function start(o: FakeA1111Options = {}): Promise<FakeA1111> {
  fake = await startFakeA1111(o);
  return fake;
}
const client = (url: string) => createClient('a1111', { url, pollIntervalMs: 5 });

async function failure(p: Promise<unknown>): Promise<ServerError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ServerError);
  expect((err as Error).message).not.toMatch(/\n/);
  return err as ServerError;
}

describe('AUTOMATIC1111 client against the fake server', () => {
  it('success: img2img with the inpainting fields and one ControlNet unit; the first image comes back', async () => {
    const f = await start({ stepDelayMs: 15 });
    const progress: EditProgress[] = [];
    const req = request({ seed: 7, steps: 8 });
    const r = await client(f.url).run(req, { onProgress: (p) => progress.push(p) });
    const meta = await sharp(r.image).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 48]);
    const b = f.log.bodies[0] as Record<string, any>;
    expect(b).toMatchObject({
      mask_blur: 4, inpainting_fill: 1, inpaint_full_res: false, inpainting_mask_invert: 0, denoising_strength: 1,
      width: 64, height: 48, steps: 8, seed: 7, prompt: 'a person standing, photo',
      override_settings: { sd_model_checkpoint: 'sd-v1-5-inpainting.ckpt [c6bbc15e32]' },
    });
    expect(b.alwayson_scripts.controlnet.args).toHaveLength(1);
    expect(b.alwayson_scripts.controlnet.args[0]).toMatchObject({ enabled: true, module: 'none', model: 'control_v11p_sd15_openpose [cab727d4]', weight: 1 });
    expect(r.info).toMatchObject({ seed: 7, controlnet: 'control_v11p_sd15_openpose [cab727d4]' });
    const steps = progress.filter((p) => p.phase === 'sampling');
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((p) => p.max === 8 && p.value >= 0 && p.value <= 8)).toBe(true);
    const shown = JSON.parse(r.files['a1111-request.json']);
    expect(shown.init_images).toEqual(['<masked.png, base64>']);
  });

  it('a ControlNet model is matched loosely (without its hash), as the extension does', async () => {
    const f = await start();
    const r = await client(f.url).run(request({ controlnet: 'control_v11p_sd15_openpose', checkpoint: 'v1-5-pruned-emaonly' }));
    expect(r.info).toMatchObject({ controlnet: 'control_v11p_sd15_openpose [cab727d4]', checkpoint: 'v1-5-pruned-emaonly.safetensors [6ce0161689]' });
  });

  it('unknown model: the error lists what is installed, and nothing is sent', async () => {
    const f = await start();
    const err = await failure(client(f.url).run(request({ checkpoint: 'sdxl' })));
    expect(err.message).toBe(`checkpoint "sdxl" is not installed on AUTOMATIC1111 at ${f.url}; installed: "sd-v1-5-inpainting.ckpt [c6bbc15e32]", "v1-5-pruned-emaonly.safetensors [6ce0161689]"`);
    expect(f.log.bodies).toHaveLength(0);
  });

  it('HTTP 500 from img2img, with the web UI\'s error fields', async () => {
    const f = await start({ behaviour: 'http500' });
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toBe(`AUTOMATIC1111 at ${f.url} answered POST /sdapi/v1/img2img with HTTP 500: RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!`);
  });

  it('a web UI started without --api', async () => {
    const f = await start({ behaviour: 'no-api' });
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toMatch(/has no API .*start the web UI with --api/);
  });

  it('no ControlNet extension', async () => {
    const f = await start({ behaviour: 'no-controlnet' });
    const err = await failure(client(f.url).run(request()));
    expect(err.message).toMatch(/has no ControlNet extension .*install sd-webui-controlnet/);
  });

  it('a hung job times out and is interrupted on the server', async () => {
    const f = await start({ behaviour: 'hang' });
    const err = await failure(client(f.url).run(request(), { timeoutMs: 1500 }));
    expect(err.message).toBe(`AUTOMATIC1111 at ${f.url} did not finish within 1.5 s; the job was interrupted on the server`);
    expect(f.log.interrupts).toBe(1);
  });

  it('an unreachable server', async () => {
    const port = await closedPort();
    const err = await failure(client(`http://127.0.0.1:${port}`).run(request()));
    expect(err.message).toMatch(/^cannot reach AUTOMATIC1111 at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe('createClient', () => {
  it.each([
    ['not a URL', 'comfyui', 'localhost:8188', /--server must be an http\(s\) URL/],
    ['ftp', 'comfyui', 'ftp://x', /--server must be an http\(s\) URL/],
    ['unknown api', 'invokeai', 'http://127.0.0.1:1', /--api must be one of comfyui, a1111, got "invokeai"/],
  ])('%s', (_n, api, url, re) => {
    expect(() => createClient(api as 'comfyui', { url })).toThrow(UsageError);
    expect(() => createClient(api as 'comfyui', { url })).toThrow(re);
  });
});
