/**
 * LeasedAccounts on real Redis: the worker's pool follows the leases it holds, and an account's
 * health follows it from one lease to the next.
 */
import { EventEmitter } from 'eventemitter3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountPool } from '../../src/accounts/account-pool.js';
import { AccountStateStore, clusterKeys } from '../../src/cluster/index.js';
import type { AccountConfig } from '../../src/config/accounts.js';
import { RestClient } from '../../src/discord/rest/index.js';
import type { GenerationEvents, GenerationResult, Generator } from '../../src/generation/types.js';
import { LeasedAccounts } from '../../src/service/cluster/leased-accounts.js';
import { silentLogger } from '../../src/util/logger.js';
import { openTestRedis } from './redis-test-env.js';

const env = await openTestRedis(2);

class IdleAccount extends EventEmitter<GenerationEvents> implements Generator {
  imagine(): Promise<GenerationResult> {
    return new Promise(() => undefined);
  }
  act(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  resume(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  async close(): Promise<void> {}
}

const account = (id: string, i: number): AccountConfig => ({
  id,
  token: `token-${id}`,
  guildId: '1100000000000000100',
  channelId: String(1_100_000_000_000_000_200n + BigInt(i)),
  slots: 2,
  mode: 'fast',
  dailyJobCap: 0,
  enabled: true,
  submitGapMinMs: 0,
  submitGapMaxMs: 0,
  onCreditsExhausted: 'disable',
});

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(env === undefined)('LeasedAccounts', () => {
  const redis = env?.redis;
  if (!env || !redis) return;
  const keys = clusterKeys('leased-test');
  const accounts = [account('a1', 0), account('a2', 1)];
  beforeEach(() => redis.flushdb());
  afterAll(() => env.close());

  it('adds each leased account to the pool, follows an operator disable, and keeps it disabled under the next lease', async () => {
    const pool = new AccountPool();
    const capacities: number[] = [];
    const opened: string[] = [];
    const leased = new LeasedAccounts({
      redis,
      keys,
      owner: 'w1',
      accounts,
      pool,
      logger: silentLogger,
      ttlMs: 3_000,
      intervalMs: 100,
      syncMs: 50,
      onCapacity: (n) => capacities.push(n),
      open: async (config) => {
        opened.push(config.id);
        const rest = new RestClient({ token: config.token, baseUrl: 'http://127.0.0.1:9/api/v10' });
        return {
          init: { id: config.id, generator: new IdleAccount(), channelId: config.channelId, slots: 2 },
          rest,
          gateway: undefined,
          close: () => rest.close(),
        };
      },
    });
    await leased.start();
    expect(leased.accountIds.sort()).toEqual(['a1', 'a2']);
    expect(pool.capacity).toBe(4);
    expect(capacities.at(-1)).toBe(4);

    // An operator's order, stored in Redis, reaches the holder's pool.
    const states = new AccountStateStore({ redis, keys });
    await states.set('a2', { state: 'disabled', reason: 'manual', at: 1, message: null });
    await until(() => pool.account('a2')?.state === 'disabled', 'the disable to reach the pool');
    expect(pool.capacity).toBe(2);

    // The lease of a2 is lost (taken from Redis); the balancer takes it again with a new fence,
    // and the account joins disabled, as Redis says.
    await redis.del(keys.lease('a2'));
    const removed: string[] = [];
    pool.on('account', (view, change) => {
      if (change === 'removed') removed.push(view.id);
    });
    await until(() => opened.filter((id) => id === 'a2').length === 2 && pool.has('a2'), 'a new lease');
    expect(removed).toEqual(['a2']);
    expect(await redis.get(keys.lease('a2'))).toBe('w1|2');
    expect(pool.account('a2')).toMatchObject({ state: 'disabled', disabledReason: 'manual' });

    // The holder publishes its view for the API nodes.
    const read = await states.read<{ heldBy: string; slots: { total: number } }>(['a1']);
    expect(read.get('a1')?.view).toMatchObject({ heldBy: 'w1', slots: { total: 2 } });
    expect(read.get('a1')?.holder).toBe('w1');

    await leased.stop();
    expect(await redis.get(keys.lease('a1'))).toBeNull();
    expect(pool.has('a1')).toBe(false);
  });
});
