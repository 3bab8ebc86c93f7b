/**
 * An exclusive lock held as a file, across processes and (on a shared file system) hosts. The file
 * holds the owner's record (pid, host, boot, start, heartbeat); a heartbeat refreshes it on an
 * unref'd timer while held, and it is removed on release or, failing that, at process exit.
 *
 * Acquiring: a complete record is written to a private temporary file, then hard-linked to the
 * lock path; link(2) fails with EEXIST if the path exists, so exactly one creator wins and nobody
 * ever reads a half-written lock. A lock in the way is judged by `judgeHolder` (staleness.ts).
 *
 * Taking over a stale lock, race-free: the taker must first hold the claim lock
 * `<path>.takeover-<digest of the stale file's bytes>`, acquired by this same procedure (so an
 * abandoned claim is itself taken over like any stale lock). Holding it, the taker re-reads the
 * lock, and only if the bytes are still the ones judged stale renames its own record over it.
 * Everyone else who judged the same file stale fails on the claim and is refused, naming the
 * winner. A heartbeat changes the bytes, so a holder that refreshes in between is never replaced.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import { backgroundClock, type Clock } from '../util/clock.js';
import { LockFileError, LockHeldError, LockLostError } from './errors.js';
import { type LockHolder, parseHolder, serializeHolder } from './lock-holder.js';
import { currentBootId, isProcessAlive } from './process-probe.js';
import { judgeHolder } from './staleness.js';

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

/** Claims inside claims only happen after crashes in the middle of a takeover; a few is plenty. */
const MAX_TAKEOVER_DEPTH = 3;
/** Rounds of "gone or changed while we looked" before giving up. */
const MAX_ATTEMPTS = 5;

/** Locks of this process still held: removed synchronously if the process exits holding them. */
const heldAtExit = new Set<FileLock>();
let exitHookInstalled = false;

export class FileLock {
  private state: 'held' | 'released' | 'lost' = 'held';
  private readonly stopped = new AbortController();
  private readonly lostController = new AbortController();
  private refreshing: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private current: LockHolder,
    private readonly options: FileLockOptions,
  ) {}

  /**
   * Takes the lock at `path` (creating its directory), or throws LockHeldError naming the holder.
   * Throws LockFileError when the file system refuses.
   */
  static async acquire(path: string, options: Partial<FileLockOptions> = {}): Promise<FileLock> {
    const resolved = resolveOptions(options);
    const now = resolved.clock.now();
    const holder: LockHolder = {
      pid: resolved.pid,
      hostname: resolved.hostname,
      ...(resolved.bootId !== undefined ? { bootId: resolved.bootId } : {}),
      startedAt: now,
      heartbeatAt: now,
      ownerId: randomUUID(),
      purpose: resolved.purpose,
    };
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      throw new LockFileError(`cannot create the lock directory (${(error as Error).message})`, path, {
        cause: error,
      });
    }
    await claim(path, holder, resolved, 0);
    const lock = new FileLock(path, holder, resolved);
    if (resolved.releaseOnExit) registerForExit(lock);
    void lock.beat();
    return lock;
  }

  /** The record in the file (the last heartbeat included). */
  get holder(): LockHolder {
    return this.current;
  }

  /** True until released or lost. */
  get held(): boolean {
    return this.state === 'held';
  }

  /** Aborts (with LockLostError) when a heartbeat finds the lock taken over or removed. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /**
   * Rewrites the heartbeat, after checking the file is still ours; marks the lock lost if not.
   * The heartbeat timer calls this; tests call it directly.
   */
  refresh(): Promise<void> {
    if (this.state !== 'held') return Promise.resolve();
    this.refreshing ??= this.rewrite().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Removes the lock file if it is still ours and stops the heartbeat. Safe to call twice. */
  async release(): Promise<void> {
    if (this.state === 'released') return;
    const wasHeld = this.state === 'held';
    this.state = 'released';
    this.stopped.abort();
    heldAtExit.delete(this);
    await this.refreshing?.catch(() => undefined);
    if (!wasHeld) return;
    const found = await readLock(this.path).catch(() => null);
    if (found?.holder?.ownerId === this.current.ownerId) await unlink(this.path).catch(() => undefined);
  }

  /** `release` for the process 'exit' event, where nothing asynchronous runs any more. */
  releaseSync(): void {
    if (this.state !== 'held') return;
    this.state = 'released';
    this.stopped.abort();
    heldAtExit.delete(this);
    try {
      if (parseHolder(readFileSync(this.path, 'utf8'))?.ownerId === this.current.ownerId)
        unlinkSync(this.path);
    } catch {
      // Gone already, or unreadable: a later run judges whatever is left.
    }
  }

  private async beat(): Promise<void> {
    const { clock, heartbeatIntervalMs } = this.options;
    while (this.state === 'held') {
      try {
        await clock.sleep(heartbeatIntervalMs, this.stopped.signal);
      } catch {
        return;
      }
      // A failed write (disk full) is retried at the next beat; the stale timeout is many beats.
      await this.refresh().catch(() => undefined);
    }
  }

  private async rewrite(): Promise<void> {
    const found = await readLock(this.path);
    if (this.state !== 'held') return;
    if (found?.holder?.ownerId !== this.current.ownerId) {
      this.state = 'lost';
      this.stopped.abort();
      heldAtExit.delete(this);
      this.lostController.abort(new LockLostError(this.path, found?.holder, this.options.clock.now()));
      return;
    }
    const next: LockHolder = { ...this.current, heartbeatAt: this.options.clock.now() };
    await replaceFile(this.path, serializeHolder(next));
    this.current = next;
  }
}

