/**
 * The seam between how a channel is observed (REST polling, the gateway) and the jobs that wait on
 * it. A watcher turns Discord's view of a channel into per-job events through a ChannelRouter
 * (correlation lives there); a job only ever sees its own messages.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import type { ParsedMessage } from '../midjourney/parser.js';
import type { CorrelationJob, MatchReason } from './correlation.js';

/** Where an observation came from. */
export type WatchSource = 'poll' | 'gateway';

/** What a job learns about itself from the channel. */
export type JobEvent =
  | {
      type: 'message';
      message: APIMessage;
      parsed: ParsedMessage;
      /** The first delivery of this message id to the job (later ones are edits). */
      first: boolean;
      reason: MatchReason;
      source: WatchSource;
    }
  | {
      type: 'deleted';
      messageId: Snowflake;
      /** The last version of the message the job saw. */
      lastSeen: ParsedMessage | undefined;
      source: WatchSource;
    }
  | {
      /** Gateway INTERACTION_CREATE / SUCCESS / FAILURE for the job's nonce: it reached Discord. */
      type: 'interaction';
      status: 'created' | 'success' | 'failure';
      interactionId: Snowflake;
      reason?: string | undefined;
    }
  /** The channel can no longer be watched at all (e.g. the token was revoked). */
  | { type: 'fatal'; error: Error };

export type JobSink = (event: JobEvent) => void;

/** A job registered for watching: the correlation view plus where its events go. */
export interface WatchedJob {
  channelId: Snowflake;
  correlation: CorrelationJob;
  sink: JobSink;
  /** Look at the channel's history at once (resume, checks after an ambiguous send). */
  catchUp?: boolean;
}

export interface WatchRegistration {
  /** Stops delivering; the last registration of a channel stops its loop. */
  dispose(): void;
  /** Asks for an observation soon (resume, after an ambiguous send), sharing the loop. */
  wake(): void;
}

/** Failed REST reads of a channel: how many, and the last error. */
export interface ReadFailures {
  count: number;
  last: unknown;
}

export interface WatcherStats {
  /** Channels with a poll loop running. */
  pollingChannels: number;
  /** Jobs registered, over all channels. */
  jobs: number;
  /** `GET /messages` calls made by poll loops since start. */
  polls: number;
  /** Whether the gateway is connected and delivering (gateway watcher only). */
  gatewayLive?: boolean;
}

export interface ChannelWatcher {
  readonly mode: WatchSource;
  /** Starts delivering `job`'s events to its sink. */
  register(job: WatchedJob): WatchRegistration;
  /**
   * Resolves once an observation of the channel that started at or after `since` (ms since
   * epoch) has been applied: anything deleted before `since` has been reported by then.
   */
  settle(channelId: Snowflake, since: number, signal?: AbortSignal): Promise<void>;
  /**
   * Resolves once a REST read of the channel that started at or after `since` succeeded and listed
   * every message after the jobs' floor. Failed reads never release it (they are not evidence);
   * only `signal` ends the wait otherwise. What a resumed job needs before it may say "not found".
   */
  covered(channelId: Snowflake, since: number, signal?: AbortSignal): Promise<void>;
  /** Failed REST reads of the channel while it has been watched (0 when it is not). */
  readFailures(channelId: Snowflake): ReadFailures;
  /**
   * The channel's newest message id before a submission; `read` is the REST call, made only when
   * the watcher does not already know it (the gateway watcher tracks it while live; the polling
   * watcher brings a poll forward while it polls the channel). Absent: read.
   */
  lastMessageId?(
    channelId: Snowflake,
    read: () => Promise<Snowflake | null>,
    signal?: AbortSignal,
  ): Promise<Snowflake | null>;
  /** Whether ephemeral notices (flag 64) reach jobs right now: only over a live gateway. */
  seesEphemeral(): boolean;
  stats(): WatcherStats;
  close(): Promise<void>;
}
