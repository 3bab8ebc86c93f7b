/**
 * Where jobs and webhook deliveries live. SQLite by default (SqliteJobStore), memory in tests
 * (MemoryJobStore); a server database can implement the same interface. Methods are async so an
 * implementation may do I/O; the embedded ones answer synchronously inside a resolved promise.
 */
import type { JobRecord, JobStatus, WebhookFormat } from './job.js';

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

export type DeliveryState = 'pending' | 'delivered' | 'failed';

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
}

export interface JobStore {
  /** Adds a new job; rejects if the id exists. */
  insert(job: JobRecord): Promise<void>;
  /** Replaces a stored job with this version. */
  save(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  list(query: JobListQuery): Promise<JobListPage>;
  /** The jobs among `ids` that exist, in the order given. */
  listByIds(ids: readonly string[]): Promise<JobRecord[]>;
  /** The newest job for `action` on `parentId` that has not failed or been cancelled. */
  findChild(parentId: string, action: string): Promise<JobRecord | undefined>;
  /** Every job not in a terminal status, oldest first: what a restart must pick up. */
  listUnfinished(): Promise<JobRecord[]>;
  /** The largest job id stored, to seed the id factory. */
  maxId(): Promise<string | null>;
  count(): Promise<number>;
  /** Inserts or replaces a delivery. */
  saveDelivery(delivery: WebhookDelivery): Promise<void>;
  listDeliveries(jobId: string): Promise<WebhookDelivery[]>;
  /** Deliveries still to be attempted, oldest first: resumed after a restart. */
  listPendingDeliveries(): Promise<WebhookDelivery[]>;
  close(): Promise<void>;
}
