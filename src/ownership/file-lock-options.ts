/** FileLock's options, their defaults, and their validation. */
import { hostname as osHostname } from 'node:os';
import { backgroundClock, type Clock } from '../util/clock.js';
import { currentBootId, isProcessAlive } from './process-probe.js';

export interface FileLockOptions {
  /** What the lock guards, written into the file for a person reading it. Default "mjw". */
  purpose: string;
  /** How often the holder refreshes its heartbeat, ms. Default 10_000. */
  heartbeatIntervalMs: number;
  /**
   * A holder on another host whose heartbeat is older than this is stale, ms (also the age at
   * which an unreadable lock file may be replaced). Default 300_000: 30 missed heartbeats, and
   * room for clock skew between hosts. Must exceed `heartbeatIntervalMs`.
   */
  staleAfterMs: number;
  /** Time of the heartbeats and of staleness. Default `backgroundClock` (timers unref'd). */
  clock: Clock;
  /** This process's pid. Default `process.pid`. */
  pid: number;
  /** This host's name. Default `os.hostname()`. */
  hostname: string;
  /** This boot's id; undefined where unknown. Default Linux's boot_id. */
  bootId: string | undefined;
  /** Whether a pid is running on this host. Default `process.kill(pid, 0)`. */
  isProcessAlive: (pid: number) => boolean;
  /** Remove the file synchronously at process exit if still held (a second Ctrl-C). Default true. */
  releaseOnExit: boolean;
}

export const DEFAULT_FILE_LOCK_OPTIONS: Readonly<Omit<FileLockOptions, 'hostname' | 'bootId'>> =
  Object.freeze({
    purpose: 'mjw',
    heartbeatIntervalMs: 10_000,
    staleAfterMs: 300_000,
    clock: backgroundClock,
    pid: process.pid,
    isProcessAlive,
    releaseOnExit: true,
  });

/** The defaults under `options`, validated: throws RangeError naming the option and its range. */
export function resolveOptions(options: Partial<FileLockOptions>): FileLockOptions {
  const resolved: FileLockOptions = {
    ...DEFAULT_FILE_LOCK_OPTIONS,
    hostname: osHostname(),
    bootId: currentBootId(),
    ...options,
  };
  const { heartbeatIntervalMs, staleAfterMs } = resolved;
  if (!Number.isInteger(heartbeatIntervalMs) || heartbeatIntervalMs < 1) {
    throw new RangeError(`heartbeatIntervalMs: expected an integer >= 1, got ${heartbeatIntervalMs}`);
  }
  if (!Number.isInteger(staleAfterMs) || staleAfterMs <= heartbeatIntervalMs) {
    throw new RangeError(
      `staleAfterMs: expected an integer > heartbeatIntervalMs (${heartbeatIntervalMs}), got ${staleAfterMs}`,
    );
  }
  return resolved;
}
