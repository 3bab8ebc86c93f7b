/**
 * The journal's one owner. Two runs on one journal (`mjw batch` started twice on the same --out)
 * would each see every prompt unfinished and submit it: paid twice. The run that opens the journal
 * holds `<journal>.lock` until it closes; another run is refused with JournalLockedError naming the
 * holder's pid and host. A dead holder's lock is taken over (see src/ownership/file-lock.ts).
 */
import type { FileLock, FileLockOptions } from '../ownership/file-lock.js';
import { acquireOrRefuse, OwnedFileLock } from '../ownership/owned-file-lock.js';
import { JournalLockedError } from './errors.js';

export function journalLockPathFor(journalPath: string): string {
  return `${journalPath}.lock`;
}

export class JournalLock extends OwnedFileLock {
  private constructor(
    /** The journal this lock owns. */
    readonly journalPath: string,
    lock: FileLock,
  ) {
    super(lock);
  }

  /** Takes the journal's lock, or throws JournalLockedError naming the run that holds it. */
  static async acquire(journalPath: string, options: Partial<FileLockOptions> = {}): Promise<JournalLock> {
    const lock = await acquireOrRefuse(
      journalLockPathFor(journalPath),
      { purpose: 'mjw batch journal', ...options },
      (holder, now, cause) => new JournalLockedError(journalPath, holder, now, { cause }),
    );
    return new JournalLock(journalPath, lock);
  }
}
