import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend.ts';
import { DEFAULT_MODEL_CONFIG } from '../../src/skeleton/constants.ts';
import { Diffuser } from '../../src/skeleton/diffuser.ts';
import { BASELINE_FILE, readBaselineStats, saveModelDir } from '../../src/skeleton/model-store-node.ts';
import type { BaselineStats } from '../../src/skeleton/baselines.ts';
import { FormatError } from '../../src/errors.ts';

await initBackend('wasm');

const stats: BaselineStats = {
  meanPose: Array.from({ length: 34 }, (_, i) => i / 34),
  entries: [{ geom: [0.1, 0.2, 0.3, 0.4], category: 'cup', action: 'hold', pose: Array.from({ length: 34 }, (_, i) => 1 - i / 34) }],
};

describe('model directory baseline statistics', () => {
  const root = mkdtempSync(join(tmpdir(), 'pinplace-store-'));

  it('are written gzipped and read back unchanged', async () => {
    const dir = join(root, 'saved');
    const model = new Diffuser({ ...DEFAULT_MODEL_CONFIG, embedDim: 16, heads: 4, depth: 1, categories: ['cup'], actions: ['hold'] }, 1);
    await saveModelDir(dir, model, { baseline: stats });
    model.dispose();
    expect(BASELINE_FILE).toBe('baseline.json.gz');
    expect(existsSync(join(dir, 'baseline.json'))).toBe(false);
    expect(JSON.parse(gunzipSync(readFileSync(join(dir, BASELINE_FILE))).toString('utf8'))).toEqual(stats);
    expect(await readBaselineStats(dir)).toEqual(stats);
  });

  it('are read from the plain baseline.json of an older directory, or are null when absent', async () => {
    const dir = mkdtempSync(join(root, 'plain-'));
    expect(await readBaselineStats(dir)).toBeNull();
    writeFileSync(join(dir, 'baseline.json'), JSON.stringify(stats));
    expect(await readBaselineStats(dir)).toEqual(stats);
  });

  it('give a FormatError naming the file when corrupt', async () => {
    const gz = mkdtempSync(join(root, 'gz-'));
    writeFileSync(join(gz, BASELINE_FILE), 'not gzip');
    await expect(readBaselineStats(gz)).rejects.toThrow(FormatError);
    await expect(readBaselineStats(gz)).rejects.toThrow(/baseline\.json\.gz is not a gzip file/);
    const plain = mkdtempSync(join(root, 'bad-'));
    writeFileSync(join(plain, 'baseline.json'), '{"meanPose": 3}');
    await expect(readBaselineStats(plain)).rejects.toThrow(/baseline\.json lacks meanPose\/entries/);
  });
});
