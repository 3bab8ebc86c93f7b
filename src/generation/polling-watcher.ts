/**
 * Watches channels over REST only: one ChannelRouter and one shared ChannelPoller per channel,
 * the loop running while at least one job there is in flight. Ephemeral notices (flag 64) never
 * appear in `GET /messages`, so in this mode they are invisible (see `seesEphemeral`).
 */
import type { Snowflake } from '../discord/types.js';
import { ChannelPoller, type ChannelPollerOptions } from './channel-poller.js';
import { ChannelRouter } from './channel-router.js';
import type {
  ChannelWatcher,
  ReadFailures,
  WatchedJob,
  WatcherStats,
  WatchRegistration,
} from './channel-watcher.js';

export type PollingWatcherOptions = Omit<ChannelPollerOptions, 'enabled' | 'onPoll' | 'onApplied'> & {
  userId: () => Snowflake | undefined;
};

interface Channel {
  router: ChannelRouter;
  poller: ChannelPoller;
}

export class PollingWatcher implements ChannelWatcher {
  readonly mode = 'poll' as const;
  private readonly channels = new Map<Snowflake, Channel>();
  private polls = 0;
  private closed = false;

  constructor(private readonly options: PollingWatcherOptions) {}

  register(job: WatchedJob): WatchRegistration {
    const channel = this.channel(job.channelId);
    const remove = channel.router.add(job);
    if (job.catchUp) channel.poller.wake();
    else channel.poller.ensureRunning();
    return {
      dispose: () => {
        remove();
        if (channel.router.size === 0) {
          this.channels.delete(job.channelId);
          void channel.poller.stop();
        }
      },
      wake: () => channel.poller.wake(),
    };
  }

  settle(channelId: Snowflake, since: number, signal?: AbortSignal): Promise<void> {
    return this.channels.get(channelId)?.poller.settle(since, signal) ?? Promise.resolve();
  }

  covered(channelId: Snowflake, since: number, signal?: AbortSignal): Promise<void> {
    const channel = this.channels.get(channelId);
    if (!channel) return Promise.reject(new Error(`channel ${channelId} is not watched`));
    return channel.poller.covered(since, signal);
  }

  /**
   * While the channel is polled for other jobs, a submission's snapshot is the next poll brought
   * forward (`ChannelPoller.newest`): one call that both reads the newest id and polls for every job
   * there, in place of a `GET ?limit=1` beside the polls. Otherwise (the first job, or a poll that
   * could not tell) `read`.
   */
  lastMessageId(
    channelId: Snowflake,
    read: () => Promise<Snowflake | null>,
    signal?: AbortSignal,
  ): Promise<Snowflake | null> {
    const channel = this.channels.get(channelId);
    return channel ? channel.poller.newestOrRead(read, signal) : read();
  }

  readFailures(channelId: Snowflake): ReadFailures {
    return this.channels.get(channelId)?.poller.readFailures ?? { count: 0, last: undefined };
  }

  seesEphemeral(): boolean {
    return false;
  }

  stats(): WatcherStats {
    let jobs = 0;
    let pollingChannels = 0;
    for (const { router, poller } of this.channels.values()) {
      jobs += router.size;
      if (poller.active) pollingChannels += 1;
    }
    return { pollingChannels, jobs, polls: this.polls };
  }

  async close(): Promise<void> {
    this.closed = true;
    const channels = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(channels.map((c) => c.poller.stop()));
  }

  private channel(channelId: Snowflake): Channel {
    let channel = this.channels.get(channelId);
    if (channel) return channel;
    const { userId, debug } = this.options;
    const router = new ChannelRouter(channelId, {
      userId,
      now: () => this.options.clock.now(),
      ...(debug ? { debug } : {}),
    });
    const poller = new ChannelPoller(router, {
      ...this.options,
      enabled: () => !this.closed,
      onPoll: () => {
        this.polls += 1;
      },
    });
    channel = { router, poller };
    this.channels.set(channelId, channel);
    return channel;
  }
}
