import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { defaultLockDir, loadLockConfig } from '../../src/config/lock.js';
import { TokenInUseError } from '../../src/ownership/errors.js';
import { TokenLease, tokenLeaseKey } from '../../src/ownership/token-lease.js';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDMwMA.GsImUl.a-token-that-must-never-reach-the-disk';
const API = 'http://127.0.0.1:8787/api/v10';

async function lockDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'mjw-leases-')), 'locks');
}

describe('TokenLease', () => {
  it('refuses a second driver of the same token at the same API, naming pid and host, never the token', async () => {
    const dir = await lockDir();
    const lease = await TokenLease.acquire(
      { token: TOKEN, apiBaseUrl: API },
      { lockDir: dir, releaseOnExit: false },
    );
    const refused = await TokenLease.acquire({ token: TOKEN, apiBaseUrl: `${API}/` }, { lockDir: dir }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TokenInUseError);
    expect(refused).toMatchObject({ name: 'TokenInUseError', code: 'TOKEN_IN_USE', retryable: true });
    const message = (refused as Error).message;
    expect(message).toContain(`pid ${process.pid} on host ${hostname()}`);
    expect(message).not.toContain(TOKEN);
    expect(JSON.stringify(refused)).not.toContain(TOKEN);

    await lease.release();
    const again = await TokenLease.acquire(
      { token: TOKEN, apiBaseUrl: API },
      { lockDir: dir, releaseOnExit: false },
    );
    await again.release();
  });

  it('keys the lease by a hash of API and token: nothing on disk holds the token', async () => {
    const dir = await lockDir();
    const lease = await TokenLease.acquire(
      { token: TOKEN, apiBaseUrl: API },
      { lockDir: dir, releaseOnExit: false },
    );
    expect(lease.key).toMatch(/^[0-9a-f]{64}$/);
    expect(lease.key).toBe(tokenLeaseKey({ token: TOKEN, apiBaseUrl: API }));
    expect(await readdir(dir)).toEqual([`token-${lease.key}.lock`]);
    const text = await readFile(lease.path, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN.split('.')[2]);
    expect(JSON.parse(text)).toMatchObject({ pid: process.pid, purpose: 'mjw Discord token lease' });
    // Private to this user.
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await lease.release();
  });

  it('lets one token drive two different APIs (two simulators) at once', async () => {
    const dir = await lockDir();
    const a = await TokenLease.acquire(
      { token: TOKEN, apiBaseUrl: API },
      { lockDir: dir, releaseOnExit: false },
    );
    const b = await TokenLease.acquire(
      { token: TOKEN, apiBaseUrl: 'http://127.0.0.1:8788/api/v10' },
      { lockDir: dir, releaseOnExit: false },
    );
    const c = await TokenLease.acquire(
      { token: `${TOKEN}x`, apiBaseUrl: API },
      { lockDir: dir, releaseOnExit: false },
    );
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
    await Promise.all([a.release(), b.release(), c.release()]);
  });

  it('takes over the lease of a driver that died', async () => {
    const dir = await lockDir();
    const first = await TokenLease.acquire(
      { token: TOKEN, apiBaseUrl: API },
      { lockDir: dir, releaseOnExit: false },
    );
    const second = await TokenLease.acquire(
      { token: TOKEN, apiBaseUrl: API },
      { lockDir: dir, releaseOnExit: false, isProcessAlive: () => false },
    );
    expect(JSON.parse(await readFile(second.path, 'utf8')).ownerId).toBe(second.holder.ownerId);
    // The first one's late release leaves the new holder's file alone.
    await first.release();
    expect(JSON.parse(await readFile(second.path, 'utf8')).ownerId).toBe(second.holder.ownerId);
    await second.release();
  });
});

describe('loadLockConfig', () => {
  it('defaults to a per-user folder under the temp directory', () => {
    expect(loadLockConfig({}).lockDir).toBe(defaultLockDir());
    expect(defaultLockDir().startsWith(tmpdir())).toBe(true);
    expect(Object.isFrozen(loadLockConfig({}))).toBe(true);
  });

  it('takes MJW_LOCK_DIR, resolved to an absolute path', () => {
    expect(loadLockConfig({ MJW_LOCK_DIR: '/var/lock/mjw' }).lockDir).toBe('/var/lock/mjw');
    expect(loadLockConfig({ MJW_LOCK_DIR: 'locks' }).lockDir).toBe(join(process.cwd(), 'locks'));
    expect(() => loadLockConfig({ MJW_LOCK_DIR: 'a\0b' })).toThrowError(ConfigError);
  });
});
