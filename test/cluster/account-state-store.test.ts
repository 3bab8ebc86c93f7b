import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/accounts/types.js';
import { AccountLease, AccountStateStore, clusterKeys } from '../../src/cluster/index.js';
import { ClusterAccountDirectory } from '../../src/service/cluster/account-directory.js';
import { ManualClock } from './manual-clock.js';
import { openTestRedis } from './redis-test-env.js';

const env = await openTestRedis(3);

describe.skipIf(env === undefined)('AccountStateStore and the cluster-wide account directory', () => {
  const redis = env?.redis;
  if (!env || !redis) return;
  const keys = clusterKeys('state-test');
  const store = new AccountStateStore({ redis, keys });
  const leaseOf = (owner: string) =>
    AccountLease.acquire({ redis, accountId: 'a1', owner, ttlMs: 3_000, keys, clock: new ManualClock() });
  const disabled = { state: 'disabled' as const, reason: 'credits-exhausted', at: 1, message: 'out' };

  beforeEach(() => redis.flushdb());
  afterAll(() => env.close());

  it('takes a worker finding only under the current lease, and numbers every write', async () => {
    const first = await leaseOf('w1');
    expect(await store.set('a1', disabled, first ?? undefined)).toBe(1);
    await first?.release();
    // The old holder's fence is stale: its write is refused, the state stays.
    expect(
      await store.set('a1', { ...disabled, state: 'enabled', reason: null }, first ?? undefined),
    ).toBeNull();
    const second = await leaseOf('w2');
    expect(await store.get('a1')).toMatchObject({ state: 'disabled', reason: 'credits-exhausted', rev: 1 });
    // An operator's order needs no lease.
    expect(await store.set('a1', { state: 'enabled', reason: null, at: 2, message: null })).toBe(2);
    expect(await store.get('a1')).toMatchObject({ state: 'enabled', rev: 2 });
    await second?.release();
  });

  it('shows every account cluster-wide, with the holder and the stored health, and stores orders', async () => {
    await store.register(['a1', 'a2']);
    const lease = await leaseOf('w1');
    const view = { id: 'a1', state: 'enabled', slots: { busy: 2, total: 3 }, channelId: '1', jobsToday: 5 };
    expect(await store.publishView(lease as AccountLease, view, 3_000)).toBe(true);
    await store.set('a1', disabled, lease ?? undefined);
    const directory = new ClusterAccountDirectory({ states: store });
    await directory.refresh();
    expect(directory.accounts().map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(directory.account('a1')).toMatchObject({
      heldBy: 'w1',
      state: 'disabled',
      disabledReason: 'credits-exhausted',
      slots: { busy: 2, total: 3 },
      jobsToday: 5,
    });
    expect(directory.account('a2')).toMatchObject({ heldBy: null, state: 'enabled' });
    const enabled: AccountView = await directory.enable('a1');
    expect(enabled).toMatchObject({ state: 'enabled', disabledReason: null });
    expect(await store.get('a1')).toMatchObject({ state: 'enabled', rev: 2 });
    await expect(directory.disable('nope')).rejects.toMatchObject({ code: 'UNKNOWN_ACCOUNT' });
    await lease?.release();
  });
});
