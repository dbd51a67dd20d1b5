/** POST /api/h2h through loadDomain()'s adapter (the shipped models/h2h, loaded on first use), then a two-person fit. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSkeletonFile } from '../../src/data/formats.ts';
import { PACKAGE_ROOT } from '../../src/server/app.ts';
import { loadDomain } from '../../src/server/domain-node.ts';
import { fakeDeps } from './fakes.ts';
import { postJson, startTestServer, type TestServer } from './helpers.ts';

describe('POST /api/h2h with the real h2h()', () => {
  let srv: TestServer;
  let imageId: string;

  beforeAll(async () => {
    const domain = await loadDomain();
    expect(domain.missing?.h2h).toBeUndefined();
    srv = await startTestServer({ ...fakeDeps().deps, h2h: domain.h2h, unready: domain.unready });
    const png = new Uint8Array(readFileSync(join(PACKAGE_ROOT, 'assets', 'sample', 'scene.png')));
    const up = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    imageId = ((await up.json()) as { id: string }).id;
  }, 60_000);
  afterAll(() => srv.close());

  it('generates a person interacting with a given partner', async () => {
    const partner = [[300, 120], [304, 115], [296, 115], [310, 118], [290, 118], [325, 150], [275, 150], [335, 200], [265, 200],
      [340, 245], [260, 245], [318, 250], [282, 250], [320, 320], [280, 320], [322, 390], [278, 390]].map(([x, y]) => [x, y, 1]);
    const r = await postJson(`${srv.url}/api/h2h`, {
      image: imageId, person_box: [120, 100, 240, 400], partner_box: [250, 100, 350, 400], partner_keypoints: partner, action: 'handshake', samples: 2, seed: 1,
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const skel = parseSkeletonFile(r.json.skeleton);
    expect(skel.samples).toHaveLength(2);
    expect(skel.partner?.keypoints[9]).toEqual([340, 245, 1]);
    const fit = await postJson(`${srv.url}/api/fit`, { skeleton: skel, partner: true });
    expect(fit.status).toBe(200);
    expect(fit.json.bodies).toHaveLength(2);
  }, 60_000);
});
