import { describe, expect, it } from 'vitest';
import { AccountPool } from '../../src/accounts/account-pool.js';
import { NoAccountAvailableError } from '../../src/accounts/errors.js';
import type { PoolAccountInit } from '../../src/accounts/types.js';
import { TokenInvalidError } from '../../src/discord/rest/errors.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import {
  AccountError,
  CreditsExhaustedError,
  JobTimeoutError,
  QueueFullError,
} from '../../src/midjourney/errors.js';
import { ManualClock } from '../batch/support/manual-clock.js';
import { flush, ScriptedAccount } from './support/scripted-account.js';

const CHANNELS = ['1300000000000000001', '1300000000000000002', '1300000000000000003'];

function poolOf(count: number, over: (i: number) => Partial<PoolAccountInit> = () => ({})) {
  const clock = new ManualClock();
  const clients = CHANNELS.slice(0, count).map((c) => new ScriptedAccount(c));
  const pool = new AccountPool({
    clock,
    accounts: clients.map((generator, i) => ({
      id: `a${i + 1}`,
      generator,
      channelId: CHANNELS[i] as string,
      slots: 2,
      ...over(i),
    })),
  });
  return { pool, clients, clock };
}

const busy = (pool: AccountPool): Record<string, number> =>
  Object.fromEntries(pool.accounts().map((a) => [a.id, a.slots.busy]));