function resolveOptions(options: Partial<FileLockOptions>): FileLockOptions {
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

interface FoundLock {
  /** The file's bytes: what a takeover compares before replacing. */
  text: string;
  holder: LockHolder | undefined;
  modifiedAt: number;
}

/** The lock file's content; null when there is none. */
async function readLock(path: string): Promise<FoundLock | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), modifiedAt: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LockFileError(`cannot read the lock file (${(error as Error).message})`, path, {
      cause: error,
    });
  }
}

/** Puts `holder` at `path` if nothing is there or what is there is stale; see the file comment. */
async function claim(
  path: string,
  holder: LockHolder,
  options: FileLockOptions,
  depth: number,
): Promise<void> {
  const text = serializeHolder(holder);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusive(path, text)) return;
    const found = await readLock(path);
    if (found === null) continue; // released while we looked: try to create it again
    const now = options.clock.now();
    const verdict = judgeHolder(found.holder, {
      hostname: options.hostname,
      bootId: options.bootId,
      now,
      staleAfterMs: options.staleAfterMs,
      isProcessAlive: options.isProcessAlive,
      fileModifiedAt: found.modifiedAt,
    });
    if (!verdict.stale) throw new LockHeldError(path, found.holder, now, verdict.reason);
    if (depth >= MAX_TAKEOVER_DEPTH) {
      throw new LockFileError('too many abandoned takeovers of this lock; remove its files by hand', path);
    }
    const claimPath = `${path}.takeover-${createHash('sha256').update(found.text).digest('hex').slice(0, 16)}`;
    const claimHolder: LockHolder = { ...holder, ownerId: randomUUID(), purpose: `takeover of ${path}` };
    try {
      await claim(claimPath, claimHolder, options, depth + 1);
    } catch (error) {
      // Someone else is taking the same stale lock over right now: they win, we are refused.
      if (error instanceof LockHeldError) {
        throw new LockHeldError(path, error.holder, now, 'it is taking over a stale lock', { cause: error });
      }
      throw error;
    }
    try {
      const again = await readLock(path);
      if (again?.text === found.text) {
        await replaceFile(path, text);
        return;
      }
      // Changed or gone since we judged it: judge again.
    } finally {
      await unlink(claimPath).catch(() => undefined);
    }
  }
  throw new LockFileError('the lock file kept changing while it was being acquired', path);
}

/** Creates `path` holding `text` only if it does not exist; false if it does. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LockFileError(`cannot create the lock file (${(error as Error).message})`, path, {
      cause: error,
    });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Replaces `path` with `text` atomically (a reader sees the old file or the new, never half). */
async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new LockFileError(`cannot write the lock file (${(error as Error).message})`, path, {
      cause: error,
    });
  }
}

function registerForExit(lock: FileLock): void {
  heldAtExit.add(lock);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const held of [...heldAtExit]) held.releaseSync();
  });
}
