/**
 * Node-only: read body-model files from disk. The default model is assets/body-model/pinplace-body.npz
 * (written by scripts/build-body-model.ts); PINPLACE_BODY_MODEL or `path` may point at any SMPL-format .npz.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FormatError } from '../errors.ts';
import { type BodyModel, loadBodyModel } from './body-model.ts';

/** Where the shipped model lives. */
export const DEFAULT_BODY_MODEL_PATH = fileURLToPath(new URL('../../assets/body-model/pinplace-body.npz', import.meta.url));

const cache = new Map<string, Promise<BodyModel>>();

/** Load (once per path) an SMPL-format .npz body model; default: PINPLACE_BODY_MODEL or the shipped model. */
export function loadBodyModelFile(path?: string): Promise<BodyModel> {
  const p = path ?? process.env.PINPLACE_BODY_MODEL ?? DEFAULT_BODY_MODEL_PATH;
  let m = cache.get(p);
  if (!m) {
    m = (async () => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(p));
      } catch (err) {
        throw new FormatError(`cannot read body model ${p} (${(err as NodeJS.ErrnoException).code ?? 'error'}); run \`npx tsx scripts/build-body-model.ts\` to write the default one`);
      }
      return loadBodyModel(bytes, p);
    })();
    m.catch(() => cache.delete(p));
    cache.set(p, m);
  }
  return m;
}