describe('AccountPool routing', () => {
  it('spreads jobs least busy first and queues them FIFO when every slot is busy', async () => {
    const { pool, clients } = poolOf(2);
    const results = ['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => pool.imagine(p));
    await flush();
    expect(busy(pool)).toEqual({ a1: 2, a2: 2 });
    expect(clients[0]?.jobs.map((j) => j.prompt)).toEqual(['p1', 'p3']);
    expect(clients[1]?.jobs.map((j) => j.prompt)).toEqual(['p2', 'p4']);
    expect(pool.waiting).toBe(1);
    clients[1]?.jobs[0]?.succeed();
    await flush();
    expect(clients[1]?.jobs.map((j) => j.prompt)).toEqual(['p2', 'p4', 'p5']);
    const first = await results[1];
    expect(first?.accountId).toBe('a2');
  });

  it('honours an explicit account and a mode, and refuses what no account can serve', async () => {
    const { pool, clients } = poolOf(2, (i) => (i === 1 ? { mode: 'relax' } : {}));
    void pool.imagine('mine', { account: 'a2' });
    void pool.imagine('slow', { mode: 'relax' });
    await flush();
    expect(clients[1]?.jobs.map((j) => j.prompt)).toEqual(['mine', 'slow']);
    await expect(pool.imagine('x', { account: 'zz' })).rejects.toBeInstanceOf(NoAccountAvailableError);
    await expect(pool.imagine('x', { mode: 'turbo' })).rejects.toThrow(/mode turbo/);
  });

  it('hands the caller a ticket naming the account, and resumes on the account of the channel', async () => {
    const { pool, clients } = poolOf(3);
    const tickets: SubmissionTicket[] = [];
    void pool.imagine('p', { account: 'a3', onSubmit: (t) => void tickets.push(t) });
    await flush();
    expect(tickets[0]).toMatchObject({ accountId: 'a3', channelId: CHANNELS[2] });
    const resumed = pool.resume({ ...(tickets[0] as SubmissionTicket), accountId: undefined as never });
    await flush();
    expect(clients[2]?.jobs.map((j) => j.kind)).toEqual(['imagine', 'resume']);
    clients[2]?.jobs[1]?.succeed();
    expect((await resumed).accountId).toBe('a3');
    await expect(
      pool.resume({ ...(tickets[0] as SubmissionTicket), channelId: '1399999999999999999' }),
    ).rejects.toBeInstanceOf(NoAccountAvailableError);
  });

  it('presses buttons on the account that ran the source job', async () => {
    const { pool, clients } = poolOf(2);
    const grid = pool.imagine('p', { account: 'a2' });
    await flush();
    clients[1]?.jobs[0]?.succeed();
    const result = await grid;
    void pool.act(result, 'U1', { account: 'a1' });
    await flush();
    expect(clients[1]?.jobs.map((j) => j.kind)).toEqual(['imagine', 'act']);
    expect(clients[0]?.jobs).toHaveLength(0);
  });

  it('forwards events with the account in the job id and the ticket', async () => {
    const { pool } = poolOf(2);
    const seen: string[] = [];
    pool.on('submitted', (job, ticket) => seen.push(`${job.id} ${ticket.accountId}`));
    void pool.imagine('p');
    await flush();
    expect(seen).toEqual(['a1/job-1 a1']);
  });
});

describe('AccountPool health', () => {
  it('disables an account on credits exhausted, moves the refused job once, and sends it nothing more', async () => {
    const { pool, clients, clock } = poolOf(3);
    const changes: string[] = [];
    pool.on('account', (view, change) => changes.push(`${view.id} ${change}`));
    const job = pool.imagine('p');
    await flush();
    clients[0]?.jobs[0]?.fail(new CreditsExhaustedError({ prompt: 'p' }));
    await flush();
    expect(clients[1]?.jobs.map((j) => j.prompt)).toEqual(['p']);
    expect(pool.account('a1')).toMatchObject({
      state: 'disabled',
      disabledReason: 'credits-exhausted',
      disabledAt: clock.now(),
    });
    expect(changes).toEqual(['a1 disabled']);
    clients[1]?.jobs[0]?.succeed();
    expect((await job).accountId).toBe('a2');
    for (const p of ['q1', 'q2', 'q3', 'q4']) void pool.imagine(p);
    await flush();
    expect(clients[0]?.jobs).toHaveLength(1);
    expect(pool.capacity).toBe(4);
  });

  it('stops a job not yet sent when its account is disabled, and routes it again for free', async () => {
    const { pool, clients } = poolOf(3);
    let open = (): void => {};
    (clients[0] as ScriptedAccount).gate = new Promise((resolve) => {
      open = resolve;
    });
    const tickets: SubmissionTicket[] = [];
    const job = pool.imagine('p', { onSubmit: (t) => void tickets.push(t) });
    await flush();
    pool.disable('a1');
    open();
    await flush();
    expect(clients[0]?.jobs).toHaveLength(0);
    expect(tickets.map((t) => t.accountId)).toEqual(['a2']);
    // Not its one move: a refusal on a2 still moves it to a3.
    clients[1]?.jobs[0]?.fail(new QueueFullError({ prompt: 'p' }));
    await flush();
    clients[2]?.jobs[0]?.succeed();
    expect((await job).accountId).toBe('a3');
  });

  it('moves a refused job only once', async () => {
    const { pool, clients } = poolOf(3);
    const job = pool.imagine('p');
    await flush();
    clients[0]?.jobs[0]?.fail(new QueueFullError({ prompt: 'p' }));
    await flush();
    clients[1]?.jobs[0]?.fail(new QueueFullError({ prompt: 'p', notice: 'second' }));
    await expect(job).rejects.toThrow(/second/);
    expect(clients[2]?.jobs).toHaveLength(0);
    expect(pool.accounts().every((a) => a.state === 'enabled')).toBe(true);
  });

  it('never sends a job that may have started again', async () => {
    const { pool, clients } = poolOf(2);
    const job = pool.imagine('p');
    await flush();
    clients[0]?.jobs[0]?.fail(new JobTimeoutError({ prompt: 'p', timeoutMs: 1 } as never));
    await expect(job).rejects.toBeDefined();
    expect(clients[1]?.jobs).toHaveLength(0);
  });

  it('disables on a 401 and moves the job when nothing was sent', async () => {
    const { pool, clients } = poolOf(2);
    clients[0]?.refusals.push(new TokenInvalidError('GET /users/@me'));
    const job = pool.imagine('p');
    await flush();
    expect(pool.account('a1')).toMatchObject({ state: 'disabled', disabledReason: 'token-invalid' });
    expect(clients[1]?.jobs.map((j) => j.prompt)).toEqual(['p']);
    clients[1]?.jobs[0]?.succeed();
    expect((await job).accountId).toBe('a2');
  });

  it('does not move a job pinned to its account', async () => {
    const { pool, clients } = poolOf(2);
    const job = pool.imagine('p', { account: 'a1' });
    await flush();
    clients[0]?.jobs[0]?.fail(new AccountError({ prompt: 'p', reason: 'blocked' }));
    await expect(job).rejects.toBeInstanceOf(AccountError);
    expect(clients[1]?.jobs).toHaveLength(0);
    expect(pool.account('a1')?.disabledReason).toBe('blocked');
  });

  it('fails waiting jobs that no account can serve any more, with the original refusal', async () => {
    const { pool, clients } = poolOf(1);
    const job = pool.imagine('p');
    await flush();
    clients[0]?.jobs[0]?.fail(new AccountError({ prompt: 'p', reason: 'subscription-required' }));
    await expect(job).rejects.toBeInstanceOf(AccountError);
    await expect(pool.imagine('q')).rejects.toThrow(/a1: disabled \(subscription-required\)/);
  });

  it('falls back to relax: the account keeps relax-tolerant jobs, with --relax', async () => {
    const { pool, clients } = poolOf(2, () => ({ onCreditsExhausted: 'relax', slots: 1 }));
    const job = pool.imagine('p');
    await flush();
    clients[0]?.jobs[0]?.fail(new CreditsExhaustedError({ prompt: 'p' }));
    await flush();
    expect(pool.account('a1')).toMatchObject({ state: 'enabled', mode: 'relax', configuredMode: 'fast' });
    // Moved once to a2; a1 now takes jobs without a mode, or asking for relax, in relax mode.
    void pool.imagine('q');
    void pool.imagine('fast one', { mode: 'fast' });
    await flush();
    expect(clients[0]?.jobs.map((j) => j.prompt)).toEqual(['p', 'q --relax']);
    clients[1]?.jobs[0]?.succeed();
    expect((await job).prompt).toBe('p');
    await flush();
    expect(clients[1]?.jobs.map((j) => j.prompt)).toEqual(['p', 'fast one']);
  });

  it('is enabled and disabled by hand, lifting the client halt', async () => {
    const { pool, clients } = poolOf(2);
    pool.disable('a1');
    void pool.imagine('p');
    await flush();
    expect(clients[0]?.jobs).toHaveLength(0);
    expect(pool.account('a1')).toMatchObject({ disabledReason: 'manual' });
    pool.enable('a1');
    expect(clients[0]?.resumedSubmissions).toBe(1);
    void pool.imagine('q');
    await flush();
    expect(clients[0]?.jobs.map((j) => j.prompt)).toEqual(['q']);
    expect(() => pool.enable('zz')).toThrow(/No account "zz"/);
  });

  it('keeps a daily cap per account', async () => {
    const { pool, clients, clock } = poolOf(2, (i) => (i === 0 ? { dailyJobCap: 1 } : {}));
    void pool.imagine('p1', { account: 'a1' });
    await flush();
    clients[0]?.jobs[0]?.succeed();
    await flush();
    expect(pool.account('a1')?.jobsToday).toBe(1);
    await expect(pool.imagine('p2', { account: 'a1' })).rejects.toThrow(/daily cap/);
    clock.advance(86_400_001);
    void pool.imagine('p3', { account: 'a1' });
    await flush();
    expect(clients[0]?.jobs).toHaveLength(2);
  });
});

describe('AccountPool membership', () => {
  it('adds accounts at runtime (queued jobs start on them) and removes one after its jobs end', async () => {
    const { pool, clients } = poolOf(1, () => ({ slots: 1 }));
    void pool.imagine('p1');
    void pool.imagine('p2');
    await flush();
    expect(pool.waiting).toBe(1);
    const extra = new ScriptedAccount(CHANNELS[2] as string);
    pool.add({ id: 'b', generator: extra, channelId: CHANNELS[2] as string, slots: 1 });
    await flush();
    expect(extra.jobs.map((j) => j.prompt)).toEqual(['p2']);
    let removed = false;
    const removing = pool.remove('a1').then(() => {
      removed = true;
    });
    await flush();
    expect(removed).toBe(false);
    clients[0]?.jobs[0]?.succeed();
    await removing;
    expect(clients[0]?.closed).toBe(true);
    expect(pool.accounts().map((a) => a.id)).toEqual(['b']);
  });

  it('rejects waiting jobs on close and closes the clients it owns', async () => {
    const { pool, clients } = poolOf(1, () => ({ slots: 1 }));
    void pool.imagine('p1');
    const waiting = pool.imagine('p2');
    await flush();
    await pool.close();
    await expect(waiting).rejects.toMatchObject({ code: 'GENERATOR_CLOSED' });
    expect(clients[0]?.closed).toBe(true);
  });

  it('never reports a token', () => {
    const { pool } = poolOf(1);
    expect(JSON.stringify(pool.accounts())).not.toMatch(/token/i);
  });
});
