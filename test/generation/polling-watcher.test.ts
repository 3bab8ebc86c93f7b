import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenInvalidError } from '../../src/discord/rest/errors.js';
import type { APIMessage, GetMessagesQuery } from '../../src/discord/types.js';
import type { JobEvent } from '../../src/generation/channel-watcher.js';
import { PollingWatcher } from '../../src/generation/polling-watcher.js';
import { systemClock } from '../../src/util/clock.js';
import { CHANNEL_ID, job, message, sf, USER_ID, waiting } from './fixtures.js';

interface Call {
  at: number;
  query: GetMessagesQuery;
  urgent: boolean | undefined;
}

function setup(
  answer: (query: GetMessagesQuery) => APIMessage[] | Promise<APIMessage[]> = () => [],
  options: { confirmReadGapMs?: number } = {},
) {
  const calls: Call[] = [];
  const randoms = [0, 1, 0.5, 0.25];
  let r = 0;
  const watcher = new PollingWatcher({
    api: {
      getMessages: async (_channel, query = {}, requestOptions = {}) => {
        calls.push({ at: Date.now(), query, urgent: requestOptions.urgent });
        return answer(query);
      },
    },
    clock: systemClock,
    random: () => randoms[r++ % randoms.length] ?? 0,
    pollMinMs: 3_000,
    pollMaxMs: 5_000,
    pageLimit: 100,
    maxPagesPerPoll: 3,
    userId: () => USER_ID,
    ...options,
  });
  const register = (id: string, catchUp = false) => {
    const events: JobEvent[] = [];
    const registration = watcher.register({
      channelId: CHANNEL_ID,
      correlation: job({
        id,
        prompt: `prompt ${id}`,
        afterMessageId: sf(Number(id.replace(/\D/g, '')) || 1),
      }),
      sink: (e) => events.push(e),
      catchUp,
    });
    return { registration, events };
  };
  return { watcher, calls, register };
}

