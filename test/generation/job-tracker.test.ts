import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import type { JobEvent } from '../../src/generation/channel-watcher.js';
import { InferredPreModerationError } from '../../src/generation/errors.js';
import { JobTracker, type JobTrackerOptions } from '../../src/generation/job-tracker.js';
import {
  AccountError,
  CreditsExhaustedError,
  EphemeralModerationError,
  HumanCheckError,
  InvalidRequestError,
  JobFailedError,
  JobQueuedError,
  JobTimeoutError,
  OutputFilterError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
  UnknownOutcomeError,
} from '../../src/midjourney/errors.js';
import { systemClock } from '../../src/util/clock.js';
import { snowflakeFromTimestamp } from '../../src/util/snowflake.js';
import { CHANNEL_ID, done, message, notice, parsed, progress, sf, uuid, waiting } from './fixtures.js';

function setup(overrides: Partial<JobTrackerOptions> = {}, seesEphemeral = false) {
  const hooks = { started: vi.fn(), progress: vi.fn(), queued: vi.fn(), debug: vi.fn() };
  const tracker = new JobTracker({
    ref: { id: 'job-1', kind: 'imagine', prompt: 'cat' },
    channelId: CHANNEL_ID,
    clock: systemClock,
    // A watcher whose observations are continuous: reaching `since` is enough.
    watcher: {
      settle: async (_channel, since, signal) => {
        if (since > Date.now()) await systemClock.sleep(since - Date.now(), signal);
      },
      seesEphemeral: () => seesEphemeral,
    },
    timeoutMs: 60_000,
    queuedTimeoutMs: 120_000,
    confirmWindowMs: 3_000,
    notSeenTimeoutMs: 30_000,
    throwOnQueued: false,
    hooks,
    ...overrides,
  });
  tracker.start(Date.now());
  const send = (m: APIMessage) =>
    tracker.handle({
      type: 'message',
      message: m,
      parsed: parsed(m),
      first: true,
      reason: 'text',
      source: 'poll',
    });
  const remove = (m: APIMessage) =>
    tracker.handle({ type: 'deleted', messageId: m.id, lastSeen: parsed(m), source: 'poll' });
  const outcome = tracker.result.then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { tracker, hooks, send, remove, outcome };
}

