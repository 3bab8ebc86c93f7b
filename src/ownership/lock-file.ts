/**
 * The lock file on disk: read whole, created only if absent, replaced atomically. Readers never see
 * half a record: a complete record is written to a private temporary file first, then hard-linked
 * (create; link(2) fails with EEXIST if the path exists, so exactly one creator wins) or renamed
 * over the path (replace).
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { LockFileError } from './errors.js';
import { type LockHolder, parseHolder } from './lock-holder.js';

export interface FoundLock {
  /** The file's bytes: what a takeover compares before replacing. */
  text: string;
  holder: LockHolder | undefined;
  modifiedAt: number;
}

/** The lock file's content; null when there is none. */
export async function readLock(path: string): Promise<FoundLock | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), modifiedAt: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LockFileError(`cannot read the lock file (${(error as Error).message})`, path, {
      cause: error,
    });
  }
}

/** Creates `path` holding `text` only if it does not exist; false if it does. */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LockFileError(`cannot create the lock file (${(error as Error).message})`, path, {
      cause: error,
    });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Replaces `path` with `text` atomically (a reader sees the old file or the new, never half). */
export async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new LockFileError(`cannot write the lock file (${(error as Error).message})`, path, {
      cause: error,
    });
  }
}
