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

  it('keeps a pinned joint exactly where it was pinned and lists it in pinned', async () => {
    const base = { image: imageId, person_box: [120, 100, 240, 400], partner_box: [250, 100, 350, 400], partner_keypoints: PARTNER, action: 'handshake', samples: 1, seed: 3 };
    const free = await postJson(`${srv.url}/api/h2h`, base);
    expect(free.status, JSON.stringify(free.json)).toBe(200);
    const freeSkel = parseSkeletonFile(free.json.skeleton);
    // Move the right wrist (10) 60 px left of where the model put it.
    const [wx, wy] = freeSkel.samples[0].keypoints[10];
    const pin = { joint: 10, x: Math.round(wx - 60), y: Math.round(wy) };
    const pinned = await postJson(`${srv.url}/api/h2h`, { ...base, pins: [pin] });
    expect(pinned.status, JSON.stringify(pinned.json)).toBe(200);
    const skel = parseSkeletonFile(pinned.json.skeleton);
    expect(skel.samples[0].keypoints[10]).toEqual([pin.x, pin.y, 1]);
    expect(skel.pinned).toEqual([10]);
  }, 60_000);

  it('passes pins to the sampler, which imposes them in crop units (not only overwritten afterwards)', async () => {
    const { loadH2hModel } = await import('../../src/h2h/h2h-model.ts');
    const { readImage } = await import('../../src/io/image.ts');
    const { partnerCondition } = await import('../../src/h2h/partner-tokens.ts');
    const sampler = await loadH2hModel();
    const image = await readImage(join(PACKAGE_ROOT, 'assets', 'sample', 'scene.png'));
    const personBox: [number, number, number, number] = [120, 100, 240, 400];
    const partnerBox: [number, number, number, number] = [250, 100, 350, 400];
    const extra = partnerCondition({ box: partnerBox, keypoints: PARTNER as never }, personBox, image.width, image.height, sampler.embedDim);
    const o = { image, personBox, objectBox: partnerBox, category: 'person', samples: 2, seed: 3, extra };
    const pin = { joint: 9, x: 150, y: 180 };
    const raw = await sampler.sample({ ...o, pins: [pin] });
    for (const s of raw) {
      expect(s.keypoints[9][0]).toBeCloseTo(pin.x, 0);
      expect(s.keypoints[9][1]).toBeCloseTo(pin.y, 0);
    }
    const free = await sampler.sample(o);
    expect(Math.hypot(free[0].keypoints[9][0] - pin.x, free[0].keypoints[9][1] - pin.y)).toBeGreaterThan(5);
  }, 60_000);

  it('rejects a pin outside COCO-17 with 400', async () => {
    const r = await postJson(`${srv.url}/api/h2h`, {
      image: imageId, person_box: [120, 100, 240, 400], partner_box: [250, 100, 350, 400], partner_keypoints: PARTNER, pins: [{ joint: 17, x: 1, y: 1 }],
    });
    expect(r.status).toBe(400);
    expect(String(r.json.error)).toMatch(/joint/);
  });
});

const PARTNER = [[300, 120], [304, 115], [296, 115], [310, 118], [290, 118], [325, 150], [275, 150], [335, 200], [265, 200],
  [340, 245], [260, 245], [318, 250], [282, 250], [320, 320], [280, 320], [322, 390], [278, 390]].map(([x, y]) => [x, y, 1]);
