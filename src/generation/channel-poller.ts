/**
 * One REST poll loop for one channel, shared by every job in flight there: N jobs cost one
 * `GET /channels/{id}/messages` per interval, not N. Each poll reads everything after the router's
 * floor (just before the oldest job's first message), so new messages, progress edits and
 * deletions of known messages (absent from the list) are all seen in the same single request.
 * `after=<newest seen>` alone would show new messages only: progress edits and moderation
 * deletions happen to messages already seen.
 */
import type { DiscordApi } from '../discord/rest/api.js';
import { isTokenInvalidError } from '../discord/rest/errors.js';
import type { APIMessage, Snowflake } from '../discord/types.js';
import { type Clock, jitter, type Random } from '../util/clock.js';
import { compareSnowflakes } from '../util/snowflake.js';
import type { ChannelRouter } from './channel-router.js';

export interface ChannelPollerOptions {
  api: Pick<DiscordApi, 'getMessages'>;
  clock: Clock;
  random: Random;
  /** Shortest wait between two polls (ms). */
  pollMinMs: number;
  /** Longest wait between two polls (ms); each wait is uniform in [min, max]. */
  pollMaxMs: number;
  /** Messages per page; Discord allows 1–100. */
  pageLimit: number;
  /** Extra pages one poll may read when more than a page arrived since the floor (busy channels). */
  maxPagesPerPoll: number;
  /** Whether the loop should keep running (besides having jobs). */
  enabled: () => boolean;
  onPoll?: () => void;
  /** After each poll whose result was applied. */
  onApplied?: () => void;
  debug?: (message: string) => void;
}

interface Waiter {
  since: number;
  resolve: () => void;
}

export class ChannelPoller {
  private running: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  private wakeController: AbortController | undefined;
  private immediate = false;
  private waiters: Waiter[] = [];
  /** Start time of the last poll whose result was applied. */
  private lastApplied = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;

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
      this.releaseWaiters(Number.POSITIVE_INFINITY);
      if (this.shouldRun()) this.ensureRunning();
    });
  }

  /** Polls as soon as possible (once), then resumes the normal interval. */
  wake(): void {
    this.immediate = true;
    this.wakeController?.abort();
    this.ensureRunning();
  }

  /** Resolves once a poll started at or after `since` has been applied (or the loop stopped). */
  settle(since: number, signal?: AbortSignal): Promise<void> {
    if (this.lastApplied >= since || !this.running) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        since,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  private shouldRun(): boolean {
    return !this.stopController.signal.aborted && this.router.size > 0 && this.options.enabled();
  }

  private async loop(): Promise<void> {
    const stop = this.stopController.signal;
    while (this.shouldRun()) {
      const wait = this.immediate
        ? 0
        : jitter(this.options.pollMinMs, this.options.pollMaxMs, this.options.random);
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
      this.inFlight = this.pollOnce(stop);
      await this.inFlight;
    }
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const { api, clock, pageLimit, maxPagesPerPoll } = this.options;
    const startedAt = clock.now();
    const floor = this.router.floor();
    const messages: APIMessage[] = [];
    let complete = false;
    try {
      let after: Snowflake = floor;
      for (let page = 0; page < maxPagesPerPoll; page += 1) {
        this.options.onPoll?.();
        const batch: unknown = await api.getMessages(
          this.router.channelId,
          { after, limit: pageLimit },
          { signal },
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
      if (isTokenInvalidError(error)) {
        this.router.failAll(error);
        return;
      }
      // A failed poll is not a failed job: the next interval tries again, the job's deadline bounds it.
      this.options.debug?.(`poll of channel ${this.router.channelId} failed: ${(error as Error).message}`);
      return;
    }
    this.router.applySnapshot(messages, { floor, complete, newestId: newestOf(messages) });
    // Messages deferred by an earlier poll saw one more complete view: decide them now.
    this.router.resolveDeferred(startedAt - 1);
    this.lastApplied = startedAt;
    this.releaseWaiters(startedAt);
    this.options.onApplied?.();
  }

  private releaseWaiters(upTo: number): void {
    const ready = this.waiters.filter((w) => w.since <= upTo);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.since > upTo);
    for (const waiter of ready) waiter.resolve();
  }
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
