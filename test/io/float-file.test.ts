import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFloatParts, writeFloatParts } from '../../src/io/float-file.ts';

describe('float files (feature caches past 2 GiB)', () => {
  it('writes parts back to back and reads them in chunks, byte for byte as one concatenated Float32Array', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pp-float-'));
    const file = join(dir, 'f.bin');
    const a = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i)), b = Float32Array.from({ length: 7 }, (_, i) => -i), c = new Float32Array(0);
    await writeFloatParts(file, [a, b.subarray(2), c], 36); // chunks of 9 floats, a view with an offset
    const bytes = await readFile(file);
    const whole = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(Array.from(whole)).toEqual([...a, ...b.subarray(2)]);
    const parts = await readFloatParts(file, [1001, 5, 0], 40);
    expect(parts!.map((p) => Array.from(p))).toEqual([Array.from(a), Array.from(b.subarray(2)), []]);
    expect(await readdir(dir)).toEqual(['f.bin']); // no temporary left
  });

  it('a missing file or one of another length reads as null (the cache is recomputed)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pp-float-'));
    expect(await readFloatParts(join(dir, 'none.bin'), [3])).toBeNull();
    await writeFile(join(dir, 'short.bin'), new Uint8Array(8));
    expect(await readFloatParts(join(dir, 'short.bin'), [3])).toBeNull();
  });
});
