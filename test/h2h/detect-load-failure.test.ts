import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { humanPackageDir, openDetector } from '../../src/h2h/detect-node.ts';
import { BackendError } from '../../src/errors.ts';

// Human only logs a model that fails to load and then returns no bodies; the detector must turn that into an error.
// (A file of its own: Human caches loaded models per process.)
describe('detector load failure', () => {
  it('a corrupt model file is a one-line BackendError naming the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinplace-h2h-models-'));
    const models = join(humanPackageDir(), 'models');
    copyFileSync(join(models, 'centernet.json'), join(dir, 'centernet.json'));
    copyFileSync(join(models, 'centernet.bin'), join(dir, 'centernet.bin'));
    writeFileSync(join(dir, 'movenet-lightning.json'), '{"modelTopology": {"node": []}, "weightsManifest": [{"paths": ["missing.bin"], "weights": []}]}');
    const err = await openDetector(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/movenet/);
    expect((err as Error).message).not.toMatch(/\n/);
  });

  it('a missing model file is a BackendError naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinplace-h2h-models-'));
    const err = await openDetector(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain(dir);
  });
});
