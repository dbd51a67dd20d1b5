/**
 * All-or-nothing output: every file of a command is computed in memory first, then written next to its final
 * name and renamed into place, so a failure never leaves a half-written file behind.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type OutputFiles = Record<string, string | Uint8Array>;

/** Write `files` (name -> contents) into `dir` atomically per file; on any failure, remove what was written. */
export async function writeOutputs(dir: string, files: OutputFiles): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  const staged: string[] = [];
  try {
    for (const [name, data] of Object.entries(files)) {
      const tmp = join(dir, name + tag);
      await writeFile(tmp, data);
      staged.push(name);
    }
    for (const name of staged) await rename(join(dir, name + tag), join(dir, name));
  } catch (err) {
    await Promise.all(staged.map((name) => rm(join(dir, name + tag), { force: true })));
    throw err;
  }
  return Object.keys(files).map((n) => join(dir, n));
}
