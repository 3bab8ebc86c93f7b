/**
 * One local driver per Discord token. Each process paces its calls with its own RateLimiter, so two
 * processes on one token (two `mjw batch` runs, `mjw imagine` beside `mjw serve`) would together
 * break the 350 ms spacing. A composition root that drives a real token takes this lease before it
 * opens a client and releases it at close; a second one is refused with TokenInUseError.
 *
 * The lease file is named by sha256(API base URL + token), never the token. The URL is part of the
 * identity because a token means an account only at its own Discord: the simulators all hand out
 * the same fixed default token (src/simulator/options.ts), each on its own loopback port, and
 * parallel tests driving different simulators must not refuse each other.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LockFileError, TokenInUseError } from './errors.js';
import type { FileLock, FileLockOptions } from './file-lock.js';
import { acquireOrRefuse, OwnedFileLock } from './owned-file-lock.js';

export interface TokenIdentity {
  /** The Discord token; only its hash reaches the disk. */
  token: string;
  /** The REST base URL the token is used against (`DISCORD_API_BASE_URL`). */
  apiBaseUrl: string;
}

export interface TokenLeaseOptions extends Partial<FileLockOptions> {
  /** Where lease files live (`MJW_LOCK_DIR`); created (mode 0700) when missing. */
  lockDir: string;
}

/** The lease's file name stem: a hash of the API base URL and the token. */
export function tokenLeaseKey(identity: TokenIdentity): string {
  return createHash('sha256')
    .update(identity.apiBaseUrl.replace(/\/+$/, ''))
    .update('\n')
    .update(identity.token)
    .digest('hex');
}

export class TokenLease extends OwnedFileLock {
  private constructor(
    /** Hash of the API base URL and token; the file is `<lockDir>/token-<key>.lock`. */
    readonly key: string,
    lock: FileLock,
  ) {
    super(lock);
  }

  /** Takes the token's lease, or throws TokenInUseError naming the holder's pid and host. */
  static async acquire(identity: TokenIdentity, options: TokenLeaseOptions): Promise<TokenLease> {
    const { lockDir, ...lockOptions } = options;
    const key = tokenLeaseKey(identity);
    const path = join(lockDir, `token-${key}.lock`);
    try {
      // Private to this user: nobody else can squat the directory or another user's lease.
      await mkdir(lockDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new LockFileError(`cannot create the lock directory (${(error as Error).message})`, path, {
        cause: error,
      });
    }
    const lock = await acquireOrRefuse(
      path,
      { purpose: 'mjw Discord token lease', ...lockOptions },
      (holder, now, cause) => new TokenInUseError(path, holder, now, { cause }),
    );
    return new TokenLease(key, lock);
  }
}
