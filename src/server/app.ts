/**
 * The express application: the JSON API under /api and the three.js viewer at /. `createApp(deps)` takes the domain
 * functions and the output area; handlers only parse (zod), call the service and answer. Nothing here listens.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import { UsageError } from '../errors.ts';
import { DEFAULT_LIMITS, IMAGE_TYPES } from './constants.ts';
import { apiNotFound, errorHandler } from './http-errors.ts';
import { editServerMode, parseServerUrl } from './edit-server-policy.ts';
import { openApiDocument } from './openapi.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { contentTypeOf } from './output-store.ts';
import { SampleScene } from './sample-scene.ts';
import {
  detectRequestSchema, editRequestSchema, fitRequestSchema, generateRequestSchema, guidanceRequestSchema, h2hRequestSchema,
} from './schemas.ts';
import { PinplaceService } from './service.ts';
import type { ServerDeps, ServerLimits } from './types.ts';

/** The package root (two levels above this file). */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DEFAULT_SAMPLE_DIR = join(PACKAGE_ROOT, 'assets', 'sample');
export const DEFAULT_VIEWER_DIR = join(PACKAGE_ROOT, 'viewer');
export const DEFAULT_BODY_MODEL_DIR = join(PACKAGE_ROOT, 'assets', 'body-model');
/** The body model file the in-browser fitter fetches (src/mesh/fit.ts `bodyModelUrl`). */
export const BODY_MODEL_FILE = 'pinplace-body.npz';

export interface PinplaceApp extends express.Express {
  /** The service behind the routes (tests look at its queue). */
  locals: express.Express['locals'] & { service: PinplaceService; sample: SampleScene; logger: Logger };
}

/** Only this server's own scripts, styles and data; blob:/data: for downloads, textures and the in-browser fitter. */
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self' data: blob:",
  "worker-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
].join('; ');

