/**
 * Where jobs, their claims, idempotency keys and webhook deliveries live. SQLite by default
 * (SqliteJobStore), memory in tests (MemoryJobStore); a server database can implement the same
 * interface. Methods are async so an implementation may do I/O; the embedded ones answer
 * synchronously inside a resolved promise.
 *
 * Several service instances may share one store (two `mjw serve` on one SQLite file, or a
 * cluster on a server database): the claim and idempotency operations are each one atomic step,
 * which is all that sharing needs. A Redis implementation maps them onto one key per claim
 * (`SET NX PX` with a per-job `INCR` fence) and a Lua script per conditional write.
 */
import type { CommandTaskRecord } from './command-task-record.js';
import type {
  IdempotencyKeyRequest,
  IdempotencyReservation,
  IdempotencyReserveResult,
  IdempotentAnswer,
} from './idempotency-record.js';
import type { JobRecord, JobStatus, WebhookFormat } from './job.js';
import type { JobClaim } from './job-claim.js';
import type { JobHistoryEvent } from './job-history.js';

export interface JobListQuery {
  /** Only this owner's jobs; all when undefined. */
  clientId?: string;
  /** Only jobs in one of these statuses; all when undefined or empty. */
  statuses?: readonly JobStatus[];
  /** Page size. */
  limit: number;
  /** Only jobs older than this id (ids sort by creation); newest first. */
  before?: string;
}

export interface JobListPage {
  jobs: JobRecord[];
  /** Pass as `before` for the next page; null on the last page. */
  next: string | null;
}

