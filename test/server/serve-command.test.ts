/** `pinplace serve` as a user runs it: prints its URL, answers, stops cleanly on SIGTERM; bad flags exit 2. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/server/app.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'pinplace.js');

function run(args: string[]): { child: ReturnType<typeof spawn>; out: () => string; err: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: PACKAGE_ROOT, env: { ...process.env, PINPLACE_LOG: 'warn' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { err += String(d); });
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, done };
}

describe('pinplace serve', () => {
  it('prints its URL, serves the API and the viewer, and stops on SIGTERM', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'pinplace-serve-cli-'));
    const p = run(['serve', '--port', '0', '--out', outDir]);
    try {
      let url: string | null = null;
      for (let i = 0; i < 600 && !url; i++) {
        url = /person-in-place viewer: (http:\/\/\S+\/)/.exec(p.out())?.[1] ?? null;
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      expect(url, p.err()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const health = (await (await fetch(`${url}api/health`)).json()) as { ok: boolean; backend: string };
      expect(health).toMatchObject({ ok: true, backend: 'wasm' });
      expect((await fetch(url!)).status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.done).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('refuses a bad port with one line and exit code 2', async () => {
    const p = run(['serve', '--port', 'eighty']);
    expect(await p.done).toBe(2);
    expect(p.err().trim().split('\n')).toHaveLength(1);
    expect(p.err()).toMatch(/--port/);
  }, 60_000);
});
