/** Defaults of the HTTP server. */
import type { ServerLimits } from './types.ts';

export const DEFAULT_PORT = 5173;
export const DEFAULT_HOST = '127.0.0.1';

export const DEFAULT_LIMITS: ServerLimits = {
  uploadBytes: 20 * 1024 * 1024, // 20 MiB image upload
  maxImagePixels: 16_777_216, // 4096 x 4096
  jsonBytes: 5 * 1024 * 1024, // 5 MiB JSON body (skeletons are a few kB)
  maxQueued: 256,
  maxSamples: 64,
  keepResults: 2000,
};

/** An id of an upload or a result: 16 lowercase hex digits. */
export const ID_PATTERN = /^[0-9a-f]{16}$/;
/** A servable file name inside one result: no slashes, no leading dot, known extensions only. */
export const FILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*\.(json|png|glb|obj)$/;

export const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  glb: 'model/gltf-binary',
  obj: 'text/plain; charset=utf-8',
};

/** Upload content types accepted by POST /api/images. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
