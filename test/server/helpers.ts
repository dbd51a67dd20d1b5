/** Start `createApp` on a loopback port for a test, with a temporary output area and a silent logger. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, type PinplaceApp } from '../../src/server/app.ts';
import type { ServerDeps } from '../../src/server/types.ts';

export interface TestServer {
  url: string;
  app: PinplaceApp;
  outDir: string;
  close(): Promise<void>;
}

export async function startTestServer(deps: Omit<ServerDeps, 'outDir'> & { outDir?: string }): Promise<TestServer> {
  const outDir = deps.outDir ?? mkdtempSync(join(tmpdir(), 'pinplace-serve-'));
  const app = createApp({ sampleDir: null, precomputeSample: false, logger: pino({ level: 'silent' }), ...deps, outDir });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    outDir,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        if (!deps.outDir) rmSync(outDir, { recursive: true, force: true });
        resolve();
      });
    }),
  };
}

/** POST JSON and read the JSON answer. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
