/**
 * Watches channels over the gateway: dispatches reach jobs in real time, ephemeral notices
 * included (they exist nowhere else). When the gateway is not live (never connected, dropped,
 * reconnecting) each channel with jobs falls back to its shared REST poll loop; after a session
 * was lost (dispatches missed) one catch-up poll runs once the gateway is back.
 */
import { setImmediate as afterPendingIo } from 'node:timers/promises';
import type { GatewayClient, GatewayDispatch, GatewayState, ReadyData } from '../discord/gateway/index.js';
import type { Snowflake } from '../discord/types.js';
import type { Clock } from '../util/clock.js';
import { ChannelPoller, type ChannelPollerOptions } from './channel-poller.js';
import { ChannelRouter } from './channel-router.js';
import type {
  ChannelWatcher,
  ReadFailures,
  WatchedJob,
  WatcherStats,
  WatchRegistration,
} from './channel-watcher.js';
import { NewestMessages } from './newest-messages.js';

export type GatewayWatcherOptions = Omit<ChannelPollerOptions, 'enabled' | 'onPoll' | 'onApplied'> & {
  gateway: GatewayClient;
  /** Our user id when the gateway has not told it (READY carries it). */
  userId: () => Snowflake | undefined;
  /**
   * How long a result message that fits several same-prompt jobs waits for the deletion of the
   * progress message it replaced before submission order decides (ms).
   */
  deferMs: number;
};

interface Channel {
  router: ChannelRouter;
  poller: ChannelPoller;
  /** One poll is owed even while live (resume, a lost session). */
  catchUp: boolean;
}

export class GatewayWatcher implements ChannelWatcher {
  readonly mode = 'gateway' as const;
  private readonly channels = new Map<Snowflake, Channel>();
  private readonly clock: Clock;
  private polls = 0;
  private closed = false;
  private flushScheduled = false;
  private readonly life = new AbortController();
  /** Snapshots without REST while live (newest-messages.ts). */
  private readonly newest = new NewestMessages(() => this.live);

  constructor(private readonly options: GatewayWatcherOptions) {
    this.clock = options.clock;
    const { gateway } = options;
    gateway.on('dispatch', this.onDispatch);
    gateway.on('state', this.onState);
    gateway.on('ready', this.onReady);
    gateway.on('sessionInvalidated', this.onSessionLost);
  }

  /** Live: dispatches are flowing right now. */
  get live(): boolean {
    return !this.closed && this.options.gateway.state === 'ready';
  }

  register(job: WatchedJob): WatchRegistration {
    const channel = this.channel(job.channelId);
    const remove = channel.router.add(job);
    if (job.catchUp) {
      channel.catchUp = true;
      channel.poller.wake();
    } else {
      channel.poller.ensureRunning();
    }
    return {
      dispose: () => {
        remove();
        if (channel.router.size === 0) {
          this.channels.delete(job.channelId);
          void channel.poller.stop();
        }
      },
      wake: () => {
        channel.catchUp = true;
        channel.poller.wake();
      },
    };
  }

  async settle(channelId: Snowflake, since: number, signal?: AbortSignal): Promise<void> {
    const channel = this.channels.get(channelId);
    if (channel?.poller.active) return channel.poller.settle(since, signal);
    // Live: every deletion is dispatched as it happens, so reaching `since` is the observation,
    // once what the socket already received is read: a timer that fired late (a busy event loop)
    // runs before the I/O that waited behind it, which may hold the very deletion in question.
    const wait = since - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
    await afterPendingIo(undefined, { signal });
  }

  /**
   * Live dispatches do not replay what happened while the process was down: coverage is a REST
   * read, so the channel owes one (the loop runs for it even while live).
   */
  covered(channelId: Snowflake, since: number, signal?: AbortSignal): Promise<void> {
    const channel = this.channels.get(channelId);
    if (!channel) return Promise.reject(new Error(`channel ${channelId} is not watched`));
    channel.catchUp = true;
    return channel.poller.covered(since, signal);
  }

  readFailures(channelId: Snowflake): ReadFailures {
    return this.channels.get(channelId)?.poller.readFailures ?? { count: 0, last: undefined };
  }

