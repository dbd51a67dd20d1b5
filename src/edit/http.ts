/**
 * The small HTTP layer both clients share: fetch with a timeout and an outer abort signal, errors turned into
 * one-line ServerErrors that name the server, the route and what came back.
 */
import { ServerError } from '../errors.ts';

/** Options of one request. */
export interface RequestOptions {
  method?: string;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Milliseconds before the request is given up. */
  timeoutMs: number;
  /** Outer cancellation (job deadline, user abort). */
  signal?: AbortSignal;
}

/** A server's answer, already read. */
export interface HttpAnswer {
  status: number;
  body: Uint8Array;
  contentType: string;
  text(): string;
  json(): unknown;
}

/** Thrown when the outer signal ends a request (so callers can tell a deadline from a failure). */
export class AbortedError extends Error {}

/** The reason a fetch failed, in a few words (ECONNREFUSED, ENOTFOUND, ...). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** The first line of a server's error body, trimmed to a readable length. */
export function snippet(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

/**
 * Request `url` and read the whole answer. Network failures and timeouts become ServerErrors naming `what`
 * (e.g. "ComfyUI at http://host:8188"); HTTP error statuses are returned, not thrown (callers know their shapes).
 */
export async function request(what: string, url: string, o: RequestOptions): Promise<HttpAnswer> {
  const route = new URL(url).pathname;
  const auth = splitCredentials(url);
  url = auth.url;
  const headers = { ...o.headers, ...auth.headers };
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  let res: Response;
  let body: Uint8Array;
  try {
    res = await fetch(url, { method: o.method ?? 'GET', body: o.body, headers, signal });
    body = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    if (o.signal?.aborted) throw new AbortedError(`${o.method ?? 'GET'} ${route} aborted`);
    if (timeout.aborted) throw new ServerError(`${what} did not answer ${o.method ?? 'GET'} ${route} within ${Math.round(o.timeoutMs / 1000)} s`, 504);
    throw new ServerError(`cannot reach ${what} (${networkReason(err)}); is the server running at that address?`, 502);
  }
  const contentType = res.headers.get('content-type') ?? '';
  const text = (): string => new TextDecoder().decode(body);
  return {
    status: res.status,
    body,
    contentType,
    text,
    json: () => {
      try {
        return JSON.parse(text());
      } catch {
        throw new ServerError(`${what} answered ${o.method ?? 'GET'} ${route} with ${res.status} and a body that is not JSON: ${snippet(text())}`);
      }
    },
  };
}

/** Throw a one-line ServerError for a non-2xx answer, with `detail` (the server's own message) when known. */
export function failStatus(what: string, method: string, route: string, a: HttpAnswer, detail?: string): never {
  const text = detail ?? snippet(a.text());
  throw new ServerError(`${what} answered ${method} ${route} with HTTP ${a.status}${text ? `: ${text}` : ''}`, 502);
}

/**
 * A URL with user:password (a server behind HTTP basic auth) -> the URL without them and the Authorization header
 * (fetch refuses URLs with credentials).
 */
export function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, headers: {} };
  const token = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), headers: { authorization: `Basic ${token}` } };
}

/** The URL as shown in messages: without a password. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (!u.password) return url;
  u.password = '***';
  return u.toString().replace(/\/$/, '');
}

/** Resolve after `ms`, or reject with AbortedError when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('aborted'));
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(new AbortedError('aborted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Join a base URL and a path ("/prompt"), keeping any path prefix of the base (e.g. a reverse-proxy prefix). */
export function joinUrl(base: string, path: string, query?: Record<string, string>): string {
  const u = new URL(base);
  u.pathname = u.pathname.replace(/\/+$/, '') + path;
  if (query) for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

/** "2 s", "0.5 s", "10 min". */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s >= 120 && s % 60 === 0) return `${s / 60} min`;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Settle with `p`, or reject with AbortedError as soon as `signal` fires. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}
