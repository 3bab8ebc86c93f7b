/**
 * One REST poll loop for one channel, shared by every job in flight there: N jobs cost one
 * `GET /channels/{id}/messages` per interval, not N. Each poll reads everything after the router's
 * floor (just before the oldest job's first message), so new messages, progress edits and
 * deletions of known messages (absent from the list) are all seen in the same single request.
 * `after=<newest seen>` alone would show new messages only: progress edits and moderation
 * deletions happen to messages already seen.
 *
 * A failed poll is not an observation: it releases nobody waiting on `covered`, and the next
 * poll waits longer (the interval doubled per consecutive failure, at most ×4), so a Discord
 * outage is not hammered while jobs still get read as soon as it ends. Every read goes through
 * the RestClient and its one limiter.
 */
import type { DiscordApi } from '../discord/rest/api.js';
import { isTokenInvalidError } from '../discord/rest/errors.js';
import type { APIMessage, Snowflake } from '../discord/types.js';
import { type Clock, jitter, type Random } from '../util/clock.js';
import { compareSnowflakes } from '../util/snowflake.js';
import { type ChannelRouter, EARLIEST_SNOWFLAKE } from './channel-router.js';
import type { ReadFailures } from './channel-watcher.js';
import { WaitList } from './wait-list.js';

export interface ChannelPollerOptions {
  api: Pick<DiscordApi, 'getMessages'>;
  clock: Clock;
  random: Random;
  /** Shortest wait between two polls (ms). */
  pollMinMs: number;
  /** Longest wait between two polls (ms); each wait is uniform in [min, max]. */
  pollMaxMs: number;
  /**
   * Shortest wait between a poll and a read brought forward for someone whose wait has ended
   * (`settle`: a confirmation window that closed) (ms). Default `pollMinMs`. Shorter than it, a
   * result seen late in its window is confirmed soon after, not a whole `pollMinMs` later; the loop
   * then waits a full interval again, so the channel's reads stay about one per interval.
   */
  confirmReadGapMs?: number;
  /**
   * How old a complete poll may be and still serve as a submission's snapshot (`newest`) without a
   * new read (ms). Default 1,000: about what a new read would wait in the limiter behind a call or
   * two (350 ms apart) before being sent, so the snapshot is no staler than one read anew; typically
   * the poll that just saw a result, whose freed slot lets the next job in.
   */
  snapshotReuseMs?: number;
  /** Messages per page; Discord allows 1–100. */
  pageLimit: number;
  /** Extra pages one poll may read when more than a page arrived since the floor (busy channels). */
  maxPagesPerPoll: number;
  /**
   * Pages one poll may read while someone waits for a complete read (`covered`: a resumed job,
   * whose floor may be far back after a restart). Default 10 x `maxPagesPerPoll`: a read cut short
   * never covers, so with the everyday bound a busy channel could never be covered at all.
   */
  catchUpPagesPerPoll?: number;
  /** Whether the loop should keep running (besides having jobs). */
  enabled: () => boolean;
  onPoll?: () => void;
  /** After each poll whose result was applied. */
  onApplied?: () => void;
  debug?: (message: string) => void;
}

/** Default `snapshotReuseMs`. */
const SNAPSHOT_REUSE_MS = 1_000;

/** A failed poll doubles the next wait, up to this factor: bounded, so reads resume promptly. */
const MAX_FAILURE_BACKOFF = 4;

export class ChannelPoller {
  private running: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  private wakeController: AbortController | undefined;
  private immediate = false;
  private readonly waiters = new WaitList<void>();
  /** Waiting for a complete, successful read: released by nothing else (see `covered`). */
  private readonly coverWaiters = new WaitList<void>();
  /** Waiting for the channel's newest id (null: nothing there; undefined: the poll could not tell). */
  private readonly newestWaiters = new WaitList<Snowflake | null | undefined>();
  /** The newest id the last complete, successful poll told, and when that poll started. */
  private lastNewest: { id: Snowflake | null; startedAt: number } | undefined;
  /** Start time of the last poll whose result was applied. */
  private lastApplied = Number.NEGATIVE_INFINITY;
  /** Start time of the last applied poll that listed everything after the floor. */
  private lastCovered = Number.NEGATIVE_INFINITY;
  /** Start time of the last poll, applied or not. */
  private lastStarted = Number.NEGATIVE_INFINITY;
  /** A poll brought forward is due for observations from this time on (see `bringForward`). */
  private forwardSince: number | undefined;
  private consecutiveFailures = 0;
  private failures: ReadFailures = { count: 0, last: undefined };
  /** A poll is on its way (between its start and its result being applied). */
  private polling = false;

