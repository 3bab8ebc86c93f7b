/**
 * An exclusive lock held as a file, across processes and (on a shared file system) hosts. The file
 * holds the owner's record (pid, host, boot, start, heartbeat); a heartbeat refreshes it on an
 * unref'd timer while held, and it is removed on release or, failing that, at process exit.
 * Acquiring creates the file, or takes over a stale one race-free: see claim.ts and staleness.ts.
 * Every heartbeat first checks the file still holds this acquisition's `ownerId` (the fencing
 * token); if not, the lock is lost and `lost` aborts, so the owner stops acting on it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { claim } from './claim.js';
import { LockFileError, LockLostError } from './errors.js';
import { type FileLockOptions, resolveOptions } from './file-lock-options.js';
import { readLock, replaceFile } from './lock-file.js';
import { type LockHolder, parseHolder, serializeHolder } from './lock-holder.js';

export { DEFAULT_FILE_LOCK_OPTIONS, type FileLockOptions } from './file-lock-options.js';

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
    await claim(path, holder, resolved);
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

function registerForExit(lock: FileLock): void {
  heldAtExit.add(lock);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const held of [...heldAtExit]) held.releaseSync();
  });
}
