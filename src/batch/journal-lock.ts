/**
 * The journal's one owner. Two runs on one journal (`mjw batch` started twice on the same --out)
 * would each see every prompt unfinished and submit it: paid twice. The run that opens the journal
 * holds `<journal>.lock` until it closes; another run is refused with JournalLockedError naming the
 * holder's pid and host. A dead holder's lock is taken over (see src/ownership/file-lock.ts).
 */
import { LockHeldError } from '../ownership/errors.js';
import { FileLock, type FileLockOptions } from '../ownership/file-lock.js';
import type { LockHolder } from '../ownership/lock-holder.js';
import { systemClock } from '../util/clock.js';
import { JournalLockedError } from './errors.js';

export function journalLockPathFor(journalPath: string): string {
  return `${journalPath}.lock`;
}

export class JournalLock {
  private constructor(
    /** The journal this lock owns. */
    readonly journalPath: string,
    private readonly lock: FileLock,
  ) {}

  /** Takes the journal's lock, or throws JournalLockedError naming the run that holds it. */
  static async acquire(journalPath: string, options: Partial<FileLockOptions> = {}): Promise<JournalLock> {
    try {
      const lock = await FileLock.acquire(journalLockPathFor(journalPath), {
        purpose: 'mjw batch journal',
        ...options,
      });
      return new JournalLock(journalPath, lock);
    } catch (error) {
      if (error instanceof LockHeldError) {
        const now = (options.clock ?? systemClock).now();
        throw new JournalLockedError(journalPath, error.holder, now, { cause: error });
      }
      throw error;
    }
  }

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

  /** Aborts when the lock is lost to a takeover: the run must stop submitting. */
  get lost(): AbortSignal {
    return this.lock.lost;
  }

  release(): Promise<void> {
    return this.lock.release();
  }
}
