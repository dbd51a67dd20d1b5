/**
 * Node-only: bundle the viewer (viewer/src/main.ts with three.js and tfjs) with esbuild into viewer/dist/. The
 * bundle is built output, never committed: the server and the tests build it when it is missing or older than any
 * of its inputs. Imports written `optional:<path>` resolve to that module when it exists and to an empty module
 * otherwise, so the viewer builds before every domain module has landed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

export interface BundleOptions {
  /** The viewer folder (holds src/main.ts and receives dist/). */
  viewerDir: string;
  /** Minify (default true). */
  minify?: boolean;
  /** Build even when up to date. */
  force?: boolean;
}

export interface BundleResult { built: boolean; ms: number; outDir: string; bytes: number }

const META = 'meta.json';

interface Meta { inputs: string[]; optional: Record<string, boolean>; builtAt: number }

/** `optional:<path>` imports: the module when it exists, else `export {}`; records what it found in `found`. */
function optionalModules(found: Record<string, boolean>): Plugin {
  return {
    name: 'optional-modules',
    setup(build) {
      build.onResolve({ filter: /^optional:/ }, (args) => {
        const target = resolve(args.resolveDir, args.path.slice('optional:'.length));
        const ok = existsSync(target);
        found[target] = ok;
        return ok ? { path: target } : { path: target, namespace: 'optional-missing' };
      });
      build.onLoad({ filter: /.*/, namespace: 'optional-missing' }, () => ({ contents: 'export const __missing = true;', loader: 'js' }));
    },
  };
}

function isStale(outDir: string, root: string): boolean {
  const metaPath = join(outDir, META);
  if (!existsSync(join(outDir, 'main.js')) || !existsSync(metaPath)) return true;
  let meta: Meta;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
  } catch {
    return true;
  }
  for (const [path, was] of Object.entries(meta.optional)) if (existsSync(path) !== was) return true;
  for (const rel of meta.inputs) {
    const p = resolve(root, rel);
    if (!existsSync(p) || statSync(p).mtimeMs > meta.builtAt) return true;
  }
  return false;
}

/** Build viewer/dist when it is missing or stale. */
export async function ensureViewerBundle(o: BundleOptions): Promise<BundleResult> {
  const t0 = performance.now();
  const outDir = join(o.viewerDir, 'dist');
  const root = resolve(o.viewerDir, '..');
  if (!o.force && !isStale(outDir, root)) return { built: false, ms: Math.round(performance.now() - t0), outDir, bytes: 0 };
  const { build } = await import('esbuild');
  const found: Record<string, boolean> = {};
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const builtAt = Date.now();
  const r = await build({
    entryPoints: { main: join(o.viewerDir, 'src', 'main.ts') },
    bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022',
    outdir: tmp, minify: o.minify ?? true, sourcemap: false, metafile: true, logLevel: 'silent',
    legalComments: 'none', define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [optionalModules(found)],
  });
  const inputs = Object.keys(r.metafile.inputs).filter((p) => !p.includes(':') && !p.includes('node_modules'))
    .map((p) => relative(root, resolve(process.cwd(), p)));
  const meta: Meta = { inputs, optional: found, builtAt };
  writeFileSync(join(tmp, META), JSON.stringify(meta));
  const bytes = Object.values(r.metafile.outputs).reduce((s, out) => s + out.bytes, 0);
  mkdirSync(dirname(outDir), { recursive: true });
  rmSync(outDir, { recursive: true, force: true });
  try {
    renameSync(tmp, outDir);
  } catch {
    // Another process swapped in its fresh build at the same moment; keep that one.
    rmSync(tmp, { recursive: true, force: true });
  }
  return { built: true, ms: Math.round(performance.now() - t0), outDir, bytes };
}
