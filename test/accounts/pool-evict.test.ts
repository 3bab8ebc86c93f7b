import { describe, expect, it } from 'vitest';
import { AccountPool } from '../../src/accounts/account-pool.js';
import { AccountReleasedError, isHandBackError } from '../../src/cluster/errors.js';
import { ManualClock } from '../batch/support/manual-clock.js';
import { flush, ScriptedAccount } from './support/scripted-account.js';

const CHANNELS = ['1300000000000000001', '1300000000000000002'];

function poolOf() {
  const clients = CHANNELS.map((c) => new ScriptedAccount(c));
  const pool = new AccountPool({
    clock: new ManualClock(),
    accounts: clients.map((generator, i) => ({
      id: `a${i + 1}`,
      generator,
      channelId: CHANNELS[i] as string,
      slots: 1,
      owned: false,
    })),
  });
  return { pool, clients };
}

describe('AccountPool eviction (a cluster worker lost the lease)', () => {
  it('aborts the attempts on the account with the reason, which the job rejects with; the others run on', async () => {
    const { pool, clients } = poolOf();
    const [c1, c2] = clients as [ScriptedAccount, ScriptedAccount];
    const onA1 = pool.imagine('p1');
    const onA2 = pool.imagine('p2');
    await flush();
    const [j1] = c1.pending;
    expect(j1?.options.signal?.aborted).toBe(false);

    const reason = new AccountReleasedError('a1', 'lost');
    const evicted = pool.evict('a1', reason);
    expect(pool.account('a1')?.slots.busy).toBe(1);
    // The client stops on its signal, whatever it throws: the pool answers with the reason.
    expect(j1?.options.signal?.aborted).toBe(true);
    j1?.fail(new Error('aborted'));
    await expect(onA1).rejects.toBe(reason);
    expect(isHandBackError(await onA1.catch((e: unknown) => e))).toBe(true);
    await evicted;
    expect(pool.has('a1')).toBe(false);

    c2.pending[0]?.succeed();
    await expect(onA2).resolves.toMatchObject({ accountId: 'a2' });
  });

  it('removes an account once however often it is asked, and never routes a new job to it', async () => {
    const { pool, clients } = poolOf();
    const [c1] = clients as [ScriptedAccount, ScriptedAccount];
    const running = pool.imagine('p1', { account: 'a1' });
    await flush();
    const first = pool.remove('a1');
    const second = pool.remove('a1');
    expect(second).toBe(first);
    const next = pool.imagine('p2');
    await flush();
    expect(c1.pending).toHaveLength(1);
    c1.pending[0]?.succeed();
    await running;
    await first;
    expect(pool.has('a1')).toBe(false);
    expect(clients[1]?.pending).toHaveLength(1);
    clients[1]?.pending[0]?.succeed();
    await next;
  });

  it('tells hand-back errors from outcomes through the cause chain', () => {
    expect(isHandBackError(new Error('x', { cause: new AccountReleasedError('a1', 'shed') }))).toBe(true);
    expect(isHandBackError({ code: 'LEASE_LOST' })).toBe(true);
    expect(isHandBackError({ code: 'CREDITS_EXHAUSTED' })).toBe(false);
    expect(isHandBackError(undefined)).toBe(false);
  });
});
