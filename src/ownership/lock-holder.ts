/**
 * What a lock file holds: who owns the lock (pid, host, boot), since when, and the last heartbeat.
 * A person can read it (`cat results.jsonl.journal.lock`) to see which process is in the way.
 */

export interface LockHolder {
  /** The owning process. */
  readonly pid: number;
  /** `os.hostname()` of the owner; a pid means something only on its own host. */
  readonly hostname: string;
  /**
   * The owner's boot (Linux `/proc/sys/kernel/random/boot_id`), when known: a lock written before a
   * reboot is stale even if its pid was given to another process since.
   */
  readonly bootId?: string;
  /** When the owner took the lock, ms since the epoch (the owner's clock). */
  readonly startedAt: number;
  /** The owner's last refresh, ms since the epoch (the owner's clock). */
  readonly heartbeatAt: number;
  /** Unique per acquisition: tells this acquisition's file from any later one at the same path. */
  readonly ownerId: string;
  /** What the lock guards, for a person reading the file ("mjw batch journal", ...). */
  readonly purpose: string;
}

export function serializeHolder(holder: LockHolder): string {
  return `${JSON.stringify(holder)}\n`;
}

/** The holder in a lock file's text; undefined when the text is not a holder record. */
export function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const valid =
    Number.isInteger(v.pid) &&
    typeof v.hostname === 'string' &&
    (v.bootId === undefined || typeof v.bootId === 'string') &&
    typeof v.startedAt === 'number' &&
    typeof v.heartbeatAt === 'number' &&
    typeof v.ownerId === 'string' &&
    typeof v.purpose === 'string';
  return valid ? (value as LockHolder) : undefined;
}

/** "pid 4242 on host build-1 (since 2026-11-29T12:00:00.000Z, last heartbeat 3 s ago)". */
export function describeHolder(holder: LockHolder | undefined, now: number): string {
  if (holder === undefined) return 'an unreadable lock file (no pid or host in it)';
  const since = new Date(holder.startedAt).toISOString();
  const ago = Math.max(0, Math.round((now - holder.heartbeatAt) / 1000));
  return `pid ${holder.pid} on host ${holder.hostname} (since ${since}, last heartbeat ${ago} s ago)`;
}
