/**
 * The server's output area: one folder per upload or result (`<outDir>/<id>/<name>`), with ids made here and file
 * names checked against an allow-list. `resolve()` is the only way a path is made from request data, and it refuses
 * anything that would land outside the area (`..`, slashes, symlinks pointing out).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { readFile, realpath, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { PinplaceError, UsageError } from '../errors.ts';
import { writeOutputs, type OutputFiles } from '../io/atomic.ts';
import { CONTENT_TYPES, FILE_NAME_PATTERN, ID_PATTERN } from './constants.ts';

/** A file that is not in the output area. */
export class NotFoundError extends PinplaceError {
  constructor(message: string) {
    super(message, 'not_found', 404);
  }
}

export class OutputStore {
  /** Absolute, symlink-free root of the area. */
  readonly root: string;
  /** Ids saved by this store, oldest first (for pruning). */
  private readonly saved: string[] = [];
  /** Ids never pruned (the sample scene). */
  private readonly pinned = new Set<string>();

  /**
   * @param dir the output area (made when missing)
   * @param keep most results kept; saving more removes the oldest unpinned ones [Infinity]
   */
  constructor(dir: string, readonly keep = Infinity) {
    mkdirSync(dir, { recursive: true });
    this.root = realpathSync(resolve(dir));
  }

  /** Never prune `id`. */
  pin(id: string): void {
    this.pinned.add(id);
  }

  /** A fresh id: 16 hex digits. */
  newId(): string {
    return randomBytes(8).toString('hex');
  }

  /** Write `files` under a new (or given) id, all or nothing; resolves to the id. */
  async save(files: OutputFiles, id = this.newId()): Promise<string> {
    for (const name of Object.keys(files)) checkName(name);
    checkId(id);
    await writeOutputs(join(this.root, id), files);
    this.saved.push(id);
    await this.prune();
    return id;
  }

  private async prune(): Promise<void> {
    while (this.saved.length - this.pinned.size > this.keep) {
      const i = this.saved.findIndex((s) => !this.pinned.has(s));
      if (i < 0) return;
      const [old] = this.saved.splice(i, 1);
      await rm(join(this.root, old), { recursive: true, force: true });
    }
  }

  /** URL path under which the server serves a stored file. */
  url(id: string, name: string): string {
    return `/api/files/${id}/${name}`;
  }

  /** URLs of the given file names of one id. */
  urls(id: string, names: Iterable<string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of names) out[n] = this.url(id, n);
    return out;
  }

  /** Absolute path of `<id>/<name>` after checking both, refusing anything outside the area. */
  async resolve(id: string, name: string): Promise<string> {
    checkId(id);
    checkName(name);
    const path = join(this.root, id, name);
    let real: string;
    try {
      real = await realpath(path);
      if (!(await stat(real)).isFile()) throw new Error('not a file');
    } catch {
      throw new NotFoundError(`no file ${id}/${name} in the server's output area`);
    }
    if (!real.startsWith(this.root + sep)) throw new NotFoundError(`no file ${id}/${name} in the server's output area`);
    return real;
  }

  /** Read a stored file's bytes. */
  async read(id: string, name: string): Promise<Buffer> {
    return readFile(await this.resolve(id, name));
  }
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new UsageError(`file id must be 16 hex digits, got "${id.slice(0, 40)}"`);
}

function checkName(name: string): void {
  if (!FILE_NAME_PATTERN.test(name)) {
    throw new UsageError(`file name must be a plain .json, .png, .glb or .obj name, got "${name.slice(0, 60)}"`);
  }
}

/** Content type for a stored file name. */
export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}
