import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountLease, clusterKeys, LeaseLostError } from '../../src/cluster/index.js';
import { ValidationError } from '../../src/errors.js';
import { ManualClock } from './manual-clock.js';
import { openTestRedis } from './redis-test-env.js';

const env = await openTestRedis(10);

describe.skipIf(env === undefined)('AccountLease on Redis', () => {
  const redis = env?.redis;
  if (!env || !redis) return;
  const keys = clusterKeys('lease-test');
  let clock: ManualClock;
  const leaseOf = (owner: string, accountId = 'a1') =>
    AccountLease.acquire({ redis, accountId, owner, ttlMs: 3_000, keys, clock });

  beforeEach(async () => {
    await redis.flushdb();
    clock = new ManualClock();
  });
  afterAll(() => env.close());

  it('is held by one owner at a time, with a fencing token that grows on every acquisition', async () => {
    const first = await leaseOf('worker-1');
    expect(first?.fence).toBe(1);
    expect(first?.held).toBe(true);
    expect(await leaseOf('worker-2')).toBeNull();
    expect(await leaseOf('worker-2', 'a2')).not.toBeNull();

    await first?.release();
    const second = await leaseOf('worker-2');
    expect(second?.fence).toBe(2);
    expect(await redis.get(keys.lease('a1'))).toBe('worker-2|2');
    await second?.release();
  });

  it('renews before it expires, and keeps Redis TTL at most the lease TTL', async () => {
    const lease = await leaseOf('worker-1');
    const ttl = await redis.pttl(keys.lease('a1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_000);
    await redis.pexpire(keys.lease('a1'), 500); // as if time had run down
    await clock.advance(1_000); // renewEveryMs = ttl / 3
    expect(await redis.pttl(keys.lease('a1'))).toBeGreaterThan(2_000);
    expect(lease?.held).toBe(true);
    await lease?.release();
  });

  it('is lost when another worker took it over after expiry, and says so once', async () => {
    const lease = await leaseOf('worker-1');
    const lost: LeaseLostError[] = [];
    lease?.on('lost', (error) => lost.push(error));
    await redis.del(keys.lease('a1')); // expired in Redis while this worker was paused
    const other = await leaseOf('worker-2');
    expect(other?.fence).toBe(2);

    expect(await lease?.renew()).toBe(false);
    expect(lease?.held).toBe(false);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(LeaseLostError);
    expect(lost[0]?.code).toBe('LEASE_LOST');
    expect(() => lease?.assertHeld()).toThrow(/fencing token 1 is no longer held/);

    // Releasing a lost lease never deletes the new holder's key.
    await lease?.release();
    expect(await redis.get(keys.lease('a1'))).toBe('worker-2|2');
    await other?.release();
  });

  it('stops counting itself held past its TTL when it cannot renew', async () => {
    const lease = await leaseOf('worker-1');
    expect(lease?.held).toBe(true);
    // No renewal reaches Redis (the loop is asleep on the manual clock); local time runs out.
    clock.now = () => 1_000_000 + 2_800;
    expect(lease?.held).toBe(false);
    await lease?.release();
  });

  it('hands the account back at once on release', async () => {
    const lease = await leaseOf('worker-1');
    await lease?.release();
    expect(await redis.exists(keys.lease('a1'))).toBe(0);
    expect(clock.waiting).toBe(0);
  });

  it('refuses a TTL over 30 s', async () => {
    await expect(
      AccountLease.acquire({ redis, accountId: 'a1', owner: 'w', ttlMs: 60_000, keys, clock }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
