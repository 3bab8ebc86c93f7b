/**
 * A JobStore in memory, for tests and throwaway runs. Records are deep-copied in and out so
 * callers cannot mutate what is stored, as with a real database. One process only: its claims
 * and idempotency keys guard runners sharing this object, and every method runs to completion
 * before another starts (no await inside), which makes each one atomic.
 */

import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../../util/clock.js';
import type { CommandTaskRecord } from './command-task-record.js';
import type {
  IdempotencyKeyRequest,
  IdempotencyRecord,
  IdempotencyReservation,
  IdempotencyReserveResult,
  IdempotentAnswer,
} from './idempotency-record.js';
import { IdempotencyReservationLostError } from './idempotency-record.js';
import { isTerminal, type JobRecord } from './job.js';
import { type JobClaim, JobClaimLostError, JobExistsError } from './job-claim.js';
import type { JobHistoryEvent } from './job-history.js';
import type { JobListPage, JobListQuery, JobStore, WebhookDelivery } from './job-store.js';

const copy = <T>(value: T): T => structuredClone(value);

export interface MemoryJobStoreOptions {
  /** Judges claim and idempotency key expiry. Default the system clock. */
  clock?: Clock;
}

interface ClaimState {
  owner: string | null;
  fence: number;
  expiresAt: number;
}

