/** Ownership across processes: file locks with heartbeats and stale takeover, and the token lease. */
export { LockFileError, LockHeldError, LockLostError, TokenInUseError } from './errors.js';
export { DEFAULT_FILE_LOCK_OPTIONS, FileLock, type FileLockOptions } from './file-lock.js';
export { describeHolder, type LockHolder, parseHolder } from './lock-holder.js';
export { currentBootId, isProcessAlive } from './process-probe.js';
export { judgeHolder, type Staleness, type StalenessContext } from './staleness.js';
export { type TokenIdentity, TokenLease, type TokenLeaseOptions, tokenLeaseKey } from './token-lease.js';
