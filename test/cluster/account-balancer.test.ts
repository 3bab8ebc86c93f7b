import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountBalancer, clusterKeys } from '../../src/cluster/index.js';
import { ManualClock } from './manual-clock.js';
import { openTestRedis } from './redis-test-env.js';

const env = await openTestRedis(12);
const ACCOUNTS = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];

describe.skipIf(env === undefined)('AccountBalancer on Redis', () => {
  const redis = env?.redis;
  if (!env || !redis) return;
  const keys = clusterKeys('balance-test');
  let clock: ManualClock;
  const started: AccountBalancer[] = [];
  const balancer = (workerId: string, drained: string[] = []) => {
    const b = new AccountBalancer({
      redis: env.connect(),
      workerId,
      accountIds: ACCOUNTS,
      ttlMs: 3_000,
      keys,
      clock,
      drain: async (accountId) => {
        drained.push(accountId);
      },
    });
    started.push(b);
    return b;
  };
  const allHeld = (...bs: AccountBalancer[]) => bs.flatMap((b) => b.held).sort();

  beforeEach(async () => {
    for (const b of started.splice(0)) await b.stop();
    await redis.flushdb();
    clock = new ManualClock();
  });
  afterAll(async () => {
    for (const b of started.splice(0)) await b.stop();
    await env.close();
  });

  it('a lone worker drives every account', async () => {
    const w1 = balancer('w1');
    await w1.start();
    expect(w1.held.sort()).toEqual(ACCOUNTS);
  });

  it('shares fairly when a worker joins: the first sheds (after draining) and the newcomer takes', async () => {
    const drained: string[] = [];
    const w1 = balancer('w1', drained);
    await w1.start();
    const w2 = balancer('w2');
    await w2.round(); // sees 2 workers, nothing free yet
    expect(w2.held).toEqual([]);
    for (let i = 0; i < 3; i++) {
      await w1.round(); // sheds one per round down to ceil(6 / 2)
      await w2.round();
    }
    expect(w1.held).toHaveLength(3);
    expect(w2.held).toHaveLength(3);
    expect(allHeld(w1, w2)).toEqual(ACCOUNTS);
    expect(drained).toHaveLength(3);
  });

  it('never lets two workers hold one account, however the rounds interleave', async () => {
    const ws = [balancer('w1'), balancer('w2'), balancer('w3')];
    for (let r = 0; r < 6; r++) await Promise.all(ws.map((w) => w.round()));
    const held = allHeld(...ws);
    expect(new Set(held).size).toBe(held.length);
    expect(held).toEqual(ACCOUNTS);
    for (const w of ws) expect(w.held).toHaveLength(2);
  });

  it('hands accounts back at once on stop', async () => {
    const w1 = balancer('w1');
    const w2 = balancer('w2');
    await Promise.all([w1.round(), w2.round()]);
    await w1.round();
    await w2.round();
    const released: string[] = [];
    w1.on('released', (id, reason) => released.push(`${id}:${reason}`));
    await w1.stop();
    expect(released.every((r) => r.endsWith(':stopped'))).toBe(true);
    await w2.round();
    expect(w2.held.sort()).toEqual(ACCOUNTS);
  });

  it("takes a killed worker's accounts once its leases and heartbeat expire", async () => {
    const w1 = balancer('w1');
    const w2 = balancer('w2');
    await Promise.all([w1.round(), w2.round()]);
    await Promise.all([w1.round(), w2.round()]);
    const w1Accounts = w1.held;
    expect(w1Accounts.length).toBeGreaterThan(0);
    // w1 is killed: nothing renews or releases. Its Redis state runs out (as the TTLs would).
    started.splice(started.indexOf(w1), 1);
    await redis.zrem(keys.workers(), 'w1');
    for (const id of w1Accounts) await redis.del(keys.lease(id));
    await w2.round();
    expect(w2.held.sort()).toEqual(ACCOUNTS);
  });
});