describe('JobTracker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports start and progress, and resolves with the result only after the confirmation window', async () => {
    const { tracker, hooks, send, outcome } = setup();
    send(waiting(sf(10), 'cat'));
    await vi.advanceTimersByTimeAsync(1_000);
    send(progress(sf(10), 'cat', 46));
    await vi.advanceTimersByTimeAsync(1_000);
    send(done(sf(20), 'cat', uuid(1)));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(tracker.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { result } = await outcome;
    expect(hooks.started).toHaveBeenCalledExactlyOnceWith(sf(10));
    expect(hooks.progress).toHaveBeenCalledWith({
      percent: 46,
      messageId: sf(10),
      previewUrl: 'http://cdn/grid_0.png',
      mode: 'fast',
    });
    expect(result).toMatchObject({
      kind: 'imagine',
      jobId: uuid(1),
      messageId: sf(20),
      prompt: 'cat',
      echoedPrompt: 'cat',
      mode: 'fast',
      actions: { U1: `MJ::JOB::upsample::1::${uuid(1)}`, reroll: `MJ::JOB::reroll::0::${uuid(1)}::SOLO` },
      // Recognised at 2 s; resolved at 5 s after the window.
      timings: { submittedAt: 1_000_000, startedAt: 1_000_000, completedAt: 1_002_000, durationMs: 2_000 },
    });
    expect(result?.imageUrl).toMatch(new RegExp(`${uuid(1)}\\.png$`));
  });

  it("counts the window from the result's creation when a poll saw it late, and frees the slot at sight", async () => {
    const resultSeen = vi.fn();
    const { tracker, hooks, send, outcome } = setup();
    Object.assign(hooks, { resultSeen });
    // Posted 2 s before the poll that found it: 1 s of the window is left.
    send(done(snowflakeFromTimestamp(Date.now() - 2_000), 'cat', uuid(1)));
    expect(resultSeen).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(999);
    expect(tracker.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await outcome).result?.jobId).toBe(uuid(1));
  });

  it('over the gateway counts the window from the dispatch, whatever the snowflake says (clock skew)', async () => {
    const { tracker } = setup();
    const m = done(snowflakeFromTimestamp(Date.now() - 2_000), 'cat', uuid(1));
    tracker.handle({
      type: 'message',
      message: m,
      parsed: parsed(m),
      first: true,
      reason: 'nonce',
      source: 'gateway',
    });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(tracker.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(tracker.settled).toBe(true);
  });

  it('reports a result deleted inside the window as ephemeral moderation, not success', async () => {
    const { send, remove, outcome } = setup();
    const result = done(sf(20), 'cat', uuid(1));
    send(result);
    await vi.advanceTimersByTimeAsync(2_000);
    remove(result);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(EphemeralModerationError);
    expect(error).toMatchObject({ code: 'EPHEMERAL_MODERATION', prompt: 'cat', messageId: sf(20) });
  });

  it('reports a result that arrives ephemeral (flag 64) as ephemeral moderation at once', async () => {
    const { send, outcome } = setup();
    send({ ...done(sf(20), 'cat', uuid(1)), flags: 64 });
    expect((await outcome).error).toBeInstanceOf(EphemeralModerationError);
  });

  it('treats a deleted progress message followed by its result as a normal completion', async () => {
    const { send, remove, outcome } = setup();
    const p = progress(sf(10), 'cat', 93);
    send(p);
    remove(p);
    await vi.advanceTimersByTimeAsync(500);
    send(done(sf(20), 'cat', uuid(1)));
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await outcome).result?.messageId).toBe(sf(20));
  });

  it('reports a deleted progress message with no result within the window as post-moderation', async () => {
    const { send, remove, outcome } = setup();
    const p = progress(sf(10), 'cat', 93);
    send(p);
    remove(p);
    await vi.advanceTimersByTimeAsync(3_000);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(PostModerationError);
    expect(error).toMatchObject({ percent: 93, messageId: sf(10) });
  });

  it('reports "(Stopped)" as post-moderation at once', async () => {
    const { send, outcome } = setup();
    send(message(sf(10), { content: '**cat** - <@1100000000000000300> (Stopped)' }));
    expect((await outcome).error).toBeInstanceOf(PostModerationError);
  });

  it.each([
    ['Banned prompt detected', PreModerationError],
    ['Queue full', QueueFullError],
    ['Invalid parameter', InvalidRequestError],
    ['Credits exhausted', CreditsExhaustedError],
    ['Blocked', AccountError],
    ['Action required to continue', HumanCheckError],
    ['Request cancelled due to output filters', OutputFilterError],
    ['Sorry! Could not complete the job!', JobFailedError],
    ['Something nobody has seen before', UnknownOutcomeError],
  ])('maps the notice "%s" to %o', async (title, type) => {
    const { send, outcome } = setup();
    send(notice(sf(10), title, 'cat'));
    const { error } = await outcome;
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ prompt: 'cat', messageId: sf(10) });
  });

  it('keeps watching after "Job queued" with the deadline extended', async () => {
    const { hooks, send, outcome, tracker } = setup({ timeoutMs: 10_000, queuedTimeoutMs: 20_000 });
    await vi.advanceTimersByTimeAsync(8_000);
    send(
      notice(sf(10), 'Job queued', 'cat', {
        embeds: [{ title: 'Job queued', color: 16_776_960, description: 'Position 1' }],
      }),
    );
    expect(hooks.queued).toHaveBeenCalledWith('Job queued: Position 1');
    await vi.advanceTimersByTimeAsync(19_999);
    expect(tracker.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 28_000, code: 'JOB_TIMEOUT' });
  });

  it('rejects with JobQueuedError on "Job queued" when asked to', async () => {
    const { send, outcome } = setup({ throwOnQueued: true });
    send(notice(sf(10), 'Job queued', 'cat'));
    expect((await outcome).error).toBeInstanceOf(JobQueuedError);
  });

  it('times out at the hard deadline with the last state seen', async () => {
    const { send, outcome } = setup({ timeoutMs: 10_000 });
    send(progress(sf(10), 'cat', 31));
    await vi.advanceTimersByTimeAsync(10_000);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({
      timeoutMs: 10_000,
      lastState: 'progress',
      messageId: sf(10),
      retryable: true,
    });
  });

  it('infers pre-moderation after silence when ephemeral notices are invisible', async () => {
    const { outcome } = setup({ notSeenTimeoutMs: 30_000 });
    await vi.advanceTimersByTimeAsync(30_000);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(InferredPreModerationError);
    expect(error).toBeInstanceOf(PreModerationError);
    expect(error).toMatchObject({
      inferred: true,
      code: 'PRE_MODERATION',
      retryable: false,
      waitedMs: 30_000,
    });
  });

  it('does not infer anything from silence over a live gateway: the deadline decides', async () => {
    const { outcome, tracker } = setup({ notSeenTimeoutMs: 30_000, timeoutMs: 40_000 }, true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tracker.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await outcome).error).toBeInstanceOf(JobTimeoutError);
  });

  it('fails a job whose interaction Discord reports failed', async () => {
    const { tracker, outcome } = setup();
    tracker.handle({
      type: 'interaction',
      status: 'failure',
      interactionId: sf(1),
      reason: 'The application did not respond',
    });
    const { error } = await outcome;
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toContain('The application did not respond');
  });

  it('rejects with the abort reason and ignores everything after', async () => {
    const { tracker, send, outcome } = setup();
    const reason = new DOMException('stop', 'AbortError');
    tracker.abort(reason);
    send(done(sf(20), 'cat', uuid(1)));
    expect((await outcome).error).toBe(reason);
  });

  it('waitSeen resolves as soon as anything of the job shows up', async () => {
    const { tracker } = setup();
    const seen = tracker.waitSeen(10_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const event: JobEvent = { type: 'interaction', status: 'created', interactionId: sf(1) };
    tracker.handle(event);
    await vi.advanceTimersByTimeAsync(0);
    await expect(seen).resolves.toBe(true);
    const { tracker: other } = setup();
    const unseen = other.waitSeen(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(unseen).resolves.toBe(false);
  });
});

