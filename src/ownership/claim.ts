/**
 * Putting a holder's record at a lock path: created if nothing is there; if a lock is in the way,
 * refused (LockHeldError) unless `judgeHolder` (staleness.ts) finds it stale, then taken over.
 *
 * Taking over, race-free: the taker must first hold the claim lock
 * `<path>.takeover-<digest of the stale file's bytes>`, acquired by this same procedure (so an
 * abandoned claim is itself taken over like any stale lock). Holding it, the taker re-reads the
 * lock, and only if the bytes are still the ones judged stale renames its own record over it.
 * Everyone else who judged the same file stale fails on the claim and is refused, naming the
 * winner. A heartbeat changes the bytes, so a holder that refreshes in between is never replaced.
 */
import { createHash, randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { LockFileError, LockHeldError } from './errors.js';
import type { FileLockOptions } from './file-lock-options.js';
import { createExclusive, readLock, replaceFile } from './lock-file.js';
import { type LockHolder, serializeHolder } from './lock-holder.js';
import { judgeHolder } from './staleness.js';

/** Claims inside claims only happen after crashes in the middle of a takeover; a few is plenty. */
const MAX_TAKEOVER_DEPTH = 3;
/** Rounds of "gone or changed while we looked" before giving up. */
const MAX_ATTEMPTS = 5;

/** Puts `holder` at `path` if nothing is there or what is there is stale; see the file comment. */
export async function claim(
  path: string,
  holder: LockHolder,
  options: FileLockOptions,
  /** How many claims deep this is (0: the lock itself). */
  depth = 0,
): Promise<void> {
  const text = serializeHolder(holder);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(path, text)) return;
    const found = await readLock(path);
    if (found === null) continue; // released while we looked: try to create it again
    const now = options.clock.now();
    const verdict = judgeHolder(found.holder, {
      hostname: options.hostname,
      bootId: options.bootId,
      now,
      staleAfterMs: options.staleAfterMs,
      isProcessAlive: options.isProcessAlive,
      fileModifiedAt: found.modifiedAt,
    });
    if (!verdict.stale) throw new LockHeldError(path, found.holder, now, verdict.reason);
    if (depth >= MAX_TAKEOVER_DEPTH) {
      throw new LockFileError('too many abandoned takeovers of this lock; remove its files by hand', path);
    }
    const claimPath = `${path}.takeover-${createHash('sha256').update(found.text).digest('hex').slice(0, 16)}`;
    const claimHolder: LockHolder = { ...holder, ownerId: randomUUID(), purpose: `takeover of ${path}` };
    try {
      await claim(claimPath, claimHolder, options, depth + 1);
    } catch (error) {
      // Someone else is taking the same stale lock over right now: they win, we are refused.
      if (error instanceof LockHeldError) {
        throw new LockHeldError(path, error.holder, now, 'it is taking over a stale lock', { cause: error });
      }
      throw error;
    }
    try {
      const again = await readLock(path);
      if (again?.text === found.text) {
        await replaceFile(path, text);
        return;
      }
      // Changed or gone since we judged it: judge again.
    } finally {
      await unlink(claimPath).catch(() => undefined);
    }
  }
  throw new LockFileError('the lock file kept changing while it was being acquired', path);
}
