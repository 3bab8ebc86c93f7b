/**
 * `RedisJobFeed`: job changes from every node of a cluster, as one `change` event stream. A node's
 * own runner changes are emitted at once and published on a Redis channel; changes published by
 * other nodes (the worker that drives a job) arrive through the subscription. SSE streams and the
 * job list of any API node listen here, so a client connected to one node sees a job run by a
 * worker elsewhere. Webhooks stay with the runner that drives the job: one sender per job.
 *
 * Pub/sub is at-most-once: a node that was disconnected misses what was published meanwhile.
 * Readers that need the truth (GET /v1/jobs/:id) read the store; SSE streams send the stored
 * state first and then the changes, as they do on one node.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { Redis } from 'ioredis';
import type { JobRecord } from '../jobs/job.js';
import type { JobEventType, JobRunnerEvents } from '../runner/job-events.js';

export interface RedisJobFeedOptions {
  /** Publishes. Any connected client. */
  publisher: Redis;
  /** Subscribes: a connection of its own (a subscribed connection can do nothing else); owned by the feed. */
  subscriber: Redis;
  /** Channel. Default `mjw:job-changes`. */
  channel?: string;
  /** Called for a message that is not a job change (never thrown). */
  onError?: (error: unknown) => void;
}

interface Envelope {
  node: string;
  type: JobEventType;
  job: JobRecord;
}

const EVENT_TYPES: ReadonlySet<string> = new Set([
  'status',
  'progress',
  'notice',
  'completed',
  'failed',
  'cancelled',
]);

export class RedisJobFeed extends EventEmitter<JobRunnerEvents> {
  /** This node's id on the channel, to skip its own messages. */
  readonly node = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly onError: (error: unknown) => void;
  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.channel) return;
    const envelope = parseEnvelope(message);
    if (envelope === undefined) {
      this.onError(new Error(`ignored a malformed job change on ${channel}`));
      return;
    }
    if (envelope.node !== this.node) this.emit('change', envelope.job, envelope.type);
  };

  constructor(options: RedisJobFeedOptions) {
    super();
    this.publisher = options.publisher;
    this.subscriber = options.subscriber;
    this.channel = options.channel ?? 'mjw:job-changes';
    this.onError = options.onError ?? (() => undefined);
    this.subscriber.on('message', this.onMessage);
  }

  /** Starts listening to other nodes. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  /** Emits a local change here and publishes it to the other nodes. */
  publish(job: JobRecord, type: JobEventType): void {
    this.emit('change', job, type);
    // A Vary (Region) mask (up to 1 MiB) is the store's business, not the other nodes' views.
    const { mask: _mask, ...shown } = job;
    const envelope: Envelope = { node: this.node, type, job: shown };
    this.publisher.publish(this.channel, JSON.stringify(envelope)).catch(this.onError);
  }

  /** Follows a runner: every change it makes goes to the feed. Returns the detach function. */
  follow(source: EventEmitter<JobRunnerEvents>): () => void {
    const onChange = (job: JobRecord, type: JobEventType): void => this.publish(job, type);
    source.on('change', onChange);
    return () => source.off('change', onChange);
  }

  async close(): Promise<void> {
    this.subscriber.off('message', this.onMessage);
    await this.subscriber.quit().catch(() => undefined);
  }
}

function parseEnvelope(message: string): Envelope | undefined {
  try {
    const value = JSON.parse(message) as Partial<Envelope>;
    if (
      typeof value.node === 'string' &&
      typeof value.type === 'string' &&
      EVENT_TYPES.has(value.type) &&
      typeof value.job === 'object' &&
      value.job !== null &&
      typeof value.job.id === 'string'
    ) {
      return value as Envelope;
    }
  } catch {
    // falls through
  }
  return undefined;
}
