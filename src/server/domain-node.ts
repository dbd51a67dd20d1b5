/**
 * Node-only: find the real domain functions for `pinplace serve`. Each is imported on its own, so one module that
 * is missing or fails to load only turns its own endpoint into a 501 (with the reason), never the whole server.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { oneLine } from '../errors.ts';
import type { DetectFn, DomainName, EditFn, FitFn, GenerateFn, GuidanceFn, H2hFn, ServerDeps } from './types.ts';

type Loaded = Pick<ServerDeps, 'generate' | 'fit' | 'guidanceFiles' | 'h2h' | 'detect' | 'edit' | 'missing' | 'unready'>;

/** Default model folders the generators read (module, export name), checked before each call. */
export const MODEL_DIRS: Partial<Record<DomainName, [string, string, string]>> = {
  generate: ['../skeleton/model-store-node.ts', 'DEFAULT_MODEL_DIR', 'pinplace train --data DIR --out models/default'],
  h2h: ['../h2h/h2h-model.ts', 'DEFAULT_H2H_MODEL_DIR', 'pinplace h2h-train'],
};

/** Where each domain function lives (module relative to src/server, export name), first hit wins. */
export const DOMAIN_MODULES: Record<DomainName, Array<[string, string]>> = {
  generate: [['../skeleton/generate.ts', 'generate']],
  fit: [['../mesh/fit.ts', 'fit']],
  guidanceFiles: [['../edit/guidance.ts', 'guidanceFiles']],
  h2h: [['../h2h/h2h.ts', 'h2h'], ['../h2h/generate-h2h.ts', 'h2h'], ['../h2h/index.ts', 'h2h']],
  detect: [['../h2h/detect-node.ts', 'detect']],
  edit: [['../edit/edit.ts', 'edit'], ['../edit/run-edit.ts', 'edit'], ['../edit/index.ts', 'edit']],
};

/** Import `spec` (relative to this file) and return its export `name` when it is a function. */
async function importFunction(spec: string, name: string): Promise<((...a: never[]) => unknown) | string> {
  const url = new URL(spec, import.meta.url).href;
  try {
    const mod = (await import(url)) as Record<string, unknown>;
    const fn = mod[name];
    return typeof fn === 'function' ? (fn as (...a: never[]) => unknown) : `${spec.replace('../', 'src/')} has no export ${name}`;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && oneLine(err).includes(spec.slice(3))) return `${spec.replace('../', 'src/')} is not built in this version`;
    return `${spec.replace('../', 'src/')} failed to load (${oneLine(err).slice(0, 200)})`;
  }
}

/** Load every domain function that exists; the rest get a reason in `missing`. */
export async function loadDomain(): Promise<Loaded> {
  const out: Loaded = { missing: {} };
  const found: Partial<Record<DomainName, (...a: never[]) => unknown>> = {};
  await Promise.all((Object.keys(DOMAIN_MODULES) as DomainName[]).map(async (name) => {
    const reasons: string[] = [];
    for (const [spec, exp] of DOMAIN_MODULES[name]) {
      const r = await importFunction(spec, exp);
      if (typeof r === 'function') {
        found[name] = r;
        return;
      }
      reasons.push(r);
    }
    out.missing![name] = reasons[0];
  }));
  if (found.generate) out.generate = found.generate as unknown as GenerateFn;
  if (found.fit) out.fit = found.fit as unknown as FitFn;
  if (found.guidanceFiles) out.guidanceFiles = found.guidanceFiles as unknown as GuidanceFn;
  const detect = found.detect as unknown as DetectFn | undefined;
  if (detect) out.detect = (image) => detect(image);
  if (found.h2h) {
    // h2h takes its model as a sampler (loaded once, on first use) and finds the partner's skeleton with the
    // detector when the request gives none.
    const h2h = found.h2h as unknown as (o: Parameters<H2hFn>[0] & { detect?: DetectFn; sampler?: unknown }) => ReturnType<H2hFn>;
    const load = await importFunction('../h2h/h2h-model.ts', 'loadH2hModel');
    let sampler: Promise<unknown> | null = null;
    out.h2h = async (o) => {
      if (typeof load === 'function') {
        sampler ??= (load as () => Promise<unknown>)();
        sampler.catch(() => { sampler = null; });
      }
      return h2h({ ...o, ...(detect ? { detect } : {}), ...(sampler ? { sampler: await sampler } : {}) });
    };
  }
  if (found.edit) out.edit = found.edit as unknown as EditFn;
  out.unready = {};
  for (const [name, [spec, exp, how]] of Object.entries(MODEL_DIRS) as Array<[DomainName, [string, string, string]]>) {
    if (!found[name]) continue;
    const dir = await importString(spec, exp);
    if (dir) out.unready[name] = () => (existsSync(join(dir, 'config.json')) ? null : `no trained model in ${dir} (train one: ${how})`);
  }
  return out;
}

/** A string export of a module, or null. */
async function importString(spec: string, name: string): Promise<string | null> {
  try {
    const v = ((await import(new URL(spec, import.meta.url).href)) as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
