import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpenPoseFile, parseSkeletonFile } from '../../src/data/formats.ts';
import { PinplaceError } from '../../src/errors.ts';
import { fakeDeps, testImagePng } from './fakes.ts';
import { postJson, startTestServer, type TestServer } from './helpers.ts';

const PERSON = [20, 10, 70, 115];
const OBJECT = [100, 60, 140, 100];

describe('createApp: JSON API over fake domain functions', () => {
  let srv: TestServer;
  let imageId: string;
  const fakes = fakeDeps();

  beforeAll(async () => {
    srv = await startTestServer({ ...fakes.deps, editServer: 'http://127.0.0.1:8188', limits: { uploadBytes: 200_000, maxImagePixels: 200 * 150 } });
    const res = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await testImagePng() });
    expect(res.status).toBe(201);
    const info = (await res.json()) as { id: string; width: number; height: number; url: string };
    expect(info).toMatchObject({ width: 160, height: 120 });
    imageId = info.id;
  });
  afterAll(() => srv.close());

  it('answers health with capabilities and the backend', async () => {
    const h = await (await fetch(`${srv.url}/api/health`)).json();
    expect(h).toMatchObject({ ok: true, backend: 'fake', editServer: 'http://127.0.0.1:8188', capabilities: { generate: true, fit: true, h2h: true, detect: true, edit: true, guidanceFiles: true } });
  });

  it('describes every route in /api/openapi.json', async () => {
    const doc = (await (await fetch(`${srv.url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/images', '/api/generate', '/api/fit', '/api/h2h', '/api/detect', '/api/edit', '/api/guidance', '/api/files/{id}/{name}']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const gen = doc.paths['/api/generate'].post.requestBody!.content['application/json'].schema;
    expect(Object.keys(gen.properties!)).toEqual(expect.arrayContaining(['image', 'person_box', 'object_box', 'pins', 'samples', 'hand']));
    // Every $ref points at a component that exists.
    const text = JSON.stringify(doc);
    const components = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)) expect(components[name], name).toBeDefined();
    expect(Object.keys(components)).toEqual(expect.arrayContaining(['Skeleton', 'Body', 'SkeletonResult', 'FitResult', 'Job']));
  });

  it('generates, stores the files and serves them back', async () => {
    const { status, json } = await postJson(`${srv.url}/api/generate`, { image: imageId, person_box: PERSON, object_box: OBJECT, samples: 3, seed: 5, category: 'chair' });
    expect(status).toBe(200);
    const skel = parseSkeletonFile(json.skeleton);
    expect(skel.samples).toHaveLength(3);
    const files = json.files as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['mask.png', 'openpose.json', 'overlay.png', 'pose.png', 'skeleton.json']);
    const stored = parseSkeletonFile(await (await fetch(srv.url + files['skeleton.json'])).json());
    expect(stored.samples[2].keypoints).toEqual(skel.samples[2].keypoints);
    parseOpenPoseFile(await (await fetch(srv.url + files['openpose.json'])).json());
    const png = await fetch(srv.url + files['pose.png']);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  });

  it('keeps pinned joints where they were put', async () => {
    const { status, json } = await postJson(`${srv.url}/api/generate`, { image: imageId, person_box: PERSON, object_box: OBJECT, pins: [{ joint: 9, x: 90, y: 50 }] });
    expect(status).toBe(200);
    expect((json.skeleton as { samples: Array<{ keypoints: number[][] }> }).samples[0].keypoints[9].slice(0, 2)).toEqual([90, 50]);
  });

  it('fits a skeleton and serves body.glb, body.json and body.obj', async () => {
    const gen = await postJson(`${srv.url}/api/generate`, { image: imageId, person_box: PERSON, object_box: OBJECT });
    const { status, json } = await postJson(`${srv.url}/api/fit`, { skeleton: gen.json.skeleton, sample: 0 });
    expect(status).toBe(200);
    const files = json.files as Record<string, string>;
    const glb = Buffer.from(await (await fetch(srv.url + files['body.glb'])).arrayBuffer());
    expect(glb.subarray(0, 4).toString()).toBe('glTF');
    expect((await fetch(srv.url + files['body.obj'])).status).toBe(200);
    expect((json.body as { camera: { focal: number } }).camera.focal).toBeGreaterThan(0);
  });

  it('runs h2h, detect and guidance', async () => {
    const h = await postJson(`${srv.url}/api/h2h`, { image: imageId, person_box: PERSON, partner_box: [80, 10, 130, 115], samples: 2 });
    expect(h.status).toBe(200);
    expect(parseSkeletonFile(h.json.skeleton).partner).toBeDefined();
    const d = await postJson(`${srv.url}/api/detect`, { image: imageId });
    expect(d.status).toBe(200);
    expect(d.json.people).toHaveLength(1);
    const g = await postJson(`${srv.url}/api/guidance`, { image: imageId, skeleton: h.json.skeleton });
    expect(g.status).toBe(200);
    expect(Object.keys(g.json.files as object)).toContain('pose.png');
  });

  it('runs an edit as a job with progress', async () => {
    const gen = await postJson(`${srv.url}/api/generate`, { image: imageId, person_box: PERSON, object_box: OBJECT });
    // No server in the request: the edit goes to the server's configured one.
    const start = await postJson(`${srv.url}/api/edit`, { image: imageId, skeleton: gen.json.skeleton, prompt: 'a person sitting' });
    expect(start.status).toBe(202);
    let job = start.json;
    for (let i = 0; i < 200 && job.state !== 'done' && job.state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      job = await (await fetch(`${srv.url}/api/jobs/${start.json.id}`)).json();
    }
    expect(job.state).toBe('done');
    expect(job.progress).toBe(1);
    const files = (job.result as { files: Record<string, string> }).files;
    expect((await fetch(srv.url + files['edited.png'])).status).toBe(200);
  });

  const bad: Array<[string, string, unknown, number, RegExp]> = [
    ['missing object box', '/api/generate', { image: 'IMAGE', person_box: PERSON }, 400, /object_box/],
    ['inverted box', '/api/generate', { image: 'IMAGE', person_box: [70, 10, 20, 115], object_box: OBJECT }, 400, /x2 > x1/],
    ['box outside the image', '/api/generate', { image: 'IMAGE', person_box: [500, 500, 600, 600], object_box: OBJECT }, 400, /outside the 160x120/],
    ['zero samples', '/api/generate', { image: 'IMAGE', person_box: PERSON, object_box: OBJECT, samples: 0 }, 400, /samples/],
    ['too many samples', '/api/generate', { image: 'IMAGE', person_box: PERSON, object_box: OBJECT, samples: 1000 }, 400, /samples/],
    ['unknown hand', '/api/generate', { image: 'IMAGE', person_box: PERSON, object_box: OBJECT, hand: 'middle' }, 400, /hand/],
    ['unknown field', '/api/generate', { image: 'IMAGE', person_box: PERSON, object_box: OBJECT, bogus: 1 }, 400, /bogus/],
    ['pin joint out of range', '/api/generate', { image: 'IMAGE', person_box: PERSON, object_box: OBJECT, pins: [{ joint: 17, x: 1, y: 1 }] }, 400, /pins/],
    ['pin twice', '/api/generate', { image: 'IMAGE', person_box: PERSON, object_box: OBJECT, pins: [{ joint: 3, x: 1, y: 1 }, { joint: 3, x: 2, y: 2 }] }, 400, /twice/],
    ['unknown image', '/api/generate', { image: '0123456789abcdef', person_box: PERSON, object_box: OBJECT }, 404, /no uploaded image/],
    ['image id with a path', '/api/generate', { image: '../../etc/passwd', person_box: PERSON, object_box: OBJECT }, 400, /image/],
    ['broken JSON', '/api/generate', '{"image": ', 400, /not valid JSON/],
    ['array body', '/api/fit', '[1,2]', 400, /JSON object/],
    ['bad skeleton', '/api/fit', { skeleton: { samples: [] } }, 400, /skeleton/],
    ['sample beyond the skeleton', '/api/fit', { skeleton: { image: { path: 'a', width: 10, height: 10 }, person_box: [0, 0, 5, 5], samples: [{ keypoints: Array(17).fill([1, 1, 1]) }] }, sample: 3 }, 400, /sample must be below/],
    ['edit without prompt', '/api/edit', { image: 'IMAGE', skeleton: {}, server: 'http://x' }, 400, /./],
    ['edit with a file URL', '/api/edit', { image: 'IMAGE', skeleton: { image: { path: 'a', width: 10, height: 10 }, person_box: [0, 0, 5, 5], samples: [{ keypoints: Array(17).fill([1, 1, 1]) }] }, server: 'file:///etc/passwd', prompt: 'x' }, 400, /server/],
    ['unknown route', '/api/nope', {}, 404, /no API route/],
  ];
  it.each(bad)('refuses %s with a one-line JSON error', async (_name, path, body, status, pattern) => {
    const b = typeof body === 'string' ? body : JSON.parse(JSON.stringify(body).replaceAll('"IMAGE"', JSON.stringify(imageId)));
    const { status: got, json } = await postJson(srv.url + path, b);
    expect(got).toBe(status);
    expect(typeof json.error).toBe('string');
    expect(json.error as string).toMatch(pattern);
    expect(json.error as string).not.toContain('\n');
  });

  const uploads: Array<[string, string, Uint8Array<ArrayBuffer> | string, number]> = [
    ['not an image', 'image/png', new Uint8Array(Buffer.from('hello world, not a png')), 422],
    ['text content type', 'text/plain', 'hello', 415],
    ['no body', 'image/png', new Uint8Array(0), 415],
    ['too large', 'image/png', new Uint8Array(300_000).fill(1), 413],
  ];
  it.each(uploads)('refuses an upload that is %s', async (_name, type, body, status) => {
    const res = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': type }, body });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toBeTruthy();
  });

  const traversal = [
    '/api/files/..%2F..%2F..%2Fetc/passwd',
    '/api/files/%2e%2e/%2e%2e%2fpackage.json',
    '/api/files/0123456789abcdef/..%2F..%2Fpackage.json',
    '/api/files/0123456789abcdef/.env.json',
    '/api/files/0123456789abcdef/x.txt',
    '/api/files/0123456789ABCDEF/image.png',
    '/api/files/../../package.json',
    '/api/files/0123456789abcdef/image.png',
    '/dist/..%2F..%2Fpackage.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/api/files/%E0%A4%A/image.png',
    '/api/files/0123456789abcdef/%00.png',
  ];
  it.each(traversal)('serves nothing outside the output area: %s', async (path) => {
    const res = await fetch(srv.url + path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).not.toContain('"name": "person-in-place"');
  });

  it('refuses an image with more pixels than the limit', async () => {
    const res = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await testImagePng(201, 150) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('uploaded image is 201x150 = 30150 px; this server takes at most 30000 px');
  });

  it('serves an uploaded image by its URL', async () => {
    const res = await fetch(`${srv.url}/api/files/${imageId}/image.png`);
    expect(res.status).toBe(200);
  });

  it('never lets two compute calls overlap, even when 24 arrive at once', async () => {
    const before = fakes.state.overlaps;
    const calls = Array.from({ length: 24 }, (_, i) => i % 3 === 0
      ? postJson(`${srv.url}/api/detect`, { image: imageId })
      : postJson(`${srv.url}/api/generate`, { image: imageId, person_box: PERSON, object_box: OBJECT, seed: i }));
    const results = await Promise.all(calls);
    expect(results.map((r) => r.status)).toEqual(new Array(24).fill(200));
    expect(fakes.state.overlaps - before).toBe(0);
  });
});

describe('createApp: failures of the domain functions', () => {
  let srv: TestServer;
  let imageId: string;
  beforeAll(async () => {
    const { deps } = fakeDeps();
    srv = await startTestServer({
      ...deps,
      generate: async () => { throw new Error('tensor exploded\n at line 3'); },
      detect: async () => { throw new PinplaceError('model weights missing', 'model', 503); },
      fit: undefined, edit: undefined, missing: { fit: 'src/mesh/fit.ts is not built' },
      unready: { h2h: () => 'no trained model in models/h2h' },
      limits: { maxQueued: 1 },
    });
    const res = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await testImagePng() });
    imageId = ((await res.json()) as { id: string }).id;
  });
  afterAll(() => srv.close());

  it('answers 500 with a generic line for an unexpected error and keeps serving', async () => {
    const r = await postJson(`${srv.url}/api/generate`, { image: imageId, person_box: PERSON, object_box: OBJECT });
    expect(r.status).toBe(500);
    expect(r.json.error).toBe('internal server error (see the server log)');
    expect((await fetch(`${srv.url}/api/health`)).status).toBe(200);
  });

  it('maps PinplaceError.status', async () => {
    const r = await postJson(`${srv.url}/api/detect`, { image: imageId });
    expect(r).toMatchObject({ status: 503, json: { error: 'model weights missing', code: 'model' } });
  });

  it('answers 501 with the reason for a missing capability', async () => {
    const skel = { image: { path: 'a', width: 160, height: 120 }, person_box: PERSON, samples: [{ keypoints: Array(17).fill([1, 1, 1]) }] };
    const r = await postJson(`${srv.url}/api/fit`, { skeleton: skel });
    expect(r.status).toBe(501);
    expect(r.json.error).toBe('fit is not available on this server: src/mesh/fit.ts is not built');
    const e = await postJson(`${srv.url}/api/edit`, { image: imageId, skeleton: skel, server: 'http://127.0.0.1:9', prompt: 'x' });
    expect(e.status).toBe(501);
  });

  it('answers 503 with the reason while a function cannot run yet, and health says so', async () => {
    const r = await postJson(`${srv.url}/api/h2h`, { image: imageId, person_box: PERSON, partner_box: OBJECT });
    expect(r).toMatchObject({ status: 503, json: { error: 'h2h cannot run on this server now: no trained model in models/h2h', code: 'unavailable' } });
    const h = (await (await fetch(`${srv.url}/api/health`)).json()) as { capabilities: Record<string, boolean>; missing: Record<string, string> };
    expect(h.capabilities).toMatchObject({ h2h: false, fit: false, generate: true });
    expect(h.missing).toEqual({ fit: 'src/mesh/fit.ts is not built', h2h: 'no trained model in models/h2h' });
  });

  it('answers 503 when the queue is full', async () => {
    const statuses = (await Promise.all([1, 2, 3].map(() => postJson(`${srv.url}/api/detect`, { image: imageId })))).map((r) => r.status);
    expect(statuses).toContain(503);
  });
});

describe('createApp: structured logs', () => {
  it('writes one JSON log line per API request with id, method, url, status and time', async () => {
    const { pino } = await import('pino');
    const { Writable } = await import('node:stream');
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
    const srv = await startTestServer({ ...fakeDeps().deps, logger: pino({ level: 'info' }, sink) });
    try {
      const res = await fetch(`${srv.url}/api/openapi.json`);
      expect(res.status).toBe(200);
      await postJson(`${srv.url}/api/generate`, { image: 'nope' });
      await new Promise((r) => setTimeout(r, 20));
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const ok = entries.find((e) => e.url === '/api/openapi.json' && e.msg === 'request');
      expect(ok).toMatchObject({ method: 'GET', status: 200, level: 30 });
      expect(ok!.req).toBe(res.headers.get('x-request-id'));
      expect(typeof ok!.ms).toBe('number');
      expect(entries.find((e) => e.url === '/api/generate' && e.msg === 'request refused')).toMatchObject({ status: 400, code: 'usage' });
    } finally {
      await srv.close();
    }
  });
});

describe('GET /api/sample', () => {
  const scene = { image: 'scene.png', person_box: [20, 10, 70, 115], object_box: [100, 60, 140, 100], category: 'chair', action: 'sit' };

  async function sampleDir(extra: Record<string, unknown> = {}): Promise<string> {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'pinplace-scene-'));
    writeFileSync(join(dir, 'scene.png'), await testImagePng());
    writeFileSync(join(dir, 'scene.json'), JSON.stringify({ ...scene, ...extra }));
    return dir;
  }

  it('answers the scene generated (4 samples) and fitted, computed once', async () => {
    const fakes = fakeDeps();
    const srv = await startTestServer({ ...fakes.deps, sampleDir: await sampleDir(), precomputeSample: true });
    try {
      const [a, b] = await Promise.all([fetch(`${srv.url}/api/sample`), fetch(`${srv.url}/api/sample`)]);
      const s = (await a.json()) as { available: boolean; generated: { skeleton: { samples: unknown[] } }; fitted: { files: Record<string, string> }; notes: string[] };
      expect(s.available).toBe(true);
      expect(s.notes).toEqual([]);
      expect(s.generated.skeleton.samples).toHaveLength(4);
      expect(s.fitted.files['body.glb']).toMatch(/body\.glb$/);
      expect(await b.json()).toEqual(s);
      expect(fakes.state.calls.generate).toBe(1);
      expect(fakes.state.calls.fit).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it("falls back to the scene's reference skeleton when generate is missing, and says so", async () => {
    const ref = Array.from({ length: 17 }, (_, i) => [30 + i, 20 + i * 5, i === 3 ? 0 : 2]);
    const srv = await startTestServer({ ...fakeDeps().deps, generate: undefined, missing: { generate: 'no model' }, sampleDir: await sampleDir({ reference_keypoints: ref }) });
    try {
      const s = (await (await fetch(`${srv.url}/api/sample`)).json()) as { generated: { skeleton: { source: string; samples: Array<{ keypoints: number[][] }> } }; fitted?: unknown; notes: string[] };
      expect(s.generated.skeleton.source).toBe('reference');
      expect(s.generated.skeleton.samples[0].keypoints[3]).toEqual([33, 35, 0]);
      expect(s.generated.skeleton.samples[0].keypoints[4]).toEqual([34, 40, 1]);
      expect(s.fitted).toBeDefined();
      expect(s.notes.join(' ')).toMatch(/generate is not available on this server: no model.*reference skeleton/);
    } finally {
      await srv.close();
    }
  });

  it('answers available: false with a note when there is no scene', async () => {
    const srv = await startTestServer({ ...fakeDeps().deps, sampleDir: '/nonexistent/scene/dir' });
    try {
      const s = (await (await fetch(`${srv.url}/api/sample`)).json()) as { available: boolean; notes: string[] };
      expect(s.available).toBe(false);
      expect(s.notes[0]).toMatch(/^no sample scene: /);
    } finally {
      await srv.close();
    }
  });
});

describe('GET / without a built viewer', () => {
  it('answers 503 with how to build it, and the API still works', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'pinplace-noviewer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    const srv = await startTestServer({ ...fakeDeps().deps, viewerDir: dir });
    try {
      const res = await fetch(srv.url + '/');
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/npm run build:viewer/);
      expect((await fetch(`${srv.url}/api/health`)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});