interface KeyState extends IdempotencyRecord {
  token: string;
}

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly claims = new Map<string, ClaimState>();
  private readonly keys = new Map<string, KeyState>();
  private readonly deliveries = new Map<string, WebhookDelivery>();
  private readonly histories = new Map<string, JobHistoryEvent[]>();
  private readonly commandTasks = new Map<string, CommandTaskRecord>();
  private readonly clock: Clock;
  private closed = false;

  constructor(options: MemoryJobStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  private check(): void {
    if (this.closed) throw new Error('MemoryJobStore is closed');
  }

  async insert(job: JobRecord): Promise<void> {
    this.check();
    if (this.jobs.has(job.id)) throw new JobExistsError(job.id);
    this.jobs.set(job.id, copy(job));
  }

  async insertClaimed(
    job: JobRecord,
    owner: string,
    ttlMs: number,
    reservation?: IdempotencyReservation,
  ): Promise<JobClaim> {
    this.check();
    if (this.jobs.has(job.id)) throw new JobExistsError(job.id);
    if (reservation !== undefined) {
      const key = this.keys.get(keyOf(reservation));
      if (key === undefined || key.token !== reservation.token || key.jobId !== null) {
        throw new IdempotencyReservationLostError(reservation.key);
      }
      key.jobId = job.id;
    }
    this.jobs.set(job.id, copy(job));
    const state = { owner, fence: 1, expiresAt: this.clock.now() + ttlMs };
    this.claims.set(job.id, state);
    return { jobId: job.id, owner, fence: state.fence, expiresAt: state.expiresAt };
  }

  private current(claim: JobClaim): ClaimState | undefined {
    const state = this.claims.get(claim.jobId);
    return state !== undefined &&
      state.owner === claim.owner &&
      state.fence === claim.fence &&
      state.expiresAt > this.clock.now()
      ? state
      : undefined;
  }

  async claim(jobId: string, owner: string, ttlMs: number): Promise<JobClaim | null> {
    this.check();
    const job = this.jobs.get(jobId);
    if (job === undefined || isTerminal(job.status)) return null;
    const now = this.clock.now();
    const state = this.claims.get(jobId) ?? { owner: null, fence: 0, expiresAt: 0 };
    if (state.owner !== null && state.expiresAt > now) return null;
    const next = { owner, fence: state.fence + 1, expiresAt: now + ttlMs };
    this.claims.set(jobId, next);
    return { jobId, owner, fence: next.fence, expiresAt: next.expiresAt };
  }

  async renewClaims(claims: readonly JobClaim[], ttlMs: number): Promise<JobClaim[]> {
    this.check();
    const expiresAt = this.clock.now() + ttlMs;
    return claims.flatMap((claim) => {
      const state = this.current(claim);
      if (state === undefined) return [];
      state.expiresAt = expiresAt;
      return [{ ...claim, expiresAt }];
    });
  }

  async releaseClaim(claim: JobClaim): Promise<void> {
    this.check();
    const state = this.current(claim);
    if (state !== undefined) {
      state.owner = null;
      state.expiresAt = 0;
    }
  }

  async getClaim(jobId: string): Promise<JobClaim | null> {
    this.check();
    const state = this.claims.get(jobId);
    if (state === undefined || state.owner === null || state.expiresAt <= this.clock.now()) return null;
    return { jobId, owner: state.owner, fence: state.fence, expiresAt: state.expiresAt };
  }

  async saveClaimed(job: JobRecord, claim: JobClaim): Promise<void> {
    this.check();
    if (job.id !== claim.jobId || this.current(claim) === undefined || !this.jobs.has(job.id)) {
      throw new JobClaimLostError(claim);
    }
    this.jobs.set(job.id, copy(job));
  }

  async reserveIdempotencyKey(request: IdempotencyKeyRequest): Promise<IdempotencyReserveResult> {
    this.check();
    const id = keyOf(request);
    const now = this.clock.now();
    const existing = this.keys.get(id);
    const stale =
      existing !== undefined &&
      (existing.expiresAt <= now ||
        (existing.jobId === null && existing.answer === null && existing.lockedUntil <= now));
    if (existing !== undefined && !stale) {
      const { token: _token, ...record } = existing;
      return { kind: 'existing', record: copy(record) };
    }
    const token = randomUUID();
    this.keys.set(id, {
      clientId: request.clientId,
      key: request.key,
      fingerprint: request.fingerprint,
      jobId: null,
      answer: null,
      createdAt: now,
      lockedUntil: now + request.leaseMs,
      expiresAt: now + request.ttlMs,
      token,
    });
    return { kind: 'reserved', reservation: { clientId: request.clientId, key: request.key, token } };
  }

  async completeIdempotencyKey(
    reservation: IdempotencyReservation,
    answer: IdempotentAnswer,
    jobId: string,
  ): Promise<void> {
    this.check();
    const key = this.keys.get(keyOf(reservation));
    if (key === undefined || key.token !== reservation.token) return;
    key.answer = copy(answer);
    key.jobId = jobId;
  }

  async releaseIdempotencyKey(reservation: IdempotencyReservation): Promise<void> {
    this.check();
    const id = keyOf(reservation);
    const key = this.keys.get(id);
    if (key !== undefined && key.token === reservation.token && key.jobId === null) this.keys.delete(id);
  }

  async deleteExpiredIdempotencyKeys(): Promise<number> {
    this.check();
    const now = this.clock.now();
    let n = 0;
    for (const [id, key] of this.keys) {
      if (key.expiresAt <= now) {
        this.keys.delete(id);
        n += 1;
      }
    }
    return n;
  }

  async save(job: JobRecord): Promise<void> {
    this.check();
    this.jobs.set(job.id, copy(job));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    this.check();
    const job = this.jobs.get(id);
    return job && copy(job);
  }

  private sortedDesc(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  async list(query: JobListQuery): Promise<JobListPage> {
    this.check();
    const statuses = query.statuses ?? [];
    const matching = this.sortedDesc().filter(
      (job) =>
        (query.clientId === undefined || job.clientId === query.clientId) &&
        (statuses.length === 0 || statuses.includes(job.status)) &&
        (query.before === undefined || job.id < query.before),
    );
    const page = matching.slice(0, query.limit).map(copy);
    const last = page.at(-1);
    return { jobs: page, next: matching.length > query.limit && last ? last.id : null };
  }

  async listByIds(ids: readonly string[]): Promise<JobRecord[]> {
    this.check();
    return ids.flatMap((id) => {
      const job = this.jobs.get(id);
      return job ? [copy(job)] : [];
    });
  }

  async findChild(parentId: string, action: string): Promise<JobRecord | undefined> {
    this.check();
    const found = this.sortedDesc().find(
      (job) =>
        job.parentId === parentId &&
        job.action === action &&
        job.status !== 'failed' &&
        job.status !== 'cancelled',
    );
    return found && copy(found);
  }

  async listUnfinished(): Promise<JobRecord[]> {
    this.check();
    return this.sortedDesc()
      .reverse()
      .filter((job) => !isTerminal(job.status))
      .map(copy);
  }

  async maxId(): Promise<string | null> {
    this.check();
    return this.sortedDesc()[0]?.id ?? null;
  }

  async count(): Promise<number> {
    this.check();
    return this.jobs.size;
  }

  async saveDelivery(delivery: WebhookDelivery): Promise<void> {
    this.check();
    this.deliveries.set(delivery.id, copy(delivery));
  }

  async listDeliveries(jobId: string): Promise<WebhookDelivery[]> {
    this.check();
    return [...this.deliveries.values()]
      .filter((d) => d.jobId === jobId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async listPendingDeliveries(): Promise<WebhookDelivery[]> {
    this.check();
    return [...this.deliveries.values()]
      .filter((d) => d.state === 'pending')
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(copy);
  }

  async saveCommandTask(record: CommandTaskRecord, keep: number): Promise<void> {
    this.commandTasks.set(record.id, copy(record));
    if (this.commandTasks.size > keep) {
      const ids = [...this.commandTasks.keys()].sort();
      for (const id of ids.slice(0, ids.length - keep)) this.commandTasks.delete(id);
    }
  }

  async listCommandTasks(ids: readonly string[]): Promise<CommandTaskRecord[]> {
    return ids.flatMap((id) => {
      const record = this.commandTasks.get(id);
      return record ? [copy(record)] : [];
    });
  }

  async appendJobEvent(event: JobHistoryEvent, keep: number): Promise<void> {
    this.check();
    const events = this.histories.get(event.jobId) ?? [];
    events.push(copy(event));
    if (events.length > keep) events.splice(0, events.length - keep);
    this.histories.set(event.jobId, events);
  }

  async listJobEvents(jobId: string): Promise<JobHistoryEvent[]> {
    this.check();
    return (this.histories.get(jobId) ?? []).map(copy);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Client and key, joined by a character a header value cannot hold. */
const keyOf = (k: { clientId: string; key: string }): string => `${k.clientId}\n${k.key}`;
