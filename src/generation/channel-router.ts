/**
 * One channel's jobs and the messages bound to them. Watchers feed it what they observe (gateway
 * dispatches, poll snapshots); it decides ownership with `correlate`, remembers which message
 * belongs to which job, notices edits and deletions of those messages, and delivers each job its
 * own events. Watchers only fetch; this only routes.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import { type ParsedMessage, parseMessage } from '../midjourney/parser.js';
import { compareSnowflakes } from '../util/snowflake.js';
import type { JobEvent, WatchedJob, WatchSource } from './channel-watcher.js';
import {
  type CorrelationJob,
  correlate,
  interactionOf,
  messageRole,
  type ObservedMessage,
} from './correlation.js';

interface BoundMessage {
  jobId: string;
  message: APIMessage;
  parsed: ParsedMessage;
  signature: string;
  deleted: boolean;
  /** Seen only over the gateway (flag 64): polls never list it, so its absence means nothing. */
  ephemeral: boolean;
  /** The router's `version` when this entry last changed (see `mark`). */
  version: number;
}

interface Deferred {
  observed: ObservedMessage;
  source: WatchSource;
  /** When it was first deferred (ms since epoch). */
  since: number;
  /** The jobs it may belong to, and the evidence that will tell. */
  jobIds: string[];
  waitingFor: 'deletion' | 'first-message';
}

export interface ChannelRouterOptions {
  /** Our user id (text matches must mention it); undefined until known. */
  userId: () => Snowflake | undefined;
  now: () => number;
  /** Parses a message; defaults to the Midjourney parser. */
  parse?: (message: APIMessage) => ParsedMessage;
  debug?: (message: string) => void;
}

/** What a poll saw: every message after `floor`, or up to `newestId` when the pages ran out. */
export interface SnapshotCoverage {
  floor: Snowflake;
  complete: boolean;
  newestId: Snowflake | undefined;
  /**
   * `mark()` taken when the read started. A message bound or changed after it (a gateway dispatch
   * that arrived while the read was in flight) may be newer than the list: its absence is not a
   * deletion and the list's copy of it is not an update. Omitted: the list is newer than everything.
   */
  readFrom?: number;
}

const EPHEMERAL = 1 << 6;

/**
 * `after=` for a channel that was empty when the job was sent. Discord (and the RestClient's
 * argument check) want a 17–20 digit snowflake; the smallest one dates from February 2015, before
 * any channel that could be watched.
 */
export const EARLIEST_SNOWFLAKE: Snowflake = '10000000000000000';

/** The fields whose change makes a message worth delivering again. */
function signatureOf(message: APIMessage): string {
  return JSON.stringify([
    message.edited_timestamp,
    message.content,
    message.flags,
    message.attachments.map((a) => a.id),
    message.embeds.map((e) => [e.title, e.description]),
    message.components.length,
  ]);
}

function predecessor(id: Snowflake): Snowflake {
  const value = BigInt(id);
  return (value > 0n ? value - 1n : 0n).toString();
}

export class ChannelRouter {
  private readonly jobs = new Map<string, WatchedJob>();
  private readonly bound = new Map<Snowflake, BoundMessage>();
  private readonly deferred = new Map<Snowflake, Deferred>();
  /**
   * Messages of jobs that ended: still listed by polls (the floor may be older), they must never be
   * handed to another job. Dropped once below the floor, where no poll reads any more.
   */
  private readonly retired = new Set<Snowflake>();
  private readonly parse: (message: APIMessage) => ParsedMessage;
  /** Re-entrancy guard of `retryDeferred`. */
  private retrying = false;
  /** Bumped whenever a bound message is bound or changes: orders those changes against reads. */
  private version = 0;

  constructor(
    readonly channelId: Snowflake,
    private readonly options: ChannelRouterOptions,
  ) {
    this.parse = options.parse ?? parseMessage;
  }

  get size(): number {
    return this.jobs.size;
  }

