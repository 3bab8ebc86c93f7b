/**
 * Facts about this machine's processes that a lock's staleness rests on. Injected into FileLock as
 * options, so tests can play a dead owner or another boot without killing anything.
 */
import { readFileSync } from 'node:fs';

/**
 * Whether a process with this pid exists on this host. Signal 0 checks without sending anything:
 * ESRCH means no such process; EPERM means it exists but belongs to another user (alive).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

let cachedBootId: string | null | undefined;

/** This boot's id on Linux; undefined elsewhere (then only the pid tells a dead owner). */
export function currentBootId(): string | undefined {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId ?? undefined;
}
