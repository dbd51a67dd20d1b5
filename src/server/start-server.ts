/**
 * Node-only: start `pinplace serve`: set up the tensor backend, load the domain functions, make sure the viewer
 * bundle is built, and listen.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { initBackend } from '../backend.ts';
import { oneLine, UsageError } from '../errors.ts';
import { createApp, DEFAULT_VIEWER_DIR, PACKAGE_ROOT, type PinplaceApp } from './app.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './constants.ts';
import { loadDomain } from './domain-node.ts';
import { isLoopbackHost, parseServerUrl } from './edit-server-policy.ts';
import type { ServerDeps } from './types.ts';
import { ensureViewerBundle } from './viewer-bundle.ts';

export interface StartOptions {
  port?: number;
  host?: string;
  /** Output area (default ./out/serve). */
  outDir?: string;
  logger?: Logger;
  /** The image server edits go to (default: PINPLACE_SERVER; empty or null for none). See edit-server-policy.ts. */
  editServer?: string | null;
  /** Replace or add domain functions (tests, embedding). */
  deps?: Partial<ServerDeps>;
}

export interface RunningServer {
  url: string;
  app: PinplaceApp;
  server: Server;
  backend: string;
  close(): Promise<void>;
}

export async function startServer(o: StartOptions = {}): Promise<RunningServer> {
  const log = o.logger ?? pino({ level: process.env.PINPLACE_LOG ?? 'info', name: 'pinplace' });
  const port = o.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0-65535, got ${port}`);
  const editServer = (o.editServer === undefined ? process.env.PINPLACE_SERVER : o.editServer)?.trim() || null;
  if (editServer) parseServerUrl(editServer, o.editServer === undefined ? 'PINPLACE_SERVER' : '--server');
  const backend = await initBackend();
  log.info({ backend: backend.backend }, backend.message);
  const [domain, bundle] = await Promise.all([
    loadDomain(),
    ensureViewerBundle({ viewerDir: DEFAULT_VIEWER_DIR }).catch((err: unknown) => ({ error: oneLine(err) })),
  ]);
  for (const [name, why] of Object.entries(domain.missing ?? {})) log.warn({ capability: name }, `${name} unavailable: ${why}`);
  if ('error' in bundle) log.error(`the viewer bundle could not be built (${bundle.error}); the API still works`);
  else log.info({ built: bundle.built, ms: bundle.ms }, bundle.built ? 'viewer bundle built' : 'viewer bundle up to date');
  const app = createApp({
    outDir: resolve(o.outDir ?? join(process.cwd(), 'out', 'serve')),
    logger: log, backend: backend.backend, editServer,
    // With no image server configured, a loopback one may be named, unless other machines can reach this server.
    allowLoopbackEditServer: isLoopbackHost(o.host ?? DEFAULT_HOST), ...domain, ...o.deps,
  });
  const server = app.listen(port, o.host ?? DEFAULT_HOST);
  await new Promise<void>((ok, fail) => {
    server.once('listening', ok);
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'EADDRINUSE' ? new UsageError(`port ${port} is already in use; pick another with --port`) : err);
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`, app, server, backend: backend.backend,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

export { PACKAGE_ROOT };
