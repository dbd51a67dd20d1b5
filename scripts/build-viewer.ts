/** `npm run build:viewer`: bundle the viewer into viewer/dist (the server also does this on start when needed). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureViewerBundle } from '../src/server/viewer-bundle.ts';

const viewerDir = join(fileURLToPath(new URL('..', import.meta.url)), 'viewer');
const r = await ensureViewerBundle({ viewerDir, force: process.argv.includes('--force'), minify: !process.argv.includes('--no-minify') });
console.log(r.built ? `viewer bundle built in ${r.ms} ms (${Math.round(r.bytes / 1024)} KiB) -> ${r.outDir}` : `viewer bundle up to date (${r.outDir})`);