describe('JobTracker: outcomes from absence are observed, not assumed', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes one fresh look at the deadline and completes with a result it finds', async () => {
    let send: ((m: APIMessage) => void) | undefined;
    const look = vi.fn(async () => {
      // The result was in the channel; the last look is what sees it.
      send?.(done(sf(20), 'cat', uuid(1)));
      return true;
    });
    const job = setup({ timeoutMs: 10_000, notSeenTimeoutMs: 0, look });
    send = job.send;
    job.send(progress(sf(10), 'cat', 93));
    await vi.advanceTimersByTimeAsync(10_000);
    const { result, error } = await job.outcome;
    expect(error).toBeUndefined();
    expect(result?.messageId).toBe(sf(20));
    expect(look).toHaveBeenCalledOnce();
  });

  it('still times out when the last look finds nothing', async () => {
    const look = vi.fn(async () => true);
    const { outcome } = setup({ timeoutMs: 10_000, notSeenTimeoutMs: 0, look });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await outcome).error).toBeInstanceOf(JobTimeoutError);
    expect(look).toHaveBeenCalledOnce();
  });

  it('at the deadline, tries failing reads again for the read grace and completes with the result once one succeeds', async () => {
    let send: ((m: APIMessage) => void) | undefined;
    let reads = 0;
    const look = vi.fn(async () => {
      reads += 1;
      await systemClock.sleep(2_000);
      if (reads < 4) return false;
      send?.(done(sf(20), 'cat', uuid(1)));
      return true;
    });
    const job = setup({ timeoutMs: 10_000, notSeenTimeoutMs: 0, deadlineReadGraceMs: 30_000, look });
    send = job.send;
    job.send(progress(sf(10), 'cat', 93));
    await vi.advanceTimersByTimeAsync(10_000 + 4 * 2_000);
    const { result, error } = await job.outcome;
    expect(error).toBeUndefined();
    expect(result?.messageId).toBe(sf(20));
    expect(look).toHaveBeenCalledTimes(4);
  });

  it('times out once the read grace has passed with every read failing, without spinning', async () => {
    const look = vi.fn(async () => false);
    const { outcome } = setup({ timeoutMs: 10_000, notSeenTimeoutMs: 0, deadlineReadGraceMs: 5_000, look });
    await vi.advanceTimersByTimeAsync(10_000 + 5_000);
    expect((await outcome).error).toBeInstanceOf(JobTimeoutError);
    // Looks that fail at once are paced (1 s apart), not repeated in a tight loop.
    expect(look.mock.calls.length).toBeGreaterThanOrEqual(5);
    expect(look.mock.calls.length).toBeLessThanOrEqual(7);
  });

  it('infers nothing from silence while no observation of the channel succeeds (polls failing)', async () => {
    let polling = false;
    const look = vi.fn(async () => polling);
    const { tracker, send, outcome } = setup({ notSeenTimeoutMs: 30_000, timeoutMs: 600_000, look });
    await vi.advanceTimersByTimeAsync(90_000);
    expect(tracker.settled).toBe(false);
    expect(look).toHaveBeenCalledTimes(3);
    polling = true;
    send(waiting(sf(10), 'cat'));
    send(done(sf(20), 'cat', uuid(1)));
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await outcome).result?.messageId).toBe(sf(20));
  });

  it('infers pre-moderation only after an observation that succeeded', async () => {
    const look = vi.fn(async () => true);
    const { outcome } = setup({ notSeenTimeoutMs: 30_000, look });
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await outcome).error).toBeInstanceOf(InferredPreModerationError);
    expect(look).toHaveBeenCalledOnce();
  });

  it.each([
    false,
    true,
  ])('fails an unconfirmed send with its own error after silence (gateway live: %s)', async (live) => {
    const sendError = new Error('POST /interactions failed (may have been sent)');
    const { tracker, outcome } = setup({ notSeenTimeoutMs: 30_000 }, live);
    tracker.unconfirmed(sendError);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(tracker.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await outcome).error).toBe(sendError);
  });

  it('keeps watching an unconfirmed send once Discord shows it received the interaction', async () => {
    const { tracker, send, outcome } = setup({ notSeenTimeoutMs: 30_000 }, true);
    tracker.unconfirmed(new Error('reset'));
    tracker.handle({ type: 'interaction', status: 'created', interactionId: sf(1) });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tracker.settled).toBe(false);
    send(done(sf(20), 'cat', uuid(1)));
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await outcome).result?.messageId).toBe(sf(20));
  });
});
