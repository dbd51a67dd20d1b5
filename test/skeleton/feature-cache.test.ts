import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend.ts';
import { writeSynthSet } from '../../src/data/synth-writer-node.ts';
import { CompactCnn } from '../../src/skeleton/compact-cnn.ts';
import { featurizeSamples, readHoiSamples } from '../../src/skeleton/dataset-node.ts';
import { readFloatParts, writeFloatParts } from '../../src/io/float-file.ts';

await initBackend('wasm');

describe('feature cache of a grown data set (synth --extend)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'pinplace-fcache-'));
  const data = join(root, 'data');
  const synth = { out: data, seed: 3, kind: 'hoi' as const, size: [128, 128] as [number, number], workers: 0 };
  const backbone = new CompactCnn({ inputSize: 32, channels: [4, 8] }, 1).asBackbone('tiny_test_cnn');
  const caches = async () => (await readdir(data)).filter((f) => f.startsWith('.pinplace-features-'));

  it('reuses the cached features of the scenes it had, computes the new ones, and drops the old cache', async () => {
    await writeSynthSet({ ...synth, count: 3 });
    const small = await readHoiSamples(data);
    await featurizeSamples(small, backbone, 2, { cacheDir: data });
    const [oldCache] = await caches();
    // mark the cached features: if the grown set's run reads them, the marks show
    const G = backbone.globalDim, R = 4 * backbone.mapDim, n0 = small.length;
    const parts = (await readFloatParts(join(data, oldCache), [n0 * G, n0 * R, n0 * R]))!;
    await writeFloatParts(join(data, oldCache), parts.map((p) => p.map((v) => v + 1000)));

    await writeSynthSet({ ...synth, count: 5, extend: true });
    const grown = await readHoiSamples(data);
    expect(grown.length).toBeGreaterThan(n0);
    let firstDone = -1;
    const f = await featurizeSamples(grown, backbone, 2, { cacheDir: data, onProgress: (d) => { if (firstDone < 0) firstDone = d; } });
    const plain = await featurizeSamples(grown, backbone, 2);
    // the first samples come from the old cache (marked), the rest are computed as without a cache
    expect(f.global[0]).toBeCloseTo(parts[0][0] + 1000, 3);
    expect(f.global[0] - plain.global[0]).toBeGreaterThan(999);
    expect(Array.from(f.global.subarray(n0 * G))).toEqual(Array.from(plain.global.subarray(n0 * G)));
    expect(Array.from(f.roiFlip.subarray(n0 * R))).toEqual(Array.from(plain.roiFlip.subarray(n0 * R)));
    expect(firstDone).toBeGreaterThan(n0);
    // one cache left: the grown set's, which reads back without recomputing
    const left = await caches();
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(oldCache);
    const again = await featurizeSamples(grown, backbone, 2, { cacheDir: data, onProgress: () => { throw new Error('recomputed'); } });
    expect(again.global[0]).toBeCloseTo(f.global[0], 5);
  });
});
