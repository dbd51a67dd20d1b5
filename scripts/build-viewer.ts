/**
 * `npm run build:viewer`: bundle the viewer into viewer/dist (the server also does this on start when needed).
 * `--force` rebuilds, `--no-minify` keeps it readable, `--screenshot FILE` then starts the server on the bundled
 * sample scene and saves a screenshot of the viewer (docs/images/viewer.png is made this way).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureViewerBundle } from '../src/server/viewer-bundle.ts';

const args = process.argv.slice(2);
const viewerDir = join(fileURLToPath(new URL('..', import.meta.url)), 'viewer');
const r = await ensureViewerBundle({ viewerDir, force: args.includes('--force'), minify: !args.includes('--no-minify') });
console.log(r.built ? `viewer bundle built in ${r.ms} ms (${Math.round(r.bytes / 1024)} KiB) -> ${r.outDir}` : `viewer bundle up to date (${r.outDir})`);

const shotAt = args.indexOf('--screenshot');
if (shotAt >= 0) {
  const file = args[shotAt + 1];
  if (!file) throw new Error('--screenshot needs a file name');
  const { startServer } = await import('../src/server/start-server.ts');
  const { launchChromium } = await import('../src/server/headless-chromium.ts');
  const { pino } = await import('pino');
  const launched = await launchChromium();
  if (!launched.browser) throw new Error(launched.reason);
  const outDir = mkdtempSync(join(tmpdir(), 'pinplace-shot-'));
  const srv = await startServer({ port: 0, outDir, logger: pino({ level: 'warn' }) });
  try {
    const page = await launched.browser.newPage({ viewport: { width: 1200, height: 860 } });
    await page.goto(srv.url);
    await page.waitForFunction(() => (window as unknown as { __viewerReady?: boolean }).__viewerReady === true, undefined, { timeout: 300_000 });
    await page.waitForTimeout(300);
    writeFileSync(file, await page.screenshot({ fullPage: true }));
    console.log(`screenshot -> ${file}: ${await page.locator('#status').textContent()}`);
  } finally {
    await launched.browser.close();
    await srv.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
