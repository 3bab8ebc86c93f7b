/**
 * A resumed job's tracker on the injected (fake) clock: silence becomes a verdict only once a
 * complete, successful read that started after the grace window was applied; failed reads keep
 * it unresolved until the deadline.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResumeUnresolvedError } from '../../src/generation/errors.js';
import { JobTracker, type ResumeWatch } from '../../src/generation/job-tracker.js';
import { JobNotFoundError } from '../../src/midjourney/errors.js';
import { systemClock } from '../../src/util/clock.js';
import { CHANNEL_ID, done, parsed, sf, uuid } from './fixtures.js';

/** A channel whose reads fail until `recover()`; each successful read then covers up to now. */
function channel() {
  let healthy = false;
  let waiters: { since: number; resolve: () => void }[] = [];
  const read = () => {
    if (!healthy) return;
    const now = Date.now();
    const ready = waiters.filter((w) => w.since <= now);
    waiters = waiters.filter((w) => w.since > now);
    for (const w of ready) w.resolve();
  };
  // A poll every second, as the poll loop would make them.
  const loop = setInterval(read, 1_000);
  return {
    covered: (since: number, signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ since, resolve });
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    recover: () => {
      healthy = true;
    },
    stop: () => clearInterval(loop),
  };
}

function setup(reads: ReturnType<typeof channel>, timeoutMs = 60_000) {
  const notFound = vi.fn(
    (waitedMs: number) => new JobNotFoundError({ prompt: 'cat', message: `${waitedMs}` }),
  );
  const unresolved = vi.fn((waitedMs: number) => new ResumeUnresolvedError('cat', sf(99), waitedMs, 7));
  const resume: ResumeWatch = { graceMs: 10_000, covered: reads.covered, notFound, unresolved };
  const tracker = new JobTracker({
    ref: { id: 'job-1', kind: 'imagine', prompt: 'cat' },
    channelId: CHANNEL_ID,
    clock: systemClock,
    watcher: {
      settle: async (_channel, since, signal) => {
        if (since > Date.now()) await systemClock.sleep(since - Date.now(), signal);
      },
      seesEphemeral: () => false,
    },
    timeoutMs,
    queuedTimeoutMs: 120_000,
    confirmWindowMs: 3_000,
    notSeenTimeoutMs: 0,
    throwOnQueued: false,
    hooks: { started: vi.fn(), progress: vi.fn(), queued: vi.fn(), debug: vi.fn() },
    resume,
  });
  tracker.start(Date.now());
  const outcome = tracker.result.then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { tracker, outcome, notFound, unresolved };
}

describe('a resumed job', () => {
  let reads: ReturnType<typeof channel>;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    reads = channel();
  });
  afterEach(() => {
    reads.stop();
    vi.useRealTimers();
  });

  it('is not found once a successful read after the grace window shows nothing of it', async () => {
    reads.recover();
    const { tracker, outcome, notFound } = setup(reads);
    // The window ends at 10 s; the first read that starts after it is the one at 11 s.
    await vi.advanceTimersByTimeAsync(10_999);
    expect(tracker.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await outcome).error).toBeInstanceOf(JobNotFoundError);
    expect(notFound).toHaveBeenCalledExactlyOnceWith(11_000);
  });

  it('stays unresolved while reads fail, and is decided once they recover', async () => {
    const { tracker, outcome, notFound, unresolved } = setup(reads);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(tracker.settled).toBe(false);
    expect(notFound).not.toHaveBeenCalled();
    reads.recover();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await outcome).error).toBeInstanceOf(JobNotFoundError);
    expect(unresolved).not.toHaveBeenCalled();
  });

  it('follows the job when its messages appear once reads recover', async () => {
    const { tracker, outcome, notFound } = setup(reads);
    await vi.advanceTimersByTimeAsync(30_000);
    const result = done(sf(20), 'cat', uuid(1));
    tracker.handle({
      type: 'message',
      message: result,
      parsed: parsed(result),
      first: true,
      reason: 'text',
      source: 'poll',
    });
    reads.recover();
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await outcome).result?.messageId).toBe(sf(20));
    expect(notFound).not.toHaveBeenCalled();
  });

  it('ends unresolved at the hard deadline when reads never recover: never "not found"', async () => {
    const { outcome, notFound, unresolved } = setup(reads, 60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(ResumeUnresolvedError);
    expect(error).toMatchObject({ code: 'RESUME_UNRESOLVED', safeToResend: false });
    expect(unresolved).toHaveBeenCalledExactlyOnceWith(60_000);
    expect(notFound).not.toHaveBeenCalled();
  });
});
