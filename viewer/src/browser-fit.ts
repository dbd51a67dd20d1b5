/**
 * The fitter in the browser, on tfjs's WebGL backend (the user's GPU). Loaded lazily as its own chunk, so the first
 * scene does not wait for tfjs. It runs the same src/mesh code as the server; when that module is not in this build
 * the viewer says so and fits on the server only.
 */
import * as tf from '@tensorflow/tfjs';
import * as meshFit from 'optional:../../src/mesh/fit.ts';
import type { SkeletonFile } from '../../src/data/formats.ts';

export interface BrowserFit {
  backend: string;
  ms: number;
  body: unknown;
  /** Every fitted body (the partner second for h2h skeletons). */
  bodies: unknown[];
  glb: ArrayBuffer;
}

/** Which solver the in-browser fit uses: the fitter's choice (gradient on WebGL), or one by name. */
export type BrowserSolver = 'auto' | 'gradient' | 'lm';

type FitFn = (o: { skeleton: SkeletonFile; sample?: number; partner?: boolean; solver?: BrowserSolver }) => Promise<{ body: unknown; bodies?: unknown[]; glb: Uint8Array }>;

/** The fit function of this build, or null. */
function fitFunction(): FitFn | null {
  const fn = (meshFit as Record<string, unknown>).fit;
  return typeof fn === 'function' ? (fn as FitFn) : null;
}

let backendReady: Promise<string> | null = null;

/** Start tfjs on WebGL (falling back to cpu); resolves to the backend that runs. */
export function startBackend(): Promise<string> {
  backendReady ??= (async () => {
    for (const name of ['webgl', 'cpu']) {
      try {
        if ((await tf.setBackend(name)) && tf.getBackend() === name) {
          await tf.ready();
          return name;
        }
      } catch {
        // try the next one
      }
    }
    return tf.getBackend() ?? 'none';
  })();
  return backendReady;
}

/** Whether this build carries the fitter. */
export function browserFitAvailable(): boolean {
  return fitFunction() !== null;
}

/** Why the fitter is not in this build (null when it is). */
export function browserFitMissing(): string | null {
  if (fitFunction()) return null;
  const why = (meshFit as Record<string, unknown>).__missing;
  return typeof why === 'string' ? why : 'src/mesh/fit.ts has no fit export';
}

/** Fit sample `sample` of `skeleton` in the browser. */
export async function fitInBrowser(skeleton: SkeletonFile, sample: number, solver: BrowserSolver = 'auto'): Promise<BrowserFit> {
  const fit = fitFunction();
  if (!fit) throw new Error('the in-browser fitter is not part of this build');
  const backend = await startBackend();
  const t0 = performance.now();
  const r = await fit({ skeleton, sample, solver, ...(skeleton.partner ? { partner: true } : {}) });
  const glb = r.glb.buffer.slice(r.glb.byteOffset, r.glb.byteOffset + r.glb.byteLength) as ArrayBuffer;
  return { backend, ms: Math.round(performance.now() - t0), body: r.body, bodies: r.bodies?.length ? r.bodies : [r.body], glb };
}