  /** The point a read starts from: pass it back as `readFrom` with that read's snapshot. */
  mark(): number {
    return this.version;
  }

  /** Registers a job; returns its removal. */
  add(job: WatchedJob): () => void {
    this.jobs.set(job.correlation.id, job);
    return () => this.remove(job.correlation.id);
  }

  private remove(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job || !this.jobs.delete(jobId)) return;
    if (job.correlation.interactionId === undefined) this.orphanHeld(jobId);
    for (const [id, entry] of this.bound) {
      if (entry.jobId !== jobId) continue;
      this.bound.delete(id);
      this.retired.add(id);
    }
    if (this.jobs.size === 0) {
      this.deferred.clear();
      this.retired.clear();
      return;
    }
    // Keep memory bounded: nothing below the floor is read again.
    const floor = this.floor();
    for (const id of this.retired) if (compareSnowflakes(id, floor) <= 0) this.retired.delete(id);
    // One candidate fewer (a job ended, e.g. at its deadline): a held notice may now have one owner.
    this.retryDeferred();
  }

  /**
   * The `after=` id a poll needs: per job, just before its first bound message (so its edits and
   * deletions are re-read), else its recorded last message id; the oldest over all jobs.
   */
  floor(): Snowflake {
    let floor: Snowflake | undefined;
    for (const job of this.jobs.values()) {
      let first: Snowflake | undefined;
      for (const [id, entry] of this.bound) {
        if (entry.jobId !== job.correlation.id || entry.ephemeral) continue;
        if (first === undefined || compareSnowflakes(id, first) < 0) first = id;
      }
      const own =
        first !== undefined ? predecessor(first) : (job.correlation.afterMessageId ?? EARLIEST_SNOWFLAKE);
      if (floor === undefined || compareSnowflakes(own, floor) < 0) floor = own;
    }
    return floor ?? EARLIEST_SNOWFLAKE;
  }

  /** A created or updated message (gateway dispatch or poll). */
  handleMessage(message: APIMessage, source: WatchSource): void {
    if (message.channel_id !== this.channelId || this.jobs.size === 0 || this.retired.has(message.id)) return;
    const entry = this.bound.get(message.id);
    if (entry) {
      if (entry.deleted) return;
      const signature = signatureOf(message);
      if (signature === entry.signature) return;
      const parsed = this.tryParse(message);
      if (!parsed) return;
      Object.assign(entry, { message, parsed, signature, version: ++this.version });
      this.noteRole(entry.jobId, message, parsed);
      this.deliver(entry.jobId, {
        type: 'message',
        message,
        parsed,
        first: false,
        reason: 'message-id',
        source,
      });
      return;
    }
    const parsed = this.tryParse(message);
    if (!parsed) return;
    this.route({ message, parsed }, source, false, this.deferred.get(message.id)?.since);
  }

  /** A message update from the gateway, which may be partial: merged over the last version seen. */
  handleUpdate(
    update: Partial<APIMessage> & { id: Snowflake; channel_id: Snowflake },
    source: WatchSource,
  ): void {
    const known = this.bound.get(update.id)?.message ?? this.deferred.get(update.id)?.observed.message;
    if (known) {
      this.handleMessage({ ...known, ...update } as APIMessage, source);
      return;
    }
    if (update.author !== undefined && update.content !== undefined) {
      this.handleMessage(
        { attachments: [], embeds: [], components: [], mentions: [], flags: 0, ...update } as APIMessage,
        source,
      );
    }
  }

  handleDelete(messageId: Snowflake, source: WatchSource): void {
    this.deferred.delete(messageId);
    const entry = this.bound.get(messageId);
    if (!entry || entry.deleted) return;
    entry.deleted = true;
    this.markReplaced(entry);
    this.deliver(entry.jobId, { type: 'deleted', messageId, lastSeen: entry.parsed, source });
    this.resolveDeferred(Number.NEGATIVE_INFINITY);
  }

  /** Gateway INTERACTION_* for a nonce. */
  handleInteraction(
    status: 'created' | 'success' | 'failure',
    nonce: Snowflake,
    interactionId: Snowflake,
    reason?: string,
  ): void {
    let learned = false;
    for (const job of this.jobs.values()) {
      if (job.correlation.nonce !== nonce) continue;
      learned ||= job.correlation.interactionId === undefined;
      job.correlation.interactionId ??= interactionId;
      job.sink({ type: 'interaction', status, interactionId, reason });
    }
    if (learned) this.retryDeferred();
  }

  /**
   * A poll's view of the channel. Absent bound messages inside the covered range were deleted.
   * New messages are routed before deletions are delivered, so a result and the removal of the
   * progress message it replaces, seen in one poll, arrive at the job in that order.
   */
  applySnapshot(messages: readonly APIMessage[], coverage: SnapshotCoverage): void {
    const readFrom = coverage.readFrom ?? Number.POSITIVE_INFINITY;
    const present = new Set(messages.map((m) => m.id));
    const gone: BoundMessage[] = [];
    for (const [id, entry] of this.bound) {
      if (entry.deleted || entry.ephemeral || present.has(id) || entry.version > readFrom) continue;
      if (compareSnowflakes(id, coverage.floor) <= 0) continue;
      if (
        !coverage.complete &&
        (coverage.newestId === undefined || compareSnowflakes(id, coverage.newestId) > 0)
      ) {
        continue;
      }
      gone.push(entry);
      // Known before routing: the result that replaced it is then assigned to the right job.
      this.markReplaced(entry);
    }
    const ordered = [...messages].sort((a, b) => compareSnowflakes(a.id, b.id));
    for (const message of ordered) {
      const entry = this.bound.get(message.id);
      // Changed while the read was in flight: what the list shows may be older than that change.
      if (entry !== undefined && entry.version > readFrom) continue;
      this.handleMessage(message, 'poll');
    }
    for (const entry of gone) this.handleDelete(entry.message.id, 'poll');
  }

  /**
   * Tries deferred messages again; those deferred at or before `finalBefore` are decided now
   * (submission order breaks the tie) because waiting longer brings no new evidence.
   */
  resolveDeferred(finalBefore: number): void {
    const entries = [...this.deferred.values()].sort((a, b) =>
      compareSnowflakes(a.observed.message.id, b.observed.message.id),
    );
    for (const entry of entries) {
      // Routing one may have decided others already (see retryDeferred).
      if (!this.deferred.delete(entry.observed.message.id)) continue;
      this.route(entry.observed, entry.source, entry.since <= finalBefore, entry.since);
    }
  }

  /**
   * A job ended (at its deadline, or inferred) before any message revealed its interaction: a
   * notice held for it and others may have been its own, so no other job may take it. It is
   * retired, never delivered: guessing could swap two outcomes.
   */
  private orphanHeld(jobId: string): void {
    for (const [id, entry] of this.deferred) {
      if (entry.waitingFor !== 'first-message' || !entry.jobIds.includes(jobId)) continue;
      this.options.debug?.(
        `message ${id} stays unassigned: job ${jobId}, one of those it could belong to, ended without a message`,
      );
      this.deferred.delete(id);
      this.retired.add(id);
    }
  }

  /**
   * Tries deferred messages again, none of them final, after evidence changed (a job bound a
   * message, learned its interaction id, or ended); repeats while that decides more of them.
   */
  private retryDeferred(): void {
    if (this.retrying || this.deferred.size === 0) return;
    this.retrying = true;
    try {
      let before: number;
      do {
        before = this.deferred.size;
        this.resolveDeferred(Number.NEGATIVE_INFINITY);
      } while (this.deferred.size > 0 && this.deferred.size < before);
    } finally {
      this.retrying = false;
    }
  }

  /** Whether some message waits for evidence (the watcher then re-checks it soon). */
  hasDeferred(): boolean {
    return this.deferred.size > 0;
  }

  /** The channel cannot be watched any more: every job hears why. */
  failAll(error: Error): void {
    for (const job of [...this.jobs.values()]) job.sink({ type: 'fatal', error });
  }

  private route(
    observed: ObservedMessage,
    source: WatchSource,
    final: boolean,
    since: number | undefined,
  ): void {
    const decision = correlate(
      observed,
      [...this.jobs.values()].map((j) => j.correlation),
      {
        userId: this.options.userId(),
        boundTo: (id) => this.bound.get(id)?.jobId,
        replyOwner: (id) => {
          const entry = this.bound.get(id);
          return entry && messageRole(entry.parsed) === 'first' ? entry.jobId : undefined;
        },
        final,
        heldInteractionIds: this.heldInteractionIds(observed.message.id),
      },
    );
    if (decision.type === 'defer') {
      const wanted = decision.waitingFor === 'deletion' ? 'a deletion' : "a job's own first message";
      this.options.debug?.(
        `message ${observed.message.id} could belong to jobs ${decision.jobIds.join(', ')}; waiting for ${wanted} to decide`,
      );
      this.deferred.set(observed.message.id, {
        observed,
        source,
        since: since ?? this.options.now(),
        jobIds: decision.jobIds,
        waitingFor: decision.waitingFor,
      });
      return;
    }
    const { message, parsed } = observed;
    // Decided now (a poll re-listed it): it must not be routed again from the deferred list.
    this.deferred.delete(message.id);
    if (decision.type === 'none') return;
    this.bound.set(message.id, {
      jobId: decision.jobId,
      message,
      parsed,
      signature: signatureOf(message),
      deleted: false,
      ephemeral: parsed.ephemeral || (message.flags & EPHEMERAL) !== 0,
      version: ++this.version,
    });
    this.noteRole(decision.jobId, message, parsed);
    this.deliver(decision.jobId, {
      type: 'message',
      message,
      parsed,
      first: true,
      reason: decision.reason,
      source,
    });
    this.retryDeferred();
  }

  /** What a bound message teaches about its job: its UUID, its interaction id, how far it got. */
  /** Interaction ids of the other messages held until a job's first message decides them. */
  private heldInteractionIds(except: Snowflake): Snowflake[] {
    const ids: Snowflake[] = [];
    for (const [id, entry] of this.deferred) {
      if (id === except || entry.waitingFor !== 'first-message') continue;
      const interactionId = interactionOf(entry.observed.message)?.id;
      if (interactionId !== undefined) ids.push(interactionId);
    }
    return ids;
  }

  private noteRole(jobId: string, message: APIMessage, parsed: ParsedMessage): void {
    const job = this.jobs.get(jobId)?.correlation;
    if (!job) return;
    if (parsed.jobId !== undefined) job.midjourneyJobId ??= parsed.jobId;
    // The reply answers the job's interaction: later messages with that id are the job's (rule 2).
    job.interactionId ??= interactionOf(message)?.id;
    const role = messageRole(parsed);
    if (parsed.state === 'waiting' || parsed.state === 'progress') job.started = true;
    if (role === 'grid' || role === 'upscale') job.hasResult = true;
  }

  private markReplaced(entry: BoundMessage): void {
    const job: CorrelationJob | undefined = this.jobs.get(entry.jobId)?.correlation;
    if (job && (entry.parsed.state === 'waiting' || entry.parsed.state === 'progress')) job.replaced = true;
  }

  private deliver(jobId: string, event: JobEvent): void {
    this.jobs.get(jobId)?.sink(event);
  }

  private tryParse(message: APIMessage): ParsedMessage | undefined {
    try {
      return this.parse(message);
    } catch (error) {
      this.options.debug?.(`message ${message.id} could not be parsed: ${(error as Error).message}`);
      return undefined;
    }
  }
}
