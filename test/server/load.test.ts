/** 50 concurrent clients on loopback (autocannon), bounded in time: no errors, no crash, no overlapping compute. */
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDeps, testImagePng } from './fakes.ts';
import { startTestServer, type TestServer } from './helpers.ts';

const CLIENTS = 50;
const SECONDS = 2;

describe('server under 50 concurrent clients', () => {
  let srv: TestServer;
  let imageId: string;
  const fakes = fakeDeps(1);

  beforeAll(async () => {
    srv = await startTestServer(fakes.deps);
    const res = await fetch(`${srv.url}/api/images`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await testImagePng(64, 48) });
    imageId = ((await res.json()) as { id: string }).id;
  });
  afterAll(() => srv.close());

  it('answers every health and generate request with 2xx and never overlaps compute', async () => {
    const gen = JSON.stringify({ image: imageId, person_box: [5, 5, 30, 45], object_box: [35, 20, 60, 45], samples: 2 });
    const r = await autocannon({
      url: srv.url, connections: CLIENTS, duration: SECONDS, timeout: 10,
      requests: [
        { method: 'GET', path: '/api/health' },
        { method: 'POST', path: '/api/generate', headers: { 'content-type': 'application/json' }, body: gen },
      ],
    });
    expect(r.errors).toBe(0);
    expect(r.timeouts).toBe(0);
    expect(r.non2xx).toBe(0);
    expect(r['2xx']).toBeGreaterThanOrEqual(CLIENTS);
    expect(fakes.state.overlaps).toBe(0);
    expect(fakes.state.calls.generate).toBeGreaterThan(0);
  });

  it('answers a flood of bad requests with 4xx and stays up', async () => {
    const r = await autocannon({
      url: srv.url, connections: CLIENTS, duration: 1, timeout: 10,
      requests: [
        { method: 'POST', path: '/api/generate', headers: { 'content-type': 'application/json' }, body: '{"image": ' },
        { method: 'POST', path: '/api/fit', headers: { 'content-type': 'application/json' }, body: '{"skeleton": 3}' },
        { method: 'GET', path: '/api/files/..%2F..%2Fetc/passwd' },
      ],
    });
    expect(r.errors).toBe(0);
    expect(r['5xx']).toBe(0);
    expect(r['4xx']).toBeGreaterThanOrEqual(CLIENTS);
    const health = await fetch(`${srv.url}/api/health`);
    expect(health.status).toBe(200);
  });
});
