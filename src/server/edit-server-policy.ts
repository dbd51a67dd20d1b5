/**
 * Which image-generation server `/api/edit` may contact. The server never sends requests to an address a client
 * chose freely (that would let any page or client use it to reach hosts on its network):
 *
 * - With a configured server (`pinplace serve --server URL`, or the `PINPLACE_SERVER` environment variable), edits go
 *   to that server only. A request may omit `server` or name the same URL; any other URL is refused (403).
 * - With none configured, a request must name a loopback URL (`localhost`, `127.x.x.x`, `[::1]`): the usual set-up
 *   of a local tool, with ComfyUI or AUTOMATIC1111 on the same machine. This fallback is off when the server listens
 *   on a non-loopback address (`--host 0.0.0.0`), since then other machines could reach this machine's loopback
 *   services through it; configure the server instead.
 */
import { PinplaceError, UsageError } from '../errors.ts';

export interface EditServerPolicy {
  /** The configured image server (base URL), or null. */
  configured: string | null;
  /** Whether a loopback URL is accepted when none is configured. */
  allowLoopback: boolean;
}

/** How /api/health describes the policy: `configured`, `loopback` (any loopback URL) or `none` (edits refused). */
export type EditServerMode = 'configured' | 'loopback' | 'none';

export function editServerMode(p: EditServerPolicy): EditServerMode {
  return p.configured ? 'configured' : p.allowLoopback ? 'loopback' : 'none';
}

/** `url` parsed as an http(s) base URL; throws a UsageError naming `what`. */
export function parseServerUrl(url: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${what} must be an http:// or https:// URL, got "${url}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${what} must be an http:// or https:// URL, got "${url}"`);
  return u;
}

/** The URL in a form where equal servers compare equal: origin and path without a trailing slash. */
export function normaliseServerUrl(url: string, what = 'server'): string {
  const u = parseServerUrl(url, what);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** Whether the URL's host is a loopback address (the URL parser has already turned 0x7f.1 and the like into dotted form). */
export function isLoopbackUrl(url: string): boolean {
  const host = parseServerUrl(url, 'server').hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether a listen address only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The server an edit request may use, or an error: 400 when none is given or known, 403 when it is not allowed. */
export function resolveEditServer(requested: string | undefined, p: EditServerPolicy): string {
  if (p.configured) {
    if (requested === undefined || normaliseServerUrl(requested) === normaliseServerUrl(p.configured, 'the configured server')) return p.configured;
    throw new PinplaceError(`server ${requested} is not this server's image server; edits go only to the configured one (pinplace serve --server URL or PINPLACE_SERVER); omit server to use it`, 'server_not_allowed', 403);
  }
  if (requested === undefined) {
    throw new UsageError(`no image server: this server has none configured (pinplace serve --server URL or PINPLACE_SERVER)${p.allowLoopback ? ', so give server: a loopback URL such as http://127.0.0.1:8188' : ''}`);
  }
  if (!p.allowLoopback) {
    throw new PinplaceError(`server ${requested} is not allowed: this server has no image server configured and listens beyond loopback; start it with --server URL or PINPLACE_SERVER`, 'server_not_allowed', 403);
  }
  if (!isLoopbackUrl(requested)) {
    throw new PinplaceError(`server ${requested} is not allowed: with no image server configured, edits go only to loopback URLs (localhost, 127.0.0.1, [::1]); configure another with pinplace serve --server URL or PINPLACE_SERVER`, 'server_not_allowed', 403);
  }
  return requested;
}
