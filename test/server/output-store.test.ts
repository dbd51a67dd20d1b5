import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputStore } from '../../src/server/output-store.ts';

describe('OutputStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinplace-store-'));
  const outside = mkdtempSync(join(tmpdir(), 'pinplace-outside-'));
  const store = new OutputStore(join(dir, 'area'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('saves files under a fresh id and reads them back', async () => {
    const id = await store.save({ 'a.json': '{"x":1}', 'b.png': new Uint8Array([1, 2, 3]) });
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect((await store.read(id, 'a.json')).toString()).toBe('{"x":1}');
    expect(store.url(id, 'b.png')).toBe(`/api/files/${id}/b.png`);
  });

  const refused: Array<[string, string, string, number]> = [
    ['parent directory in the name', '0123456789abcdef', '../x.json', 400],
    ['slash in the name', '0123456789abcdef', 'a/b.json', 400],
    ['dot file', '0123456789abcdef', '.hidden.json', 400],
    ['unknown extension', '0123456789abcdef', 'a.sh', 400],
    ['id that is a path', '..', 'a.json', 400],
    ['id with upper case', '0123456789ABCDEF', 'a.json', 400],
    ['missing file', '0123456789abcdef', 'a.json', 404],
  ];
  it.each(refused)('refuses %s', async (_name, id, file, status) => {
    await expect(store.resolve(id, file)).rejects.toMatchObject({ status });
  });

  it('keeps the newest results and the pinned ones, removing the oldest', async () => {
    const small = new OutputStore(join(dir, 'small'), 2);
    const pinned = small.newId();
    small.pin(pinned);
    await small.save({ 'p.json': '1' }, pinned);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await small.save({ 'a.json': String(i) }));
    await expect(small.read(ids[0], 'a.json')).rejects.toMatchObject({ status: 404 });
    await expect(small.read(ids[1], 'a.json')).rejects.toMatchObject({ status: 404 });
    expect((await small.read(ids[3], 'a.json')).toString()).toBe('3');
    expect((await small.read(ids[2], 'a.json')).toString()).toBe('2');
    expect((await small.read(pinned, 'p.json')).toString()).toBe('1');
  });

  it('refuses a symlink that points out of the area', async () => {
    writeFileSync(join(outside, 'secret.json'), '{}');
    mkdirSync(join(store.root, 'fedcba9876543210'));
    symlinkSync(join(outside, 'secret.json'), join(store.root, 'fedcba9876543210', 'link.json'));
    await expect(store.resolve('fedcba9876543210', 'link.json')).rejects.toMatchObject({ status: 404 });
  });
});
