/**
 * Errors of the ownership primitives: a lock or lease held by someone else (retryable: it frees up
 * when the holder ends), a lock lost to a takeover, and a lock file that cannot be used at all.
 * They name the holder's pid and host, never what the lock is keyed by (a token's hash at most).
 */
import { WorkerError } from '../errors.js';
import { describeHolder, type LockHolder } from './lock-holder.js';

/** Another process holds the lock at `path`. */
export class LockHeldError extends WorkerError {
  override readonly name = 'LockHeldError';
  readonly code = 'LOCK_HELD';
  constructor(
    readonly path: string,
    /** Undefined when the file in the way is unreadable. */
    readonly holder: LockHolder | undefined,
    now: number,
    /** Why it is not stale ("pid 4242 is running on this host"). */
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${path} is held by ${describeHolder(holder, now)}: ${reason}`, { ...options, retryable: true });
  }
}

/** A heartbeat found the lock file gone or owned by another acquisition: this process lost it. */
export class LockLostError extends WorkerError {
  override readonly name = 'LockLostError';
  readonly code = 'LOCK_LOST';
  constructor(
    readonly path: string,
    /** The new owner, when a readable file replaced ours. */
    readonly holder: LockHolder | undefined,
    now: number,
  ) {
    super(
      holder === undefined
        ? `${path}: the lock file disappeared while held`
        : `${path}: taken over by ${describeHolder(holder, now)}`,
    );
  }
}

/** The lock file or its directory cannot be created, read or written. */
export class LockFileError extends WorkerError {
  override readonly name = 'LockFileError';
  readonly code = 'LOCK_FAILED';
  constructor(
    message: string,
    readonly path: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${path}: ${message}`, options);
  }
}

/**
 * Another process on this machine drives the same Discord token (against the same API). Two
 * drivers would each keep their own 350 ms spacing and together break it.
 */
export class TokenInUseError extends WorkerError {
  override readonly name = 'TokenInUseError';
  readonly code = 'TOKEN_IN_USE';
  constructor(
    /** The lease file (named by a hash, never the token). */
    readonly path: string,
    readonly holder: LockHolder | undefined,
    now: number,
    options: { cause?: unknown } = {},
  ) {
    super(
      `this Discord token is already driven by ${describeHolder(holder, now)} (lease ${path}); two drivers of one token would break its 350 ms request spacing: stop that process or wait for it to end`,
      { ...options, retryable: true },
    );
  }
}
