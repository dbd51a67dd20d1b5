/**
 * Node-only: bundle the viewer (viewer/src/main.ts with three.js and tfjs) with esbuild into viewer/dist/. The
 * bundle is built output, never committed: the server and the tests build it when it is missing or older than any
 * of its inputs. Imports written `optional:<path>` resolve to that module when it exists and to an empty module
 * otherwise, so the viewer builds before every domain module has landed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * `optional:<path>` imports: the module when it exists (and `stubAll` is off), else a module whose `__missing` says
 * why; records what it found in `found`.
 */
function optionalModules(found: Record<string, boolean>, stubAll: string | null): Plugin {
  return {
    name: 'optional-modules',
    setup(build) {
      build.onResolve({ filter: /^optional:/ }, (args) => {
        const target = resolve(args.resolveDir, args.path.slice('optional:'.length));
        const ok = existsSync(target);
        found[target] = ok;
        return ok && !stubAll ? { path: target } : { path: target, namespace: 'optional-missing' };
      });
      build.onLoad({ filter: /.*/, namespace: 'optional-missing' }, (args) => ({
        contents: `export const __missing = ${JSON.stringify(stubAll ?? `${relative(process.cwd(), args.path)} is not built`)};`, loader: 'js',
      }));
    },
  };
}

const NODE_BUILTINS = /^(node:.*|fs|fs\/promises|path|url|os|crypto|child_process|module|worker_threads|util|stream|zlib|http|https|net|tls|events|buffer|perf_hooks|readline|assert)$/;

/** Node built-ins have no place in the browser: they resolve to a module that throws when used. */
function nodeBuiltinsStub(): Plugin {
  return {
    name: 'node-builtins-stub',
    setup(build) {
      build.onResolve({ filter: NODE_BUILTINS }, (args) => ({ path: args.path, namespace: 'node-stub' }));
      build.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
        contents: `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not available in the browser`)}); };
module.exports = new Proxy({}, { get: (_t, k) => (k === '__esModule' ? false : fail) });`,
        loader: 'js',
      }));
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
  const run = (stubAll: string | null) => build({
    entryPoints: { main: join(o.viewerDir, 'src', 'main.ts') },
    bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022',
    outdir: tmp, minify: o.minify ?? true, sourcemap: false, metafile: true, logLevel: 'silent',
    legalComments: 'none', define: { 'process.env.NODE_ENV': '"production"', 'process.env': '{}' },
    plugins: [optionalModules(found, stubAll), nodeBuiltinsStub()],
  });
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run(null);
  } catch (err) {
    // A domain module that does not bundle for the browser must not take the viewer down: build without it.
    if (!Object.values(found).some(Boolean)) throw err;
    const why = `the in-browser modules did not bundle (${String((err as Error).message).split('\n')[0].slice(0, 200)})`;
    rmSync(tmp, { recursive: true, force: true });
    r = await run(why);
  }
  const inputs = Object.keys(r.metafile.inputs).filter((p) => !p.includes(':') && !p.includes('node_modules'))
    .map((p) => relative(root, resolve(process.cwd(), p)));
  // This file holds the build settings: a change here makes every bundle stale.
  inputs.push(relative(root, fileURLToPath(import.meta.url)));
  const meta: Meta = { inputs, optional: found, builtAt };
  writeFileSync(join(tmp, META), JSON.stringify(meta));
  const bytes = Object.values(r.metafile.outputs).reduce((s, out) => s + out.bytes, 0);
  mkdirSync(dirname(outDir), { recursive: true });
  if (!o.force && !isStale(outDir, root)) {
    // Another process (a test worker, a second server) finished a fresh build meanwhile: keep it, pages may be loading it.
    rmSync(tmp, { recursive: true, force: true });
    return { built: false, ms: Math.round(performance.now() - t0), outDir, bytes: 0 };
  }
  // Swap with two renames so that the folder is missing for as short a time as possible.
  const old = `${outDir}.old-${process.pid}-${Date.now().toString(36)}`;
  try {
    renameSync(outDir, old);
  } catch {
    // no previous bundle
  }
  try {
    renameSync(tmp, outDir);
  } catch {
    // Another process swapped in its fresh build at the same moment; keep that one.
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return { built: true, ms: Math.round(performance.now() - t0), outDir, bytes };
}
