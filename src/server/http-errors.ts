/**
 * Turning anything thrown in a handler into a JSON `{error, code}` answer with a fitting status: PinplaceError keeps
 * its own status, body-parser errors keep theirs (400 bad JSON, 413 too large, 415 bad encoding), anything else is a
 * 500 whose detail goes to the log, not the client.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { oneLine, PinplaceError } from '../errors.ts';

interface HttpishError { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown; message?: unknown }

/** Status, code and one-line message for a thrown value. */
export function describeError(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof PinplaceError) return { status: err.status, code: err.code, message: oneLine(err) };
  const e = (err ?? {}) as HttpishError;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (e.type === 'entity.too.large') return { status: 413, code: 'too_large', message: `request body is too large (${oneLine(err)})` };
    if (e.type === 'entity.parse.failed') return { status: 400, code: 'bad_json', message: `request body is not valid JSON (${oneLine(err)})` };
    return { status, code: 'bad_request', message: oneLine(err) };
  }
  return { status: 500, code: 'internal', message: 'internal server error (see the server log)' };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const d = describeError(err);
    if (d.status >= 500 && d.code === 'internal') log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else log.info({ status: d.status, code: d.code, method: req.method, url: req.originalUrl, error: d.message }, 'request refused');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(d.status).json({ error: d.message, code: d.code });
  };
}

/** 404 for any /api path no route took. */
export const apiNotFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no API route ${req.method} ${req.path}; see /api/openapi.json`, code: 'not_found' });
};