  /**
   * Live: the newest id the gateway told (newest-messages.ts). While it is down and the channel is
   * polled instead, a poll brought forward tells it, as in poll mode (ChannelPoller.newest); else
   * `read`.
   */
  lastMessageId(
    channelId: Snowflake,
    read: () => Promise<Snowflake | null>,
    signal?: AbortSignal,
  ): Promise<Snowflake | null> {
    return this.newest.get(channelId, () => {
      const channel = this.channels.get(channelId);
      return !this.live && channel ? channel.poller.newestOrRead(read, signal) : read();
    });
  }

  seesEphemeral(): boolean {
    return this.live;
  }

  stats(): WatcherStats {
    let jobs = 0;
    let pollingChannels = 0;
    for (const { router, poller } of this.channels.values()) {
      jobs += router.size;
      if (poller.active) pollingChannels += 1;
    }
    return { pollingChannels, jobs, polls: this.polls, gatewayLive: this.live };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.life.abort();
    this.newest.reset();
    const { gateway } = this.options;
    gateway.off('dispatch', this.onDispatch);
    gateway.off('state', this.onState);
    gateway.off('ready', this.onReady);
    gateway.off('sessionInvalidated', this.onSessionLost);
    const channels = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(channels.map((c) => c.poller.stop()));
  }

  private readonly onDispatch = (event: GatewayDispatch): void => {
    switch (event.name) {
      case 'MESSAGE_CREATE':
        this.newest.created(event.data.channel_id, event.data.id);
        this.channels.get(event.data.channel_id)?.router.handleMessage(event.data, 'gateway');
        break;
      case 'MESSAGE_UPDATE':
        this.channels.get(event.data.channel_id)?.router.handleUpdate(event.data, 'gateway');
        break;
      case 'MESSAGE_DELETE':
        this.channels.get(event.data.channel_id)?.router.handleDelete(event.data.id, 'gateway');
        break;
      case 'INTERACTION_CREATE':
      case 'INTERACTION_SUCCESS':
      case 'INTERACTION_FAILURE': {
        const status =
          event.name === 'INTERACTION_CREATE'
            ? 'created'
            : event.name === 'INTERACTION_SUCCESS'
              ? 'success'
              : 'failure';
        const reason = event.name === 'INTERACTION_FAILURE' ? event.data.reason : undefined;
        // Interaction events carry no channel: the nonce finds the job wherever it is.
        for (const { router } of this.channels.values()) {
          router.handleInteraction(status, event.data.nonce, event.data.id, reason);
        }
        break;
      }
      default:
        return;
    }
    this.scheduleFlush();
  };

  private readonly onState = (state: GatewayState): void => {
    if (state !== 'ready') this.newest.reset();
    // Down: every channel with jobs polls. Live again: loops stop after any catch-up they owe.
    for (const channel of this.channels.values()) channel.poller.ensureRunning();
  };

  private readonly onReady = (data: ReadyData): void => {
    this.newest.ready(data);
  };

  private readonly onSessionLost = (): void => {
    this.newest.reset();
    for (const channel of this.channels.values()) channel.catchUp = true;
  };

  /** Deferred results get `deferMs` for the deciding deletion to arrive, then submission order decides. */
  private scheduleFlush(): void {
    const pending = [...this.channels.values()].some((c) => c.router.hasDeferred());
    if (!pending || this.flushScheduled) return;
    this.flushScheduled = true;
    this.clock.sleep(this.options.deferMs, this.life.signal).then(
      () => {
        this.flushScheduled = false;
        const cutoff = this.clock.now() - this.options.deferMs;
        for (const { router } of this.channels.values()) router.resolveDeferred(cutoff);
        this.scheduleFlush();
      },
      () => {
        this.flushScheduled = false;
      },
    );
  }

  private channel(channelId: Snowflake): Channel {
    const channel = this.channels.get(channelId);
    if (channel) return channel;
    const router = new ChannelRouter(channelId, {
      userId: () => this.options.gateway.readyData?.user.id ?? this.options.userId(),
      now: () => this.clock.now(),
      ...(this.options.debug ? { debug: this.options.debug } : {}),
    });
    const created: Channel = {
      router,
      catchUp: false,
      poller: new ChannelPoller(router, {
        ...this.options,
        enabled: () => !this.closed && (!this.live || created.catchUp),
        onPoll: () => {
          this.polls += 1;
        },
        onApplied: () => {
          if (this.live) created.catchUp = false;
        },
      }),
    };
    this.channels.set(channelId, created);
    return created;
  }
}
