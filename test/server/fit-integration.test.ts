/** POST /api/fit with the real fit() (src/mesh): the body.json, body.glb and body.obj it stores, for one and two people. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBodyFile } from '../../src/data/formats.ts';
import { fit } from '../../src/mesh/fit.ts';
import { fakeDeps, testImagePng } from './fakes.ts';
import { postJson, startTestServer, type TestServer } from './helpers.ts';

describe('POST /api/fit with the real fit()', () => {
  let srv: TestServer;
  let imageId: string;

  beforeAll(async () => {
    srv = await startTestServer({ ...fakeDeps().deps, fit });
    const up = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await testImagePng(320, 240) });
    imageId = ((await up.json()) as { id: string }).id;
  });
  afterAll(() => srv.close());

  it('fits one person and serves a skinned GLB', async () => {
    const gen = await postJson(`${srv.url}/api/generate`, { image: imageId, person_box: [60, 20, 150, 230], object_box: [180, 120, 260, 200] });
    const r = await postJson(`${srv.url}/api/fit`, { skeleton: gen.json.skeleton });
    expect(r.status).toBe(200);
    const body = parseBodyFile(r.json.body);
    expect(body.joints2d).toHaveLength(17);
    expect(body.camera.cx).toBe(160);
    const files = r.json.files as Record<string, string>;
    const stored = parseBodyFile(await (await fetch(srv.url + files['body.json'])).json());
    expect(stored.translation).toEqual(body.translation);
    const glb = Buffer.from(await (await fetch(srv.url + files['body.glb'])).arrayBuffer());
    expect(glb.subarray(0, 4).toString()).toBe('glTF');
    const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString()) as { skins?: unknown[] };
    expect(json.skins?.length).toBe(1);
    expect((await fetch(srv.url + files['body.obj'])).status).toBe(200);
  });

  it('fits both people of an h2h skeleton into one GLB', async () => {
    const gen = await postJson(`${srv.url}/api/h2h`, { image: imageId, person_box: [40, 20, 130, 230], partner_box: [170, 20, 260, 230] });
    const r = await postJson(`${srv.url}/api/fit`, { skeleton: gen.json.skeleton, partner: true });
    expect(r.status).toBe(200);
    expect(r.json.bodies).toHaveLength(2);
    const glb = Buffer.from(await (await fetch(srv.url + (r.json.files as Record<string, string>)['body.glb'])).arrayBuffer());
    const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString()) as { skins?: unknown[] };
    expect(json.skins?.length).toBe(2);
  });
});