describe('PollingWatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls a channel once per uniformly jittered 3–5 s interval, whatever the number of jobs', async () => {
    const { watcher, calls, register } = setup();
    const jobs = Array.from({ length: 10 }, (_, i) => register(`j${i + 1}`));
    await vi.advanceTimersByTimeAsync(20_000);
    // Waits drawn from random 0, 1, 0.5, 0.25, 0, 1: 3000, 5000, 4000, 3500, 3000 -> polls at 3000, 8000, 12000, 15500, 18500.
    expect(calls.map((c) => c.at)).toEqual([3_000, 8_000, 12_000, 15_500, 18_500]);
    expect(calls[0]?.query).toEqual({ after: sf(1), limit: 100 });
    // Polls settle jobs already sent: the limiter lets them go before a new job's send.
    expect(calls.every((c) => c.urgent === true)).toBe(true);
    expect(watcher.stats()).toMatchObject({ pollingChannels: 1, jobs: 10, polls: 5 });
    for (const j of jobs) j.registration.dispose();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls).toHaveLength(5);
    expect(watcher.stats()).toMatchObject({ pollingChannels: 0, jobs: 0 });
  });

  it('stops polling when no job is in flight and starts again with the next one', async () => {
    const { calls, register } = setup();
    register('j1').registration.dispose();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(0);
    register('j2');
    // The first loop drew 3 s before it stopped; the new one draws 5 s.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.map((c) => c.at)).toEqual([15_000]);
  });

  it('looks at once for a job that asks to catch up (resume), then keeps the interval', async () => {
    const { calls, register } = setup();
    register('j1');
    await vi.advanceTimersByTimeAsync(1_000);
    register('j2', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.at)).toEqual([1_000]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.map((c) => c.at)).toEqual([1_000, 6_000]);
  });

  it('delivers messages to their job and settles once a poll started after the given time is applied', async () => {
    const { watcher, register } = setup(() => [waiting(sf(10), 'prompt j1')]);
    const { events } = register('j1');
    let settled = false;
    void watcher.settle(CHANNEL_ID, 4_000).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(events.map((e) => e.type)).toEqual(['message']);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(settled).toBe(true);
  });

  it('brings the read that ends a confirmation window forward, no closer than confirmReadGapMs to the last poll', async () => {
    const { watcher, calls, register } = setup(() => [], { confirmReadGapMs: 1_000 });
    register('j1');
    // First poll at 3,000 (random 0); a window that ends at 3,200 is answered at 4,000, not at 8,000.
    await vi.advanceTimersByTimeAsync(3_200);
    let settledAt: number | undefined;
    void watcher.settle(CHANNEL_ID, 3_200).then(() => {
      settledAt = Date.now();
    });
    await vi.advanceTimersByTimeAsync(799);
    expect(calls.map((c) => c.at)).toEqual([3_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.at)).toEqual([3_000, 4_000]);
    expect(settledAt).toBe(4_000);
    // The loop then waits a whole interval again (the next draw, 0.5: 4 s), so reads stay about
    // one per interval.
    await vi.advanceTimersByTimeAsync(3_999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.at)).toEqual([3_000, 4_000, 8_000]);
  });

  it('without confirmReadGapMs brings the read forward no closer than pollMinMs', async () => {
    const { watcher, calls, register } = setup();
    register('j1');
    await vi.advanceTimersByTimeAsync(3_200);
    void watcher.settle(CHANNEL_ID, 3_200);
    await vi.advanceTimersByTimeAsync(2_799);
    expect(calls.map((c) => c.at)).toEqual([3_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.at)).toEqual([3_000, 6_000]);
  });

  it('pages forward through a busy channel, at most maxPagesPerPoll requests per poll', async () => {
    const page = (from: number) =>
      Array.from({ length: 100 }, (_, i) => waiting(sf(from + i), 'noise from others'));
    const { calls, register } = setup((q) =>
      page(Number(BigInt(q.after ?? '0') - 1_300_000_000_000_000_000n) + 1),
    );
    register('j1');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls.map((c) => c.query.after)).toEqual([sf(1), sf(101), sf(201)]);
  });

  it('keeps polling after a failed poll (the next wait doubled), and fails every job when the token is refused', async () => {
    let fail: Error | undefined = new Error('socket hang up');
    const { calls, register } = setup(() => {
      if (fail) throw fail;
      return [];
    });
    const { events } = register('j1');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(events).toEqual([]);
    fail = new TokenInvalidError('/channels/1/messages');
    // The jittered 5 s, doubled after one failure.
    await vi.advanceTimersByTimeAsync(9_999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(events).toEqual([{ type: 'fatal', error: fail }]);
  });

  it('counts only a complete, successful read as covering the channel; failed reads back off, bounded', async () => {
    let failing = 3;
    const { watcher, calls, register } = setup(() => {
      if (failing > 0) {
        failing -= 1;
        throw new Error('503 Service Unavailable');
      }
      return [];
    });
    register('j1');
    let covered = false;
    void watcher.covered(CHANNEL_ID, 0).then(() => {
      covered = true;
    });
    // Waits: 3 s (random 0), then failures double the jittered wait up to x4: 5 s x2, 4 s x4, 3.5 s x4.
    await vi.advanceTimersByTimeAsync(3_000 + 10_000 + 16_000);
    expect(calls.map((c) => c.at)).toEqual([3_000, 13_000, 29_000]);
    expect(covered).toBe(false);
    expect(watcher.readFailures(CHANNEL_ID)).toMatchObject({ count: 3 });
    await vi.advanceTimersByTimeAsync(14_000);
    expect(calls.at(-1)?.at).toBe(43_000);
    expect(covered).toBe(true);
    // Success resets the backoff: the next wait is a plain jittered one (random 0 -> 3 s).
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls.at(-1)?.at).toBe(46_000);
  });

  it('never counts a read cut short by maxPagesPerPoll as covering the channel', async () => {
    const page = (from: number) =>
      Array.from({ length: 100 }, (_, i) => waiting(sf(from + i), 'noise from others'));
    const { watcher, register } = setup((q) =>
      page(Number(BigInt(q.after ?? '0') - 1_300_000_000_000_000_000n) + 1),
    );
    register('j1');
    let covered = false;
    void watcher.covered(CHANNEL_ID, 0).then(() => {
      covered = true;
    });
    let settled = false;
    void watcher.settle(CHANNEL_ID, 0).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(settled).toBe(true);
    expect(covered).toBe(false);
  });

  it('reads further while a complete read is awaited (a resumed job far behind), so a busy channel can be covered', async () => {
    // 1,050 messages after the floor: 11 pages; the everyday bound is 3.
    const page = (from: number) =>
      Array.from({ length: Math.max(0, Math.min(100, 1_051 - from)) }, (_, i) =>
        waiting(sf(from + i), 'noise from others'),
      );
    const { watcher, calls, register } = setup((q) =>
      page(Number(BigInt(q.after ?? '0') - 1_300_000_000_000_000_000n) + 1),
    );
    register('j1');
    let covered = false;
    void watcher.covered(CHANNEL_ID, 0).then(() => {
      covered = true;
    });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls).toHaveLength(11);
    expect(covered).toBe(true);
    // Nobody waits any more: the next poll is back to 3 pages.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(14);
  });

  it('takes a malformed message list for a failed poll, never for the deletion of every message', async () => {
    let answer: unknown = [waiting(sf(10), 'prompt j1')];
    const { calls, register } = setup(() => answer as APIMessage[]);
    const { events } = register('j1');
    const nextPoll = async (): Promise<void> => {
      const before = calls.length;
      while (calls.length === before) await vi.advanceTimersByTimeAsync(500);
    };
    await vi.advanceTimersByTimeAsync(3_000);
    expect(events.map((e) => e.type)).toEqual(['message']);
    // A 200 whose JSON was cut short comes back as text; an array of junk is no better.
    for (const junk of ['[{"id":"13000000000000', [{ content: 'no id' }]]) {
      answer = junk;
      await nextPoll(); // the failure backoff decides when
    }
    expect(calls).toHaveLength(3);
    expect(events.map((e) => e.type)).toEqual(['message']);
    answer = [];
    await nextPoll(); // the failure backoff decides when
    expect(events.map((e) => e.type)).toEqual(['message', 'deleted']);
  });

  describe("a submission's snapshot (lastMessageId)", () => {
    const readOnce = () => {
      const reads: number[] = [];
      const read = async (): Promise<string | null> => {
        reads.push(Date.now());
        return sf(999);
      };
      return { reads, read };
    };

    it('reads the newest message itself when the channel is not polled for anyone', async () => {
      const { watcher, calls } = setup();
      const { reads, read } = readOnce();
      await expect(watcher.lastMessageId(CHANNEL_ID, read)).resolves.toBe(sf(999));
      expect(reads).toHaveLength(1);
      expect(calls).toHaveLength(0);
    });

    it('brings the next poll forward and takes its newest message, then waits a full interval again', async () => {
      const { watcher, calls, register } = setup(() => [waiting(sf(12), 'prompt j1'), message(sf(15))]);
      const { events } = register('j1');
      await vi.advanceTimersByTimeAsync(1_000);
      const { reads, read } = readOnce();
      await expect(watcher.lastMessageId(CHANNEL_ID, read)).resolves.toBe(sf(15));
      // One call, which was also the poll for the job in flight: no separate read.
      expect(reads).toEqual([]);
      expect(calls.map((c) => c.at)).toEqual([1_000]);
      expect(calls[0]?.query).toEqual({ after: sf(1), limit: 100 });
      expect(events.map((e) => e.type)).toEqual(['message']);
      // The loop's next wait starts from this poll (the second draw, 1 -> 5 s), not the first one's
      // 3 s, cut short by the snapshot.
      await vi.advanceTimersByTimeAsync(4_999);
      expect(calls.map((c) => c.at)).toEqual([1_000]);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls.map((c) => c.at)).toEqual([1_000, 6_000]);
    });

    it('takes a complete poll that started at most snapshotReuseMs (1 s) ago without reading again', async () => {
      let newest = 20;
      const { watcher, calls, register } = setup(() => [message(sf(newest))]);
      register('j1');
      await vi.advanceTimersByTimeAsync(3_000);
      expect(calls.map((c) => c.at)).toEqual([3_000]);
      newest = 21;
      const { reads, read } = readOnce();
      await vi.advanceTimersByTimeAsync(1_000);
      await expect(watcher.lastMessageId(CHANNEL_ID, read)).resolves.toBe(sf(20));
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect(watcher.lastMessageId(CHANNEL_ID, read)).resolves.toBe(sf(21));
      expect(calls.map((c) => c.at)).toEqual([3_000, 4_001]);
      expect(reads).toEqual([]);
    });

    it('waits for a poll that started this very millisecond rather than polling again right behind it', async () => {
      let answer: (messages: APIMessage[]) => void = () => undefined;
      const { watcher, calls, register } = setup(
        () => new Promise<APIMessage[]>((resolve) => (answer = resolve)),
      );
      register('j1');
      await vi.advanceTimersByTimeAsync(3_000);
      expect(calls.map((c) => c.at)).toEqual([3_000]);
      const { reads, read } = readOnce();
      const snapshot = watcher.lastMessageId(CHANNEL_ID, read);
      answer([message(sf(30))]);
      await expect(snapshot).resolves.toBe(sf(30));
      await vi.advanceTimersByTimeAsync(2_999);
      expect(calls).toHaveLength(1);
      expect(reads).toEqual([]);
    });

    it('takes the floor when nothing came after it (a complete, empty list)', async () => {
      const { watcher, register } = setup(() => []);
      register('j7');
      const { reads, read } = readOnce();
      await expect(watcher.lastMessageId(CHANNEL_ID, read)).resolves.toBe(sf(7));
      expect(reads).toEqual([]);
    });

    it('reads itself when the poll failed or was cut short: neither tells the newest message', async () => {
      let answer: (query: GetMessagesQuery) => APIMessage[] = () => {
        throw new Error('socket hang up');
      };
      const { watcher, calls, register } = setup((q) => answer(q));
      register('j1');
      const failed = readOnce();
      await expect(watcher.lastMessageId(CHANNEL_ID, failed.read)).resolves.toBe(sf(999));
      expect(failed.reads).toHaveLength(1);
      expect(calls).toHaveLength(1);
      // More than maxPagesPerPoll (3) pages of others' messages: the poll stops short of the newest.
      const page = (from: number) =>
        Array.from({ length: 100 }, (_, i) => waiting(sf(from + i), 'noise from others'));
      answer = (q) => page(Number(BigInt(q.after ?? '0') - 1_300_000_000_000_000_000n) + 1);
      const cut = readOnce();
      await expect(watcher.lastMessageId(CHANNEL_ID, cut.read)).resolves.toBe(sf(999));
      expect(cut.reads).toHaveLength(1);
      expect(calls).toHaveLength(4);
    });

    it('leaves the wait when the submission is cancelled', async () => {
      const { watcher, register } = setup(() => new Promise<APIMessage[]>(() => undefined));
      register('j1');
      const controller = new AbortController();
      const { read } = readOnce();
      const snapshot = watcher.lastMessageId(CHANNEL_ID, read, controller.signal);
      const outcome = snapshot.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      controller.abort(new Error('cancelled'));
      await expect(outcome).resolves.toEqual(new Error('cancelled'));
    });
  });
});
