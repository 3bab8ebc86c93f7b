/**
 * What a named owner (`JournalLock`, `TokenLease`) shares: a FileLock it holds, seen through the same
 * accessors, and the one step that turns "someone else holds it" into the owner's own refusal (an
 * error naming what is held and by whom).
 */
import { systemClock } from '../util/clock.js';
import { LockHeldError } from './errors.js';
import { FileLock, type FileLockOptions } from './file-lock.js';
import type { LockHolder } from './lock-holder.js';

/**
 * Takes the lock at `path`; when another live holder has it, throws `refuse(holder, now)` (with the
 * LockHeldError as its cause) instead of the generic error.
 */
export async function acquireOrRefuse(
  path: string,
  options: Partial<FileLockOptions>,
  refuse: (holder: LockHolder | undefined, now: number, cause: LockHeldError) => Error,
): Promise<FileLock> {
  try {
    return await FileLock.acquire(path, options);
  } catch (error) {
    if (error instanceof LockHeldError)
      throw refuse(error.holder, (options.clock ?? systemClock).now(), error);
    throw error;
  }
}

export abstract class OwnedFileLock {
  protected constructor(protected readonly lock: FileLock) {}

  /** The lock file. */
  get path(): string {
    return this.lock.path;
  }

  get holder(): LockHolder {
    return this.lock.holder;
  }

  get held(): boolean {
    return this.lock.held;
  }

  /** Aborts when the lock is lost to a takeover (see FileLock.lost): the owner must stop. */
  get lost(): AbortSignal {
    return this.lock.lost;
  }

  release(): Promise<void> {
    return this.lock.release();
  }
}
