import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountGuard, type AccountGuardOptions } from '../../src/generation/account-guard.js';
import { DailyCapReachedError } from '../../src/generation/errors.js';
import { Slots } from '../../src/generation/slots.js';
import { AccountError, HumanCheckError, QueueFullError } from '../../src/midjourney/errors.js';
import { systemClock } from '../../src/util/clock.js';

describe('Slots', () => {
  it('lets `limit` jobs run and queues the rest in FIFO order', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    const c = slots.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = slots.acquire().then((release) => {
      order.push('d');
      return release;
    });
    expect(slots.stats()).toEqual({ limit: 2, inUse: 2, waiting: 2 });
    b();
    b(); // releasing twice frees one slot only
    (await c)();
    a();
    await d;
    expect(order).toEqual(['c', 'd']);
    expect(slots.stats()).toEqual({ limit: 2, inUse: 1, waiting: 0 });
  });

  it('drops a waiter whose signal aborts', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(slots.stats().waiting).toBe(0);
    release();
    expect(slots.stats().inUse).toBe(0);
  });
});

describe('AccountGuard', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const guard = (options: Partial<AccountGuardOptions> = {}) =>
    new AccountGuard({
      clock: systemClock,
      random: () => 0.5,
      submitGapMinMs: 0,
      submitGapMaxMs: 0,
      dailyJobCap: 0,
      haltOnAccountNotice: true,
      ...options,
    });

  it('spaces submissions by a jittered gap, one at a time', async () => {
    const g = guard({ submitGapMinMs: 20_000, submitGapMaxMs: 40_000 });
    const admitted: number[] = [];
    const all = [1, 2, 3].map((i) => g.admit(`p${i}`).then(() => admitted.push(Date.now())));
    await vi.advanceTimersByTimeAsync(100_000);
    await Promise.all(all);
    expect(admitted).toEqual([0, 30_000, 60_000]);
  });

  it('refuses submissions beyond the daily cap until the oldest leaves the 24 h window', async () => {
    const g = guard({ dailyJobCap: 2 });
    await g.admit('a');
    await vi.advanceTimersByTimeAsync(1_000);
    await g.admit('b');
    expect(() => g.check('c')).toThrow(DailyCapReachedError);
    await expect(g.admit('c')).rejects.toMatchObject({
      code: 'DAILY_CAP_REACHED',
      cap: 2,
      retryAfter: 86_399_000,
    });
    await vi.advanceTimersByTimeAsync(86_399_000);
    await expect(g.admit('c')).resolves.toBeUndefined();
  });

  it('halts after an account-fatal notice: later prompts get the same kind of error, saying why', () => {
    const g = guard();
    g.observe(new QueueFullError({ prompt: 'a' }));
    expect(() => g.check('b')).not.toThrow();
    g.observe(new AccountError({ prompt: 'a', reason: 'blocked', notice: 'Blocked: you have been blocked' }));
    let error: unknown;
    try {
      g.check('b');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AccountError);
    expect(error).toMatchObject({ prompt: 'b', reason: 'blocked', code: 'ACCOUNT_NOTICE' });
    expect((error as Error).message).toMatch(
      /halted .* after "The Midjourney account cannot submit jobs \(blocked\)/,
    );
    g.resume();
    expect(() => g.check('c')).not.toThrow();
    g.observe(new HumanCheckError({ prompt: 'a', customId: 'MJ::iframe::x' }));
    expect(() => g.check('d')).toThrow(HumanCheckError);
  });

  it('does not halt when the option is off', () => {
    const g = guard({ haltOnAccountNotice: false });
    g.observe(new AccountError({ prompt: 'a', reason: 'blocked' }));
    expect(() => g.check('b')).not.toThrow();
  });
});