  constructor(
    private readonly router: ChannelRouter,
    private readonly options: ChannelPollerOptions,
  ) {}

  get active(): boolean {
    return this.running !== undefined;
  }

  /** Starts the loop if it should run and is not running. */
  ensureRunning(): void {
    if (this.running || !this.shouldRun()) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // Nothing more will be learned from this loop: do not keep anyone waiting on it.
      this.waiters.release(Number.POSITIVE_INFINITY, undefined);
      this.newestWaiters.release(Number.POSITIVE_INFINITY, undefined);
      if (this.shouldRun()) this.ensureRunning();
    });
  }

  /** Polls as soon as possible (once), then resumes the normal interval. */
  wake(): void {
    this.immediate = true;
    this.wakeController?.abort();
    this.ensureRunning();
  }

  /**
   * Resolves once a poll started at or after `since` has been applied (or the loop stopped). When
   * `since` has already come, the next poll is brought forward (never closer than
   * `confirmReadGapMs` to the previous one) rather than waiting out the interval: a confirmation window that ended is
   * answered by the next allowed read, not by one a whole interval later.
   */
  settle(since: number, signal?: AbortSignal): Promise<void> {
    if (this.lastApplied >= since || !this.running) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (since <= this.options.clock.now()) this.bringForward(since);
    return this.waiters.wait(since, signal);
  }

  /**
   * Resolves once a poll that started at or after `since` succeeded and listed every message after
   * the floor (not cut short by `maxPagesPerPoll`). Unlike `settle`, neither a failed poll nor a
   * stopped loop releases it: it is what lets a resumed job say "nothing there" (restart-rule.ts).
   * Keeps the loop running while someone waits; only `signal` ends the wait otherwise.
   */
  covered(since: number, signal?: AbortSignal): Promise<void> {
    if (this.lastCovered >= since) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    const waiting = this.coverWaiters.wait(since, signal);
    this.ensureRunning();
    return waiting;
  }

  /**
   * The channel's newest message id, from a poll that starts now (the loop's next poll brought
   * forward), or from one that started at most `snapshotReuseMs` ago: a submission's snapshot ("the job's messages come after this id") that is also a poll
   * for every job in flight, instead of a separate `GET ?limit=1` beside the polls. Each poll lists
   * everything after the floor, so when it is complete its newest message is the channel's newest
   * (an empty list: nothing after the floor, which then serves as well). Read before the caller
   * sends anything, it is as fresh as that separate read would be.
   *
   * Undefined when this poll cannot tell (it failed, was cut short by `maxPagesPerPoll`, or the
   * loop is not running): the caller then reads the newest message itself.
   */
  newest(signal?: AbortSignal): Promise<Snowflake | null | undefined> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.shouldRun()) return Promise.resolve(undefined);
    const since = this.options.clock.now();
    const reuseMs = this.options.snapshotReuseMs ?? SNAPSHOT_REUSE_MS;
    if (this.lastNewest && since - this.lastNewest.startedAt <= reuseMs) {
      return Promise.resolve(this.lastNewest.id);
    }
    const answer = this.newestWaiters.wait(since, signal);
    // A poll that started this very millisecond answers it: no second one right behind it.
    if (!(this.polling && this.lastStarted >= since)) this.wake();
    return answer;
  }

  /** `newest`, else (the poll could not tell, or the loop is not running) `read`. */
  async newestOrRead(read: () => Promise<Snowflake | null>, signal?: AbortSignal): Promise<Snowflake | null> {
    const newest = await this.newest(signal);
    return newest === undefined ? read() : newest;
  }

  /** Failed polls of this channel since the loop was created. */
  get readFailures(): ReadFailures {
    return { ...this.failures };
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  /** Polls as soon as the confirmation gap allows, unless a poll started at or after `since` already. */
  private bringForward(since: number): void {
    if (this.lastStarted >= since) return;
    const { clock, pollMinMs, confirmReadGapMs = pollMinMs } = this.options;
    const due = this.lastStarted + Math.min(confirmReadGapMs, pollMinMs);
    const now = clock.now();
    if (now >= due) {
      this.wake();
      return;
    }
    const pending = this.forwardSince !== undefined;
    this.forwardSince = Math.max(this.forwardSince ?? since, since);
    if (pending) return;
    clock.sleep(due - now, this.stopController.signal).then(
      () => {
        const at = this.forwardSince ?? since;
        this.forwardSince = undefined;
        this.bringForward(at);
      },
      () => {
        this.forwardSince = undefined;
      },
    );
  }

  private shouldRun(): boolean {
    return (
      !this.stopController.signal.aborted &&
      this.router.size > 0 &&
      (this.options.enabled() || this.coverWaiters.size > 0)
    );
  }

  private async loop(): Promise<void> {
    const stop = this.stopController.signal;
    while (this.shouldRun()) {
      const backoff = Math.min(2 ** this.consecutiveFailures, MAX_FAILURE_BACKOFF);
      const wait = this.immediate
        ? 0
        : jitter(this.options.pollMinMs, this.options.pollMaxMs, this.options.random) * backoff;
      this.immediate = false;
      this.wakeController = new AbortController();
      try {
        await this.options.clock.sleep(wait, AbortSignal.any([stop, this.wakeController.signal]));
      } catch {
        if (stop.aborted) return;
      }
      // A wake during the sleep is served by this poll.
      this.immediate = false;
      if (!this.shouldRun()) return;
      this.polling = true;
      try {
        await this.pollOnce(stop);
      } finally {
        this.polling = false;
      }
    }
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const { api, clock, pageLimit, maxPagesPerPoll } = this.options;
    const pages =
      this.coverWaiters.size > 0
        ? (this.options.catchUpPagesPerPoll ?? maxPagesPerPoll * 10)
        : maxPagesPerPoll;
    const startedAt = clock.now();
    this.lastStarted = startedAt;
    const floor = this.router.floor();
    const readFrom = this.router.mark();
    const messages: APIMessage[] = [];
    let complete = false;
    try {
      let after: Snowflake = floor;
      for (let page = 0; page < pages; page += 1) {
        this.options.onPoll?.();
        const batch: unknown = await api.getMessages(
          this.router.channelId,
          { after, limit: pageLimit },
          // Polls settle jobs already sent: they go before a new job's send in the limiter.
          { signal, urgent: true },
        );
        // A 200 whose body is not a message list (cut short, a proxy's page) is a failed poll:
        // applied, it would read as "every message of every job was deleted".
        if (!isMessageList(batch)) throw new TypeError('the message list in the answer was malformed');
        messages.push(...batch);
        if (batch.length < pageLimit) {
          complete = true;
          break;
        }
        after = newestOf(batch) ?? after;
      }
    } catch (error) {
      if (signal.aborted) return;
      this.newestWaiters.release(startedAt, undefined);
      if (isTokenInvalidError(error)) {
        this.router.failAll(error);
        return;
      }
      // A failed poll is not a failed job, nor evidence of anything: the next interval tries
      // again (backing off), the job's deadline bounds it.
      this.consecutiveFailures += 1;
      this.failures = { count: this.failures.count + 1, last: error };
      this.options.debug?.(`poll of channel ${this.router.channelId} failed: ${(error as Error).message}`);
      return;
    }
    this.consecutiveFailures = 0;
    this.router.applySnapshot(messages, { floor, complete, newestId: newestOf(messages), readFrom });
    // Messages deferred by an earlier poll saw one more complete view: decide them now.
    this.router.resolveDeferred(startedAt - 1);
    this.lastApplied = startedAt;
    this.waiters.release(startedAt, undefined);
    const newest = complete ? (newestOf(messages) ?? emptyAfter(floor)) : undefined;
    if (newest !== undefined) this.lastNewest = { id: newest, startedAt };
    this.newestWaiters.release(startedAt, newest);
    if (complete) {
      this.lastCovered = startedAt;
      this.coverWaiters.release(startedAt, undefined);
    }
    this.options.onApplied?.();
  }
}

/** The newest id a complete, empty read after `floor` proves: the floor itself, or none at all. */
function emptyAfter(floor: Snowflake): Snowflake | null {
  return floor === EARLIEST_SNOWFLAKE ? null : floor;
}

/** Whether a `GET /messages` answer is a list of messages with snowflake ids. */
export function isMessageList(value: unknown): value is APIMessage[] {
  return (
    Array.isArray(value) &&
    value.every(
      (m: unknown) =>
        typeof m === 'object' &&
        m !== null &&
        typeof (m as { id?: unknown }).id === 'string' &&
        /^\d{1,20}$/.test((m as { id: string }).id),
    )
  );
}

function newestOf(messages: readonly APIMessage[]): Snowflake | undefined {
  let newest: Snowflake | undefined;
  for (const m of messages) if (newest === undefined || compareSnowflakes(m.id, newest) > 0) newest = m.id;
  return newest;
}
