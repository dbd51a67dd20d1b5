/**
 * Large float32 arrays in one file, read and written in chunks: `readFile`/`writeFile` stop at 2 GiB, and a feature
 * cache of about 39,000 samples is already larger. The file is the parts one after the other, little-endian float32,
 * no header; it is written next to its name and renamed into place, so a failed write leaves nothing half-written.
 */
import { open, rename, rm } from 'node:fs/promises';

/** Bytes per read or write call (below the 2 GiB limit of one call). */
const CHUNK = 256 * 1024 * 1024;

/** Read a file of exactly sum(sizes) floats into one Float32Array per size; null when the file is missing or its length differs. */
export async function readFloatParts(file: string, sizes: readonly number[], chunk = CHUNK): Promise<Float32Array[] | null> {
  let fh;
  try { fh = await open(file, 'r'); } catch { return null; }
  try {
    const { size } = await fh.stat();
    if (size !== sizes.reduce((a, n) => a + n, 0) * 4) return null;
    const parts = sizes.map((n) => new Float32Array(n));
    let pos = 0;
    for (const p of parts) {
      const bytes = new Uint8Array(p.buffer);
      for (let o = 0; o < bytes.length;) {
        const { bytesRead } = await fh.read(bytes, o, Math.min(chunk, bytes.length - o), pos);
        if (bytesRead === 0) return null;
        o += bytesRead; pos += bytesRead;
      }
    }
    return parts;
  } finally {
    await fh.close();
  }
}

/** Write the parts one after the other into `file` (via a temporary name and a rename). */
export async function writeFloatParts(file: string, parts: readonly Float32Array[], chunk = CHUNK): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    for (const p of parts) {
      const bytes = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
      for (let o = 0; o < bytes.length;) {
        const { bytesWritten } = await fh.write(bytes, o, Math.min(chunk, bytes.length - o));
        o += bytesWritten;
      }
    }
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, file);
}
