import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LockFileError, LockHeldError, LockLostError } from '../../src/ownership/errors.js';
import { FileLock, type FileLockOptions } from '../../src/ownership/file-lock.js';
import { type LockHolder, parseHolder, serializeHolder } from '../../src/ownership/lock-holder.js';
import { ManualClock, waitFor } from '../batch/support/manual-clock.js';

async function lockPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'mjw-lock-')), 'thing.lock');
}

async function holderIn(path: string): Promise<LockHolder | undefined> {
  return parseHolder(await readFile(path, 'utf8'));
}

/** A lock file as another process would have left it. */
async function plant(path: string, over: Partial<LockHolder>): Promise<LockHolder> {
  const holder: LockHolder = {
    pid: 999_999,
    hostname: 'elsewhere',
    startedAt: 0,
    heartbeatAt: 0,
    ownerId: 'planted',
    purpose: 'test',
    ...over,
  };
  await writeFile(path, serializeHolder(holder));
  return holder;
}

/** A pid that just ended: spawnSync returns after the child was reaped. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('no pid');
  return pid;
}

const TEST_OPTIONS: Partial<FileLockOptions> = { releaseOnExit: false };

describe('FileLock', () => {
  it('writes its holder record and refuses a second owner while held, naming pid and host', async () => {
    const path = await lockPath();
    const lock = await FileLock.acquire(path, { ...TEST_OPTIONS, purpose: 'the thing' });
    const written = await holderIn(path);
    expect(written).toEqual(lock.holder);
    expect(written).toMatchObject({ pid: process.pid, hostname: hostname(), purpose: 'the thing' });

    const refused = await FileLock.acquire(path, TEST_OPTIONS).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect(refused).toMatchObject({ code: 'LOCK_HELD', retryable: true, holder: { pid: process.pid } });
    expect((refused as Error).message).toContain(`pid ${process.pid} on host ${hostname()}`);

    await lock.release();
    expect(lock.held).toBe(false);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await FileLock.acquire(path, TEST_OPTIONS);
    await again.release();
    // No temporary files are left beside it.
    expect(await readdir(join(path, '..'))).toEqual([]);
  });

  it('takes over a lock left by a process of this host that is no longer running', async () => {
    const path = await lockPath();
    await plant(path, { pid: deadPid(), hostname: hostname() });
    const lock = await FileLock.acquire(path, TEST_OPTIONS);
    expect((await holderIn(path))?.ownerId).toBe(lock.holder.ownerId);
    await lock.release();
  });

  it('takes over a lock written before this host restarted, even if its pid runs again', async () => {
    const path = await lockPath();
    await plant(path, { pid: process.pid, hostname: 'box', bootId: 'before' });
    const lock = await FileLock.acquire(path, { ...TEST_OPTIONS, hostname: 'box', bootId: 'after' });
    expect(lock.holder.bootId).toBe('after');
    await lock.release();
  });

  it('judges another host by its heartbeat, on the injected clock', async () => {
    const path = await lockPath();
    const clock = new ManualClock();
    await plant(path, { hostname: 'other-host', pid: 7, heartbeatAt: clock.now() });
    const options = { ...TEST_OPTIONS, clock, staleAfterMs: 60_000, heartbeatIntervalMs: 1_000 };

    clock.advance(60_000);
    const refused = await FileLock.acquire(path, options).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as Error).message).toContain('pid 7 on host other-host');
    expect((refused as Error).message).toContain('refreshed it 60 s ago');

    clock.advance(1);
    const lock = await FileLock.acquire(path, options);
    expect(await holderIn(path)).toMatchObject({ ownerId: lock.holder.ownerId, heartbeatAt: clock.now() });
    await lock.release();
  });

  it('refreshes its heartbeat on the clock and keeps other hosts out', async () => {
    const path = await lockPath();
    const clock = new ManualClock();
    const options = { ...TEST_OPTIONS, clock, staleAfterMs: 30_000, heartbeatIntervalMs: 10_000 };
    const lock = await FileLock.acquire(path, { ...options, hostname: 'host-a' });
    const startedAt = clock.now();
    for (let beat = 1; beat <= 4; beat++) {
      clock.advance(10_000);
      await waitFor(() => lock.holder.heartbeatAt === startedAt + beat * 10_000, `beat ${beat}`);
    }
    expect(await holderIn(path)).toMatchObject({ startedAt, heartbeatAt: startedAt + 40_000 });
    // 40 s after the start, but 0 s after the last heartbeat: still held for another host.
    await expect(FileLock.acquire(path, { ...options, hostname: 'host-b' })).rejects.toBeInstanceOf(
      LockHeldError,
    );
    await lock.release();
    expect(clock.sleeping).toEqual([]);
  });

  it('notices a takeover at its next heartbeat: lost aborts, release leaves the new owner alone', async () => {
    const path = await lockPath();
    const clock = new ManualClock();
    const lock = await FileLock.acquire(path, { ...TEST_OPTIONS, clock, heartbeatIntervalMs: 1_000 });
    const usurper = await plant(path, { hostname: 'other-host', pid: 12, heartbeatAt: clock.now() });
    clock.advance(1_000);
    await waitFor(() => lock.lost.aborted, 'the lock to be lost');
    expect(lock.held).toBe(false);
    expect(lock.lost.reason).toBeInstanceOf(LockLostError);
    expect((lock.lost.reason as Error).message).toContain('taken over by pid 12 on host other-host');
    await lock.release();
    expect(await holderIn(path)).toEqual(usurper);
  });

  it('treats an unreadable lock file as held until it is older than staleAfterMs', async () => {
    const path = await lockPath();
    await writeFile(path, 'not a lock');
    await expect(FileLock.acquire(path, TEST_OPTIONS)).rejects.toThrowError(/unreadable lock file/);
    const old = new Date(Date.now() - 600_000);
    await utimes(path, old, old);
    const lock = await FileLock.acquire(path, TEST_OPTIONS);
    expect((await holderIn(path))?.ownerId).toBe(lock.holder.ownerId);
    await lock.release();
  });

  it('gives a stale lock to exactly one of many takers at once; the rest name the winner', async () => {
    for (let round = 0; round < 10; round++) {
      const path = await lockPath();
      await plant(path, { pid: 1, hostname: 'box' });
      // Distinct pids stand for distinct processes; only pid 1 (the planted owner) is dead.
      const takers = Array.from({ length: 8 }, (_, i) =>
        FileLock.acquire(path, {
          ...TEST_OPTIONS,
          hostname: 'box',
          bootId: undefined,
          pid: 100 + i,
          isProcessAlive: (pid) => pid !== 1,
        }),
      );
      const settled = await Promise.allSettled(takers);
      const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
      expect(won).toHaveLength(1);
      const winner = won[0] as FileLock;
      expect((await holderIn(path))?.ownerId).toBe(winner.holder.ownerId);
      for (const error of refused) {
        expect(error).toBeInstanceOf(LockHeldError);
        expect((error as LockHeldError).holder?.pid).toBe(winner.holder.pid);
      }
      await winner.release();
      // Claims and temporaries are all cleaned up.
      expect(await readdir(join(path, '..'))).toEqual([]);
    }
  });

  it('takes over past a takeover claim abandoned by a taker that died mid-way', async () => {
    const path = await lockPath();
    const stale = await plant(path, { pid: 1, hostname: 'box', ownerId: 'dead-owner' });
    const digest = createHash('sha256').update(serializeHolder(stale)).digest('hex').slice(0, 16);
    await plant(`${path}.takeover-${digest}`, { pid: 2, hostname: 'box', ownerId: 'dead-taker' });
    const lock = await FileLock.acquire(path, {
      ...TEST_OPTIONS,
      hostname: 'box',
      bootId: undefined,
      isProcessAlive: (pid) => pid > 2,
    });
    expect((await holderIn(path))?.ownerId).toBe(lock.holder.ownerId);
    await lock.release();
    expect(await readdir(join(path, '..'))).toEqual([]);
  });

  it('gives a stale lock to exactly one of several processes racing for it', async () => {
    const path = await lockPath();
    await plant(path, { pid: deadPid(), hostname: hostname() });
    const script = fileURLToPath(new URL('./support/take-lock.ts', import.meta.url));
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    try {
      const lines = await Promise.all(
        children.map(
          (child) =>
            new Promise<{ acquired: boolean; pid?: number; holderPid?: number }>((resolve, reject) => {
              let out = '';
              child.stdout.on('data', (chunk: Buffer) => {
                out += chunk.toString();
                if (out.includes('\n')) resolve(JSON.parse(out));
              });
              child.on('exit', (code) => reject(new Error(`child exited ${code} before answering`)));
            }),
        ),
      );
      const winners = lines.filter((line) => line.acquired);
      expect(winners).toHaveLength(1);
      const winnerPid = winners[0]?.pid;
      expect(lines.filter((line) => !line.acquired).map((line) => line.holderPid)).toEqual([
        winnerPid,
        winnerPid,
        winnerPid,
      ]);
      expect((await holderIn(path))?.pid).toBe(winnerPid);
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  }, 30_000);

  it('releases synchronously at exit', async () => {
    const path = await lockPath();
    const lock = await FileLock.acquire(path, TEST_OPTIONS);
    lock.releaseSync();
    expect(lock.held).toBe(false);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('validates its options, naming them', async () => {
    const path = await lockPath();
    await expect(FileLock.acquire(path, { heartbeatIntervalMs: 0 })).rejects.toThrowError(
      'heartbeatIntervalMs: expected an integer >= 1, got 0',
    );
    await expect(
      FileLock.acquire(path, { heartbeatIntervalMs: 10_000, staleAfterMs: 10_000 }),
    ).rejects.toThrowError('staleAfterMs: expected an integer > heartbeatIntervalMs (10000), got 10000');
  });

  it('reports a lock directory it cannot create as LockFileError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mjw-lock-'));
    await writeFile(join(dir, 'file'), '');
    await expect(FileLock.acquire(join(dir, 'file', 'x.lock'), TEST_OPTIONS)).rejects.toBeInstanceOf(
      LockFileError,
    );
  });
});
