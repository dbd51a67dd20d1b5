/**
 * The browser-test fixture: a server on fakes with a sample scene, the viewer bundle, and headless Chromium with a
 * page that records console errors. Screenshots and downloads go to test-artifacts/ (gitignored).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_VIEWER_DIR, PACKAGE_ROOT } from '../../src/server/app.ts';
import { launchChromium } from '../../src/server/headless-chromium.ts';
import { ensureViewerBundle } from '../../src/server/viewer-bundle.ts';
import type { ServerDeps } from '../../src/server/types.ts';
import { fakeDeps, testImagePng, type FakeState } from '../server/fakes.ts';
import { startTestServer, type TestServer } from '../server/helpers.ts';

export const ARTIFACTS = join(PACKAGE_ROOT, 'test-artifacts');

/** The sample scene the fixture serves: a 320x240 picture with a person box and an object box. */
export const SCENE = { image: 'scene.png', person_box: [60, 30, 150, 225], object_box: [200, 120, 280, 200], category: 'chair', action: 'sit' };

export interface ViewerFixture {
  server: TestServer;
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  fakes: FakeState;
  close(): Promise<void>;
}

export interface ViewerOptions {
  /** Replace fake domain functions (e.g. `generate: undefined` for a server without a model). */
  deps?: Partial<ServerDeps>;
  /** Extra scene.json fields (e.g. reference_keypoints). */
  scene?: Record<string, unknown>;
  /** Serve this sample-scene folder instead of the fixture's own picture. */
  sampleDir?: string;
}

/** Start the viewer, open its page and wait until the first scene is shown; throws when Chromium cannot start. */
export async function openViewer(o: ViewerOptions = {}, timeout = 60_000): Promise<ViewerFixture> {
  const started = await startViewer(o);
  if ('skip' in started) throw new Error(`Chromium did not start: ${started.skip}`);
  await started.page.goto(started.server.url + '/');
  await started.page.waitForFunction(() => (window as unknown as { __viewerReady?: boolean }).__viewerReady === true, undefined, { timeout });
  return started;
}

export async function startViewer(o: ViewerOptions = {}): Promise<ViewerFixture | { skip: string }> {
  const launched = await launchChromium();
  if (!launched.browser) return { skip: launched.reason };
  const { browser } = launched;
  await ensureViewerBundle({ viewerDir: DEFAULT_VIEWER_DIR });
  mkdirSync(ARTIFACTS, { recursive: true });
  let sampleDir = o.sampleDir;
  if (!sampleDir) {
    sampleDir = mkdtempSync(join(tmpdir(), 'pinplace-sample-'));
    writeFileSync(join(sampleDir, 'scene.png'), await testImagePng(320, 240));
    writeFileSync(join(sampleDir, 'scene.json'), JSON.stringify({ ...SCENE, ...o.scene }));
  }
  const { deps, state } = fakeDeps(1);
  const server = await startTestServer({ ...deps, ...o.deps, sampleDir, viewerDir: DEFAULT_VIEWER_DIR, precomputeSample: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  return {
    server, browser, page, consoleErrors, fakes: state,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Wait until the viewer has finished `after` + 1 scene updates and nothing is busy. */
export async function waitForUpdate(page: Page, after: number): Promise<void> {
  await page.waitForFunction((n) => {
    const s = (window as unknown as { __viewer: { state(): { updates: number; busy: number } } }).__viewer.state();
    return s.updates > n && s.busy === 0;
  }, after, { timeout: 60_000 });
}
