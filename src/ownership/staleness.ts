/**
 * May a lock file found in the way be taken over? The whole rule, strongest evidence first:
 *
 * 1. Unreadable file: locks are written whole (link or rename of a complete file), so this is
 *    damage, not a lock being written. Stale once the file is older than `staleAfterMs`, so a
 *    person has time to look; held until then.
 * 2. Same host, another boot (both boot ids known and different): stale. The machine restarted
 *    since, so the owner is dead even if its pid now belongs to someone else.
 * 3. Same host: stale exactly when the pid is gone (`kill(pid, 0)` answers ESRCH). A live owner is
 *    never taken from, however old its heartbeat: it may be suspended (Ctrl-Z) and resume.
 * 4. Another host: its pid means nothing here, so only the heartbeat counts: stale when older than
 *    `staleAfterMs`. Generous on purpose (minutes, against a heartbeat of seconds): it also
 *    absorbs clock skew between the hosts, and taking a live lock would pay for jobs twice.
 */
import type { LockHolder } from './lock-holder.js';

export interface StalenessContext {
  hostname: string;
  bootId: string | undefined;
  now: number;
  staleAfterMs: number;
  isProcessAlive: (pid: number) => boolean;
  /** The lock file's modification time (ms since the epoch), for rule 1. */
  fileModifiedAt: number;
}

export interface Staleness {
  stale: boolean;
  /** Why, in words, for errors and debug output. */
  reason: string;
}

export function judgeHolder(holder: LockHolder | undefined, context: StalenessContext): Staleness {
  if (holder === undefined) {
    const age = context.now - context.fileModifiedAt;
    return age > context.staleAfterMs
      ? { stale: true, reason: `unreadable lock file, untouched for ${Math.round(age / 1000)} s` }
      : { stale: false, reason: 'unreadable lock file, recently written' };
  }
  if (holder.hostname === context.hostname) {
    if (holder.bootId !== undefined && context.bootId !== undefined && holder.bootId !== context.bootId)
      return { stale: true, reason: `pid ${holder.pid} ran before this host restarted` };
    return context.isProcessAlive(holder.pid)
      ? { stale: false, reason: `pid ${holder.pid} is running on this host` }
      : { stale: true, reason: `pid ${holder.pid} is no longer running on this host` };
  }
  const silence = context.now - holder.heartbeatAt;
  return silence > context.staleAfterMs
    ? { stale: true, reason: `no heartbeat from host ${holder.hostname} for ${Math.round(silence / 1000)} s` }
    : { stale: false, reason: `host ${holder.hostname} refreshed it ${Math.round(silence / 1000)} s ago` };
}
