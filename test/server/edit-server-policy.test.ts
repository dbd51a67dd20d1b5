/** Which image server /api/edit may contact: the configured one only, else loopback URLs (never any URL a client sends). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinplaceError, UsageError } from '../../src/errors.ts';
import { isLoopbackHost, isLoopbackUrl, resolveEditServer, type EditServerPolicy } from '../../src/server/edit-server-policy.ts';
import type { EditFn } from '../../src/server/types.ts';
import { fakeDeps, testImagePng } from './fakes.ts';
import { postJson, startTestServer, type TestServer } from './helpers.ts';

const configured: EditServerPolicy = { configured: 'http://127.0.0.1:8188', allowLoopback: true };
const loopback: EditServerPolicy = { configured: null, allowLoopback: true };
const exposed: EditServerPolicy = { configured: null, allowLoopback: false };
const remoteConfigured: EditServerPolicy = { configured: 'https://gpu.example.org/comfy/', allowLoopback: false };

describe('resolveEditServer', () => {
  const ok: Array<[string, string | undefined, EditServerPolicy, string]> = [
    ['omitted, configured', undefined, configured, 'http://127.0.0.1:8188'],
    ['the configured one', 'http://127.0.0.1:8188', configured, 'http://127.0.0.1:8188'],
    ['the configured one with a trailing slash', 'http://127.0.0.1:8188/', configured, 'http://127.0.0.1:8188'],
    ['a remote configured one', 'https://gpu.example.org/comfy', remoteConfigured, 'https://gpu.example.org/comfy/'],
    ['localhost, none configured', 'http://localhost:7860', loopback, 'http://localhost:7860'],
    ['127.0.0.1, none configured', 'http://127.0.0.1:8188', loopback, 'http://127.0.0.1:8188'],
    ['[::1], none configured', 'http://[::1]:8188', loopback, 'http://[::1]:8188'],
  ];
  it.each(ok)('allows %s', (_n, req, p, want) => expect(resolveEditServer(req, p)).toBe(want));

  const refused: Array<[string, string | undefined, EditServerPolicy, number, RegExp]> = [
    ['another loopback port while one is configured', 'http://127.0.0.1:22', configured, 403, /not this server's image server/],
    ['a LAN host while one is configured', 'http://192.168.1.5:8188', configured, 403, /not this server's image server/],
    ['a cloud metadata address, none configured', 'http://169.254.169.254/latest/meta-data', loopback, 403, /only to loopback/],
    ['a public host, none configured', 'https://example.org', loopback, 403, /only to loopback/],
    ['a host that only starts like loopback', 'http://127.0.0.1.example.org:8188', loopback, 403, /only to loopback/],
    ['0.0.0.0, none configured', 'http://0.0.0.0:8188', loopback, 403, /only to loopback/],
    ['loopback while listening beyond loopback', 'http://127.0.0.1:8188', exposed, 403, /listens beyond loopback/],
    ['nothing, none configured', undefined, loopback, 400, /no image server.*loopback URL/],
    ['a file URL', 'file:///etc/passwd', loopback, 400, /http/],
  ];
  it.each(refused)('refuses %s', (_n, req, p, status, pattern) => {
    let err: unknown;
    try {
      resolveEditServer(req, p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PinplaceError);
    expect((err as PinplaceError).status).toBe(status);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).not.toContain('\n');
  });

  it('knows loopback URLs and listen addresses', () => {
    expect(['http://localhost', 'http://127.5.0.1:1', 'http://[::1]/', 'http://2130706433/', 'http://0x7f.1/'].map(isLoopbackUrl)).toEqual([true, true, true, true, true]);
    expect(['http://10.0.0.1', 'http://localhost.evil.com', 'http://[::ffff:a00:1]/'].map(isLoopbackUrl)).toEqual([false, false, false]);
    expect(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0', '::', '192.168.0.2'].map(isLoopbackHost)).toEqual([true, true, true, true, false, false, false]);
    expect(() => resolveEditServer('http://x', { configured: 'not a url', allowLoopback: true })).toThrow(UsageError);
  });
});

/** A fake edit that records which server it was sent to. */
function recordingEdit(seen: string[]): EditFn {
  return async (o) => {
    seen.push(o.server);
    return { edited: await testImagePng(8, 8) };
  };
}

async function setUp(srv: TestServer): Promise<unknown[]> {
  const up = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await testImagePng() });
  const image = ((await up.json()) as { id: string }).id;
  const gen = await postJson(`${srv.url}/api/generate`, { image, person_box: [20, 10, 70, 115], object_box: [100, 60, 140, 100] });
  return [image, gen.json.skeleton];
}

async function finished(url: string, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as Record<string, unknown>;
    if (job.state === 'done' || job.state === 'failed') return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('edit job did not finish');
}

describe('POST /api/edit with a configured image server', () => {
  const seen: string[] = [];
  let srv: TestServer;
  let image: unknown;
  let skeleton: unknown;
  beforeAll(async () => {
    srv = await startTestServer({ ...fakeDeps().deps, edit: recordingEdit(seen), editServer: 'http://127.0.0.1:8188' });
    [image, skeleton] = await setUp(srv);
  });
  afterAll(() => srv.close());

  it('says so in /api/health', async () => {
    expect(await (await fetch(`${srv.url}/api/health`)).json()).toMatchObject({ editServer: 'http://127.0.0.1:8188', editServers: 'configured' });
  });

  it('sends edits without a server, or naming the same one, to the configured server', async () => {
    for (const body of [{}, { server: 'http://127.0.0.1:8188/' }]) {
      const r = await postJson(`${srv.url}/api/edit`, { image, skeleton, prompt: 'a person', ...body });
      expect(r.status, JSON.stringify(r.json)).toBe(202);
      expect((await finished(srv.url, r.json.id as string)).state).toBe('done');
    }
    expect(seen).toEqual(['http://127.0.0.1:8188', 'http://127.0.0.1:8188']);
  });

  it('refuses any other URL with 403 and contacts nothing', async () => {
    const n = seen.length;
    for (const server of ['http://127.0.0.1:22', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.7:8188']) {
      const r = await postJson(`${srv.url}/api/edit`, { image, skeleton, prompt: 'a person', server });
      expect(r.status).toBe(403);
      expect(r.json).toMatchObject({ code: 'server_not_allowed' });
      expect(String(r.json.error)).toContain(server);
    }
    expect(seen).toHaveLength(n);
  });
});

describe('POST /api/edit with no image server configured', () => {
  const seen: string[] = [];
  let srv: TestServer;
  let image: unknown;
  let skeleton: unknown;
  beforeAll(async () => {
    srv = await startTestServer({ ...fakeDeps().deps, edit: recordingEdit(seen) });
    [image, skeleton] = await setUp(srv);
  });
  afterAll(() => srv.close());

  it('takes a loopback server and refuses others', async () => {
    expect(await (await fetch(`${srv.url}/api/health`)).json()).toMatchObject({ editServer: null, editServers: 'loopback' });
    const ok = await postJson(`${srv.url}/api/edit`, { image, skeleton, prompt: 'a person', server: 'http://localhost:7860' });
    expect(ok.status).toBe(202);
    await finished(srv.url, ok.json.id as string);
    const far = await postJson(`${srv.url}/api/edit`, { image, skeleton, prompt: 'a person', server: 'http://192.168.1.20:8188' });
    expect(far.status).toBe(403);
    const none = await postJson(`${srv.url}/api/edit`, { image, skeleton, prompt: 'a person' });
    expect(none.status).toBe(400);
    expect(seen).toEqual(['http://localhost:7860']);
  });
});
