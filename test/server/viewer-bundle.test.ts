import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureViewerBundle } from '../../src/server/viewer-bundle.ts';

function bundleText(dir: string): string {
  return readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, 'dist', f), 'utf8')).join('\n');
}

describe('ensureViewerBundle', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinplace-bundle-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function viewer(name: string, files: Record<string, string>): string {
    const dir = join(root, name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, 'src', f), text);
    return dir;
  }

  it('bundles, then skips an up-to-date bundle, then rebuilds after a change', async () => {
    const dir = viewer('plain', { 'main.ts': 'import { v } from "./dep.ts"; console.log("MARK", v);', 'dep.ts': 'export const v: number = 41;' });
    expect((await ensureViewerBundle({ viewerDir: dir, minify: false })).built).toBe(true);
    expect(bundleText(dir)).toContain('MARK');
    expect((await ensureViewerBundle({ viewerDir: dir, minify: false })).built).toBe(false);
    writeFileSync(join(dir, 'src', 'dep.ts'), 'export const v: number = 42;');
    const future = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'src', 'dep.ts'), future, future);
    expect((await ensureViewerBundle({ viewerDir: dir, minify: false })).built).toBe(true);
    expect(bundleText(dir)).toContain('42');
  });

  it('stands in for a missing optional module and for Node built-ins', async () => {
    const dir = viewer('optional', {
      'main.ts': 'import * as m from "optional:./absent.ts"; import { readFileSync } from "node:fs"; console.log((m as any).__missing, typeof readFileSync);',
    });
    expect((await ensureViewerBundle({ viewerDir: dir, minify: false })).built).toBe(true);
    expect(bundleText(dir)).toContain('absent.ts is not built');
    expect(bundleText(dir)).toContain('node:fs is not available in the browser');
  });

  it('builds without an optional module that does not bundle, saying why', async () => {
    const dir = viewer('broken', {
      'main.ts': 'import * as m from "optional:./broken.ts"; console.log((m as any).__missing);',
      'broken.ts': 'import "no-such-package-anywhere"; export const x = 1;',
    });
    expect((await ensureViewerBundle({ viewerDir: dir, minify: false })).built).toBe(true);
    expect(bundleText(dir)).toContain('did not bundle');
  });
});