/** Parse `body` with `schema`, or throw a one-line 400 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new UsageError(`${what} needs a JSON object body with Content-Type: application/json`);
  }
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : '(body)';
  throw new UsageError(`${what}: ${where}: ${issue.message}`);
}

/** Build the app. */
export function createApp(deps: ServerDeps): PinplaceApp {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  if (deps.editServer) parseServerUrl(deps.editServer, 'the image server (--server / PINPLACE_SERVER)');
  const log = deps.logger ?? pino({ level: process.env.PINPLACE_LOG ?? 'info', name: 'pinplace' });
  const service = new PinplaceService(deps, limits, log);
  const sampleDir = deps.sampleDir === undefined ? DEFAULT_SAMPLE_DIR : deps.sampleDir;
  const sample = new SampleScene(service, sampleDir, log);
  const viewerDir = deps.viewerDir === undefined ? DEFAULT_VIEWER_DIR : deps.viewerDir;
  const bodyModelDir = deps.bodyModelDir === undefined ? DEFAULT_BODY_MODEL_DIR : deps.bodyModelDir;
  const bodyModelPath = bodyModelDir ? join(bodyModelDir, BODY_MODEL_FILE) : null;

  const app = express() as PinplaceApp;
  app.locals.service = service;
  app.locals.sample = sample;
  app.locals.logger = log;
  app.disable('x-powered-by');
  app.set('etag', false);

  // Cross-origin isolation lets the browser fitter use wasm threads; nosniff keeps stored files what they say.
  app.use((req, res, next) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', CSP);
    const t0 = performance.now();
    const id = randomUUID();
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const entry = { req: id, method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(performance.now() - t0) };
      const path = req.originalUrl.split('?')[0];
      if (path.startsWith('/api/') && path !== '/api/health') log.info(entry, 'request');
      else log.debug(entry, 'request');
    });
    next();
  });

  const api = express.Router();
  const json = express.json({ limit: limits.jsonBytes, strict: true });
  const raw = express.raw({ type: [...IMAGE_TYPES], limit: limits.uploadBytes });

  api.get('/health', (_req, res) => {
    res.json({
      ok: true, backend: deps.backend ?? null, capabilities: service.capabilities(),
      bodyModel: bodyModelPath !== null && existsSync(bodyModelPath),
      editServer: deps.editServer ?? null, editServers: editServerMode(service.editServerPolicy),
      missing: service.missing(), queue: { pending: service.queue.pending, completed: service.queue.completed },
    });
  });
  api.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(limits, PACKAGE_VERSION));
  });
  api.get('/sample', async (_req, res) => {
    res.json(await sample.get());
  });

  api.post('/images', raw, async (req: Request, res: Response) => {
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      const type = req.get('content-type') ?? 'none';
      res.status(415).json({ error: `upload an image body with Content-Type ${IMAGE_TYPES.join(', ')}; got ${type}`, code: 'unsupported_type' });
      return;
    }
    res.status(201).json(await service.upload(new Uint8Array(req.body), 'uploaded image'));
  });

  const post = (path: string, handler: (body: unknown) => Promise<unknown>, status = 200): void => {
    api.post(path, json, (async (req, res) => {
      res.status(status).json(await handler(req.body));
    }) as RequestHandler);
  };
  post('/generate', (b) => service.generate(parseBody(generateRequestSchema(limits.maxSamples), b, 'generate')));
  post('/h2h', (b) => service.h2h(parseBody(h2hRequestSchema(limits.maxSamples), b, 'h2h')));
  post('/fit', (b) => service.fit(parseBody(fitRequestSchema, b, 'fit')));
  post('/detect', (b) => service.detect(parseBody(detectRequestSchema, b, 'detect')));
  post('/guidance', (b) => service.guidance(parseBody(guidanceRequestSchema, b, 'guidance')));
  post('/edit', (b) => service.startEdit(parseBody(editRequestSchema, b, 'edit')), 202);

  api.get('/jobs/:id', (req, res) => {
    res.json(service.job(String(req.params.id)));
  });

  api.get('/files/:id/:name', async (req, res) => {
    const id = String(req.params.id);
    const name = String(req.params.name);
    const path = await service.store.resolve(id, name);
    res.setHeader('Content-Type', contentTypeOf(name));
    res.setHeader('Cache-Control', 'private, max-age=3600, immutable');
    res.sendFile(path, { dotfiles: 'deny' });
  });

  api.use(apiNotFound);
  app.use('/api', api);

  if (viewerDir) {
    const index = join(viewerDir, 'index.html');
    const bundle = join(viewerDir, 'dist', 'main.js');
    app.get('/', (_req, res) => {
      if (!existsSync(index) || !existsSync(bundle)) {
        res.status(503).type('text/plain').send(`The viewer is not built (${existsSync(index) ? bundle : index} is missing): run \`npm run build:viewer\` (needs the esbuild dev dependency). The JSON API is at /api/openapi.json.\n`);
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
    app.get('/favicon.ico', (_req, res) => {
      res.status(204).end();
    });
    app.get(`/assets/body-model/${BODY_MODEL_FILE}`, (_req, res) => {
      if (!bodyModelPath || !existsSync(bodyModelPath)) {
        res.status(404).json({ error: 'no body model on this server', code: 'not_found' });
        return;
      }
      res.setHeader('Content-Type', 'application/octet-stream');
      res.sendFile(bodyModelPath);
    });
    app.use('/assets', express.static(join(viewerDir, 'assets'), { dotfiles: 'deny', index: false, fallthrough: true }));
    app.use('/dist', express.static(join(viewerDir, 'dist'), { dotfiles: 'deny', index: false, fallthrough: true }));
  }

  app.use((req, res) => {
    res.status(404).json({ error: `nothing at ${req.method} ${req.path}`, code: 'not_found' });
  });
  app.use(errorHandler(log));

  if (deps.precomputeSample !== false) {
    // Start the sample scene now so the first page load finds it ready; failures become notes in the answer.
    void sample.get().catch((err: unknown) => log.error({ err }, 'sample scene failed'));
  }
  return app;
}
