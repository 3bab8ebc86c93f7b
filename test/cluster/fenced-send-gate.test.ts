import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountLease, clusterKeys, FencedSendGate, LeaseLostError } from '../../src/cluster/index.js';
import { openTestRedis } from './redis-test-env.js';

const env = await openTestRedis(11);

describe.skipIf(env === undefined)('FencedSendGate on Redis', () => {
  const redis = env?.redis;
  if (!env || !redis) return;
  const keys = clusterKeys('gate-test');
  const acquire = async (owner: string) => {
    const lease = await AccountLease.acquire({
      redis: env.connect(),
      accountId: 'a1',
      owner,
      ttlMs: 5_000,
      keys,
    });
    if (!lease) throw new Error(`${owner} could not take the lease`);
    return lease;
  };

  beforeEach(() => redis.flushdb());
  afterAll(() => env.close());

  it('keeps two calls of the token at least 350 ms apart on Redis time, across a lease hand-over', async () => {
    const first = await acquire('worker-1');
    const gateA = new FencedSendGate({ redis, lease: first, keys });
    await gateA.pass();
    const a = gateA.lastPassedAtUs ?? 0;
    await first.release();

    const second = await acquire('worker-2');
    const gateB = new FencedSendGate({ redis: env.connect(), lease: second, keys });
    await gateB.pass(); // at once after the hand-over: must wait out the spacing
    const b = gateB.lastPassedAtUs ?? 0;
    expect(b - a).toBeGreaterThanOrEqual(350_000);
    await gateB.pass();
    expect((gateB.lastPassedAtUs ?? 0) - b).toBeGreaterThanOrEqual(350_000);
    await second.release();
  });

  it('sends nothing for a worker whose lease passed to another (stale fencing token)', async () => {
    const stale = await acquire('worker-1');
    const staleGate = new FencedSendGate({ redis, lease: stale, keys });
    await redis.del(keys.lease('a1')); // it expired while worker-1 was paused
    const current = await acquire('worker-2');

    await expect(staleGate.pass()).rejects.toBeInstanceOf(LeaseLostError);
    expect(stale.held).toBe(false);
    const gate = new FencedSendGate({ redis, lease: current, keys });
    await expect(gate.pass()).resolves.toBeUndefined();
    await stale.release();
    await current.release();
  });

  it('checks the fence on every call, not only the first', async () => {
    const lease = await acquire('worker-1');
    const gate = new FencedSendGate({ redis, lease, keys, minSpacingMs: 0 });
    await gate.pass();
    await redis.set(keys.lease('a1'), 'worker-9|7');
    await expect(gate.pass()).rejects.toThrow(/lease with fencing token 1 is no longer held/);
    await lease.release();
  });
});
