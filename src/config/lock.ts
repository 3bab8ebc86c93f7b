/**
 * Where cross-process locks live (`MJW_LOCK_DIR`): the Discord token leases that keep one local
 * driver per token. Batch journal locks live beside their journal, not here.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { EnvReader } from './reader.js';

export interface LockConfig {
  /** Directory of the token leases. Default `<os.tmpdir()>/mjw-locks-<uid>`. */
  readonly lockDir: string;
}

/**
 * The default lock directory: per user (uid in the name, created mode 0700), so one user cannot
 * squat another's leases in a shared /tmp. Processes of one user on one machine all agree on it.
 */
export function defaultLockDir(): string {
  const uid = process.getuid?.();
  return join(tmpdir(), uid === undefined ? 'mjw-locks' : `mjw-locks-${uid}`);
}

export function loadLockConfig(env: Readonly<Record<string, string | undefined>>): LockConfig {
  const r = new EnvReader(env);
  const given = r.optionalString('MJW_LOCK_DIR');
  if (given?.includes('\0')) r.problem('MJW_LOCK_DIR: must not contain a NUL byte');
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  const lockDir = given === undefined ? defaultLockDir() : resolve(given);
  return Object.freeze({ lockDir });
}