/** A list page as pre-rendered view JSON (see `JobStore.listViews`). */
export interface JobViewPage {
  /** Each job's id and its public view as JSON text, newest first. */
  items: { id: string; view: string }[];
  /** Pass as `before` for the next page; null on the last page. */
  next: string | null;
  /**
   * True when the store answers this same object again for the same query while the page is
   * unchanged (and a new one once it changes): a caller may keep what it built from it, by identity.
   */
  readonly kept?: true;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** The most attempts a delivery remembers (the newest); its `attempts` counts them all. */
export const DELIVERY_ATTEMPT_LOG_LIMIT = 20;

/** One POST of a delivery. */
export interface DeliveryAttempt {
  /** 1 for the first. */
  attempt: number;
  /** ms since the epoch, when it ended. */
  at: number;
  /** HTTP status, null when it got no response. */
  status: number | null;
  /** Why it failed, null when it succeeded. */
  error: string | null;
  /** When the next attempt is due (ms since the epoch), null when none will be made. */
  nextAttemptAt: number | null;
}

/** One webhook notification and what became of it. */
export interface WebhookDelivery {
  id: string;
  jobId: string;
  url: string;
  /** `completed`, `failed`, `cancelled`, `progress` or `status`. */
  event: string;
  format: WebhookFormat;
  /** The exact body sent on every attempt (the signature timestamp changes, the body does not). */
  body: string;
  state: DeliveryState;
  attempts: number;
  /** HTTP status of the last attempt, null when it got no response. */
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  /** The newest attempts (at most DELIVERY_ATTEMPT_LOG_LIMIT); absent on deliveries stored before. */
  log?: DeliveryAttempt[];
}

/**
 * Job claims (job-claim.ts): one owner drives a job at a time, and its writes carry the fence.
 * Expiry is judged by the store's clock.
 */
export interface JobClaimStore {
  /**
   * Inserts a new job already claimed by `owner` for `ttlMs` (fence 1), in one atomic step. With
   * a `reservation`, binds the job to that idempotency key in the same step. Rejects with
   * JobExistsError when the id is taken, IdempotencyReservationLostError when the reservation is
   * no longer current (then nothing is stored).
   */
  insertClaimed(
    job: JobRecord,
    owner: string,
    ttlMs: number,
    reservation?: IdempotencyReservation,
  ): Promise<JobClaim>;
  /**
   * Claims an unfinished job for `owner` for `ttlMs` if nobody holds a live claim on it (never
   * claimed, released, or expired), with the next fence. Null when another claim is live (also
   * one of `owner` itself), or the job is finished or unknown.
   */
  claim(jobId: string, owner: string, ttlMs: number): Promise<JobClaim | null>;
  /** Extends every claim that is still current to `ttlMs` from now; answers the renewed ones (the others are lost). */
  renewClaims(claims: readonly JobClaim[], ttlMs: number): Promise<JobClaim[]>;
  /** Ends a claim if it is still current, so another instance may take the job at once. The fence stays. */
  releaseClaim(claim: JobClaim): Promise<void>;
  /** The live claim on a job, if any. */
  getClaim(jobId: string): Promise<JobClaim | null>;
  /**
   * Optional: claims the oldest `queued` job that nobody holds a live claim on (never claimed,
   * released, or expired), with the next fence; null when there is none. With it the runner keeps
   * queued jobs in the store and pulls them as slots free; without it they wait in memory.
   */
  claimNextQueued?(owner: string, ttlMs: number): Promise<JobClaim | null>;
  /**
   * A fenced write: replaces the job with this version only while `claim` is current (its fence
   * is the job's latest, held by its owner, not expired); else rejects with JobClaimLostError and
   * stores nothing.
   */
  saveClaimed(job: JobRecord, claim: JobClaim): Promise<void>;
}

/** Idempotency keys (idempotency-record.ts), scoped per client. Expiry by the store's clock. */
export interface IdempotencyKeyStore {
  /**
   * Atomically reserves `request.key` for its client, or answers the record already there. An
   * expired key, and a reservation whose lease ran out without a job, are taken over.
   */
  reserveIdempotencyKey(request: IdempotencyKeyRequest): Promise<IdempotencyReserveResult>;
  /** Stores the answer (and its job id) of a reservation still current; a stale one is ignored. */
  completeIdempotencyKey(
    reservation: IdempotencyReservation,
    answer: IdempotentAnswer,
    jobId: string,
  ): Promise<void>;
  /** Drops a reservation that created no job (the request failed), so a retry may run again. */
  releaseIdempotencyKey(reservation: IdempotencyReservation): Promise<void>;
  /** Deletes the keys past their expiry; answers how many. */
  deleteExpiredIdempotencyKeys(): Promise<number>;
}

export interface JobStore extends JobClaimStore, IdempotencyKeyStore {
  /** Adds a new job, unclaimed; rejects (JobExistsError) if the id exists. */
  insert(job: JobRecord): Promise<void>;
  /**
   * Replaces a stored job with this version, without a claim (tools and tests; the runner writes
   * with `saveClaimed`). Leaves the job's claim as it is.
   */
  save(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  list(query: JobListQuery): Promise<JobListPage>;
  /**
   * Optional: the same page as `list`, each job as its public view already rendered to JSON when
   * it was written, so a list costs no parse and no render. Undefined when the store keeps no views.
   * A store may answer the same page object again (`kept`), and then only while the page is
   * unchanged (the HTTP layer keeps the answer built from it); callers must not modify it.
   */
  listViews?(query: JobListQuery): Promise<JobViewPage | undefined>;
  /** The jobs among `ids` that exist, in the order given. */
  listByIds(ids: readonly string[]): Promise<JobRecord[]>;
  /** The newest job for `action` on `parentId` that has not failed or been cancelled. */
  findChild(parentId: string, action: string): Promise<JobRecord | undefined>;
  /**
   * Every job not in a terminal status, oldest first: what a restart must pick up. With
   * `{ sentOnly: true }` a store may leave out `queued` jobs (nothing of them was sent; a runner
   * that pulls them with `claimNextQueued` does not need them listed).
   */
  listUnfinished(options?: { sentOnly?: boolean }): Promise<JobRecord[]>;
  /** The largest job id stored, to seed the id factory. */
  maxId(): Promise<string | null>;
  count(): Promise<number>;
  /** Inserts or replaces a delivery. */
  saveDelivery(delivery: WebhookDelivery): Promise<void>;
  listDeliveries(jobId: string): Promise<WebhookDelivery[]>;
  /** Deliveries still to be attempted, oldest first: resumed after a restart. */
  listPendingDeliveries(): Promise<WebhookDelivery[]>;
  /** Appends to the job's history, keeping its newest `keep` events. */
  appendJobEvent(event: JobHistoryEvent, keep: number): Promise<void>;
  /** The job's history, oldest first. */
  listJobEvents(jobId: string): Promise<JobHistoryEvent[]>;
  /** Inserts or replaces a proxy command task (command-task-record.ts), keeping the newest `keep` by id. */
  saveCommandTask(record: CommandTaskRecord, keep: number): Promise<void>;
  /** The command tasks among `ids` that exist, in the order given. */
  listCommandTasks(ids: readonly string[]): Promise<CommandTaskRecord[]>;
  close(): Promise<void>;
}
