import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/bin.ts';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'pinplace-synth-cli-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function run(args: string[]) {
  let out = '', err = '';
  const code = await main(args, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, isTTY: false });
  return { code, out, err };
}

describe('pinplace synth', () => {
  it('writes a set and prints one JSON object with --json', async () => {
    const out = join(dir, 'ok');
    const r = await run(['synth', '--out', out, '--count', '3', '--seed', '4', '--size', '96,96', '--kind', 'h2h', '--preview', '--json']);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(last).toMatchObject({ images: 3, people: 6, samples: 3, kind: 'h2h', seed: 4, size: [96, 96] });
    expect((await readdir(out)).sort()).toEqual(['annotations.json', 'images', 'preview.png']);
  });

  it('--extend grows a set: the scenes there are kept, the rest made', async () => {
    const out = join(dir, 'grow');
    expect((await run(['synth', '--out', out, '--count', '2', '--seed', '4', '--size', '96,96'])).code).toBe(0);
    const r = await run(['synth', '--out', out, '--count', '3', '--seed', '4', '--size', '96,96', '--extend']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote 3 images, .* \(2 kept, 1 new\)/);
    expect((await readdir(join(out, 'images'))).sort()).toEqual(['000000.png', '000001.png', '000002.png']);
    const wrong = await run(['synth', '--out', out, '--count', '4', '--seed', '5', '--size', '96,96', '--extend']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
    expect(wrong.err).toMatch(/--extend: .*--seed 4/);
  });

  const bad: Array<{ name: string; args: string[]; err: RegExp }> = [
    { name: 'missing --out', args: ['--count', '2'], err: /--out is required/ },
    { name: 'missing --count', args: ['--out', 'X'], err: /--count is required/ },
    { name: 'zero count', args: ['--out', 'X', '--count', '0'], err: /--count must be an integer in \[1, 1000000\], got "0"/ },
    { name: 'bad kind', args: ['--out', 'X', '--count', '2', '--kind', 'cats'], err: /--kind must be one of hoi, h2h, got "cats"/ },
    { name: 'bad size', args: ['--out', 'X', '--count', '2', '--size', '512'], err: /--size must be W,H/ },
    { name: 'tiny size', args: ['--out', 'X', '--count', '2', '--size', '16,16'], err: /--size sides must be integers in \[64, 2048\]/ },
    { name: 'bad seed', args: ['--out', 'X', '--count', '2', '--seed', '1.5'], err: /--seed must be an integer, got "1.5"/ },
  ];
  it('an --out that is a file: one line, non-zero exit', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const r = await run(['synth', '--out', file, '--count', '1']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--out .*a-file: cannot create the output directory \((EEXIST|ENOTDIR)\)/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  for (const b of bad) {
    it(`${b.name}: one line on stderr, non-zero exit, nothing written`, async () => {
      const args = b.args.map((a) => (a === 'X' ? join(dir, 'bad') : a));
      const r = await run(['synth', ...args]);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(b.err);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      await expect(readdir(join(dir, 'bad'))).rejects.toThrow();
    });
  }
});
