/**
 * A job no account of this worker can take: handed back when another worker's account can take
 * it, failed at once when no account of the cluster can (unknown, disabled: as one process fails
 * it), and after a bounded wait when the accounts that could are driven by no worker — never
 * retried every 5 s forever.
 */
import { describe, expect, it } from 'vitest';
import { NoAccountAvailableError } from '../../src/accounts/errors.js';
import type { AccountStateStore } from '../../src/cluster/account-state-store.js';
import type { AccountConfig } from '../../src/config/accounts.js';
import {
  type ClusterAccountFacts,
  judgeUnserved,
  type UnservedInput,
  UnservedJobs,
} from '../../src/service/cluster/unserved-jobs.js';
import { ManualClock } from './manual-clock.js';

const ACCOUNTS = [
  { id: 'a1', mode: 'fast' },
  { id: 'a2', mode: 'fast' },
  { id: 'r1', mode: 'relax' },
] as const;

const facts = (over: Partial<ClusterAccountFacts> = {}): ClusterAccountFacts => ({
  disabled: false,
  reason: null,
  holder: 'w2',
  ...over,
});

function input(over: Partial<UnservedInput>): UnservedInput {
  return {
    request: {},
    accounts: ACCOUNTS,
    heldHere: (id) => id === 'a1',
    cluster: new Map([
      ['a1', facts({ holder: 'w1' })],
      ['a2', facts()],
      ['r1', facts({ holder: 'w3' })],
    ]),
    waitedMs: 0,
    waitMs: 60_000,
    ...over,
  };
}

describe('judgeUnserved', () => {
  it.each([
    ['pinned to an account another worker drives', { request: { account: 'a2' } }, 'hand-back', ''],
    ['any account, others drive some', {}, 'hand-back', ''],
    [
      'pinned to an account the cluster does not have',
      { request: { account: 'zz' } },
      'fail',
      'zz: not an account of the cluster',
    ],
    [
      'pinned to an account disabled cluster-wide',
      {
        request: { account: 'a2' },
        cluster: new Map([['a2', facts({ disabled: true, reason: 'credits-exhausted', holder: 'w2' })]]),
      },
      'fail',
      'a2: disabled (credits-exhausted)',
    ],
    [
      'pinned to the account held here (its own pool already said no)',
      { request: { account: 'a1' } },
      'refused-here',
      '',
    ],
    [
      'fast mode: a1 held here refused it, a2 disabled elsewhere',
      {
        request: { mode: 'fast' as const },
        localReasons: ['a1: disabled (credits-exhausted)'],
        cluster: new Map([['a2', facts({ disabled: true, reason: 'manual' })]]),
      },
      'fail',
      'a1: disabled (credits-exhausted)',
    ],
    [
      'relax mode, the relax account disabled',
      {
        request: { mode: 'relax' as const },
        cluster: new Map([['r1', facts({ disabled: true, reason: 'manual' })]]),
      },
      'fail',
      'r1: disabled (manual)',
    ],
    [
      'pinned to an enabled account no worker leases, within the wait',
      { request: { account: 'a2' }, cluster: new Map([['a2', facts({ holder: null })]]), waitedMs: 59_999 },
      'wait',
      '',
    ],
    [
      'pinned to an enabled account no worker leases, past the wait',
      { request: { account: 'a2' }, cluster: new Map([['a2', facts({ holder: null })]]), waitedMs: 60_000 },
      'fail',
      'a2: no worker drives it (waited 60 s)',
    ],
  ] as const)('%s: %s', (_label, over, verdict, reason) => {
    const answer = judgeUnserved(input(over as Partial<UnservedInput>));
    expect(answer.verdict).toBe(verdict);
    if (answer.verdict === 'fail') {
      expect(answer.error).toBeInstanceOf(NoAccountAvailableError);
      expect(answer.error.code).toBe('NO_ACCOUNT_AVAILABLE');
      expect(answer.error.reasons).toContain(reason);
    }
  });
});

describe('UnservedJobs', () => {
  const config = (id: string, enabled = true): AccountConfig =>
    ({ id, mode: 'fast', enabled }) as unknown as AccountConfig;

  function withCluster(
    read: Map<
      string,
      { state: { state: 'enabled' | 'disabled'; reason: string | null } | null; holder: string | null }
    >,
  ) {
    const states = { read: async () => read } as unknown as AccountStateStore;
    const clock = new ManualClock();
    const jobs = new UnservedJobs({
      states,
      accounts: [config('a1'), config('a2'), config('off', false)],
      heldHere: (id) => id === 'a1',
      waitMs: 10_000,
      refreshMs: 60_000,
      clock,
    });
    return { jobs, clock };
  }

  it('hands a job pinned to an unleased account back for the bounded wait, then fails it; another job waits its own', async () => {
    const { jobs, clock } = withCluster(new Map([['a2', { state: null, holder: null }]]));
    await jobs.start();
    const pinned = new NoAccountAvailableError('account "a2"', [], { account: 'a2' });
    expect(jobs.decide(pinned, 'job-1')).toBe(true);
    await clock.advance(9_999);
    expect(jobs.decide(pinned, 'job-1')).toBe(true);
    expect(jobs.decide(pinned, 'job-2')).toBe(true);
    await clock.advance(1);
    const failed = jobs.decide(pinned, 'job-1');
    expect(failed).toBeInstanceOf(NoAccountAvailableError);
    expect((failed as NoAccountAvailableError).message).toContain('a2: no worker drives it');
    expect(jobs.decide(pinned, 'job-2')).toBe(true);
    jobs.close();
  });

  it('fails at once a job pinned to an account disabled in the file (never enabled since) or in Redis', async () => {
    const { jobs } = withCluster(
      new Map([
        ['a2', { state: { state: 'disabled', reason: 'banned' }, holder: 'w2' }],
        ['off', { state: null, holder: null }],
      ]),
    );
    await jobs.start();
    const a2 = jobs.decide(new NoAccountAvailableError('account "a2"', [], { account: 'a2' }), 'j1');
    expect((a2 as Error).message).toContain('a2: disabled (banned)');
    const off = jobs.decide(new NoAccountAvailableError('account "off"', [], { account: 'off' }), 'j2');
    expect((off as Error).message).toContain('off: disabled (manual)');
    // Pinned to the account held here: the pool's own refusal is the outcome, as in one process.
    const own = new NoAccountAvailableError('account "a1"', ['a1: disabled (banned)'], { account: 'a1' });
    expect(jobs.decide(own, 'j3')).toBe(own);
    jobs.close();
  });

  it('reads Redis only when jobs ask, and judges nothing on a view too old: it hands back and reads again', async () => {
    const read = new Map([['a2', { state: { state: 'disabled' as const, reason: 'banned' }, holder: null }]]);
    let reads = 0;
    const states = {
      read: async () => {
        reads += 1;
        return read;
      },
    } as unknown as AccountStateStore;
    const clock = new ManualClock();
    const jobs = new UnservedJobs({
      states,
      accounts: [config('a1'), config('a2')],
      heldHere: (id) => id === 'a1',
      refreshMs: 1_000,
      clock,
    });
    await jobs.start();
    expect(reads).toBe(1);
    await clock.advance(5_000);
    expect(reads).toBe(1); // nothing read while nobody asks
    const pinned = new NoAccountAvailableError('account "a2"', [], { account: 'a2' });
    expect(jobs.decide(pinned, 'j1')).toBe(true); // a 5 s old view: not judged on
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    expect(jobs.decide(pinned, 'j1')).toBeInstanceOf(NoAccountAvailableError);
    jobs.close();
  });
});
