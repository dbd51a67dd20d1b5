/** The one entry point to the image servers: `createClient(api, config)`. */
import { UsageError } from '../errors.ts';
import { A1111Client } from './a1111-client.ts';
import { ComfyUIClient } from './comfyui-client.ts';
import type { ImageServerApi, ImageServerClient, ImageServerConfig } from './types.ts';

/** The APIs createClient knows. */
export const IMAGE_SERVER_APIS: readonly ImageServerApi[] = ['comfyui', 'a1111'];

/** Check a server URL: http(s) with a host; one-line UsageError otherwise. Returns it without a trailing slash. */
export function validateServerUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--server must be an http(s) URL such as http://127.0.0.1:8188, got "${url}"`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) {
    throw new UsageError(`--server must be an http(s) URL such as http://127.0.0.1:8188, got "${url}"`);
  }
  return url.replace(/\/+$/, '');
}

/** Make the client for `api` ('comfyui' or 'a1111'). */
export function createClient(api: ImageServerApi, config: ImageServerConfig): ImageServerClient {
  const url = validateServerUrl(config.url);
  if (config.pollIntervalMs !== undefined && !(config.pollIntervalMs > 0)) throw new UsageError(`pollIntervalMs must be > 0, got ${config.pollIntervalMs}`);
  switch (api) {
    case 'comfyui': return new ComfyUIClient({ ...config, url });
    case 'a1111': return new A1111Client({ ...config, url });
    default: throw new UsageError(`--api must be one of ${IMAGE_SERVER_APIS.join(', ')}, got "${String(api)}"`);
  }
}
