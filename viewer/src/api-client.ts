/** Typed calls to the server's JSON API. Failures throw ApiError with the server's one-line message. */
import type { SampleSceneResult } from '../../src/server/sample-scene.ts';
import type { EditJob, FitResultInfo, GuidanceResult, ImageInfo, SkeletonResult } from '../../src/server/service.ts';
import type { SkeletonFile } from '../../src/data/formats.ts';
import type { DetectOutput, JointPin } from '../../src/server/types.ts';

export type { EditJob, FitResultInfo, GuidanceResult, ImageInfo, SampleSceneResult, SkeletonResult };

export interface Health {
  ok: boolean; backend: string | null;
  capabilities: Record<'generate' | 'fit' | 'guidanceFiles' | 'h2h' | 'detect' | 'edit', boolean>;
  missing: Record<string, string>;
  /** Whether the server has the body model the in-browser fitter fetches. */
  bodyModel: boolean;
  /** The image server this server is configured with (the only one edits go to), if any. */
  editServer: string | null;
  /** Where edits may go: only `editServer` (configured), any loopback URL (loopback), or nowhere (none). */
  editServers?: 'configured' | 'loopback' | 'none';
}

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text.slice(0, 200) };
  }
  if (!res.ok) throw new ApiError((body as { error?: string }).error ?? `HTTP ${res.status}`, res.status);
  return body as T;
}

const post = <T>(path: string, body: unknown): Promise<T> =>
  call<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export interface GenerateArgs {
  image: string; person_box: number[]; object_box: number[]; category?: string; action?: string;
  samples?: number; seed?: number; pins?: JointPin[]; hand?: 'left' | 'right';
}

export const api = {
  health: () => call<Health>('/api/health'),
  sample: () => call<SampleSceneResult>('/api/sample'),
  upload: (file: Blob) => call<ImageInfo>('/api/images', { method: 'POST', headers: { 'content-type': file.type || 'image/png' }, body: file }),
  generate: (a: GenerateArgs) => post<SkeletonResult>('/api/generate', a),
  fit: (skeleton: SkeletonFile, sample: number) => post<FitResultInfo>('/api/fit', { skeleton, sample, ...(skeleton.partner ? { partner: true } : {}) }),
  h2h: (a: { image: string; person_box: number[]; partner_box: number[]; action?: string; samples?: number; seed?: number; pins?: JointPin[] }) => post<SkeletonResult>('/api/h2h', a),
  detect: (image: string) => post<DetectOutput>('/api/detect', { image }),
  guidance: (image: string, skeleton: SkeletonFile, sample: number) => post<GuidanceResult>('/api/guidance', { image, skeleton, sample }),
  edit: (a: { image: string; skeleton: SkeletonFile; sample?: number; server?: string; prompt: string; api?: 'comfyui' | 'a1111' }) => post<EditJob>('/api/edit', a),
  job: (id: string) => call<EditJob>(`/api/jobs/${id}`),
};
