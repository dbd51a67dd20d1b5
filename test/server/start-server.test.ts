import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DOMAIN_MODULES, loadDomain } from '../../src/server/domain-node.ts';
import { startServer } from '../../src/server/start-server.ts';
import { DEFAULT_MODEL_DIR } from '../../src/skeleton/model-store-node.ts';
import { fakeDeps } from './fakes.ts';

describe('loadDomain', () => {
  it('finds each domain function or says why it is missing', async () => {
    const d = await loadDomain();
    for (const name of Object.keys(DOMAIN_MODULES) as Array<keyof typeof DOMAIN_MODULES>) {
      const fn = d[name];
      const why = d.missing?.[name];
      expect(typeof fn === 'function' || (typeof why === 'string' && why.length > 0), name).toBe(true);
      if (fn) expect(why, name).toBeUndefined();
    }
    expect(typeof d.guidanceFiles).toBe('function');
  });

  it('checks for a trained model before generate runs', async () => {
    const d = await loadDomain();
    expect(typeof d.generate).toBe('function');
    const trained = existsSync(join(DEFAULT_MODEL_DIR, 'config.json'));
    expect(d.unready?.generate?.()).toEqual(trained ? null : expect.stringMatching(/^no trained model in .*models\/default \(train one: pinplace train/));
  });
});

describe('startServer', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'pinplace-start-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('listens, serves the viewer page, its bundle and the API', async () => {
    const { deps } = fakeDeps();
    const srv = await startServer({ port: 0, outDir, logger: pino({ level: 'silent' }), deps: { ...deps, sampleDir: null } });
    try {
      const page = await fetch(srv.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain('/dist/main.js');
      const js = await fetch(new URL('/dist/main.js', srv.url));
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      const health = (await (await fetch(new URL('/api/health', srv.url))).json()) as { backend: string };
      expect(health.backend).toBe('fake');
      const sample = (await (await fetch(new URL('/api/sample', srv.url))).json()) as { available: boolean };
      expect(sample.available).toBe(false);
    } finally {
      await srv.close();
    }
  });

  it('takes the image server from --server or PINPLACE_SERVER and refuses a bad one before listening', async () => {
    const saved = process.env.PINPLACE_SERVER;
    process.env.PINPLACE_SERVER = 'http://127.0.0.1:8188';
    try {
      const a = await startServer({ port: 0, outDir, logger: pino({ level: 'silent' }), deps: { sampleDir: null } });
      const b = await startServer({ port: 0, outDir, logger: pino({ level: 'silent' }), editServer: 'http://localhost:7860', deps: { sampleDir: null } });
      try {
        expect(await (await fetch(new URL('/api/health', a.url))).json()).toMatchObject({ editServer: 'http://127.0.0.1:8188', editServers: 'configured' });
        expect(await (await fetch(new URL('/api/health', b.url))).json()).toMatchObject({ editServer: 'http://localhost:7860', editServers: 'configured' });
      } finally {
        await a.close();
        await b.close();
      }
      await expect(startServer({ port: 0, outDir, logger: pino({ level: 'silent' }), editServer: 'ftp://x', deps: { sampleDir: null } })).rejects.toThrow('--server must be an http:// or https:// URL, got "ftp://x"');
    } finally {
      if (saved === undefined) delete process.env.PINPLACE_SERVER;
      else process.env.PINPLACE_SERVER = saved;
    }
  });

  it('refuses a port that is taken with a one-line error', async () => {
    const a = await startServer({ port: 0, outDir, logger: pino({ level: 'silent' }), deps: { sampleDir: null } });
    try {
      const port = Number(new URL(a.url).port);
      await expect(startServer({ port, outDir, logger: pino({ level: 'silent' }), deps: { sampleDir: null } })).rejects.toThrow(`port ${port} is already in use`);
    } finally {
      await a.close();
    }
  });
});
