/**
 * `ClusterJobQueue`: how accepted jobs reach the workers, on BullMQ. An API node adds one queue
 * entry per job (id `job-<id>`, so adding it twice is a no-op); a worker takes entries while it
 * has room and drives each job with the runner's `drive(id)`, which claims it first.
 *
 * BullMQ gives at-least-once delivery: an entry whose worker died (its lock not renewed) is handed
 * to another worker, and an entry whose job is driven elsewhere is retried later. Neither can pay
 * twice: the job's claim decides who drives it, and a job that was sent is resumed from its
 * ticket, never submitted again (recovery.ts). The queue holds ids only; the job lives in the
 * store, so a million queued jobs cost Redis a few hundred bytes each and the workers nothing.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobRecord } from '../jobs/job.js';

export const JOB_QUEUE_NAME = 'jobs';

/** What a worker's handler answers for one entry. */
export type QueueVerdict = 'done' | 'retry';

export interface ClusterJobQueueOptions {
  /** `redis://host:6379/0`. */
  url: string;
  /** Key prefix (BullMQ's `prefix`). Default `mjw`. */
  prefix?: string;
  /** Wait before an entry whose job is driven elsewhere (or was interrupted) is tried again, ms. Default 5,000. */
  retryDelayMs?: number;
  /** How long a worker's hold on an entry lasts without renewal, ms (BullMQ's lock). Default 30,000. */
  lockMs?: number;
}

interface Entry {
  id: string;
}

/** A handler's wish to have the entry tried again later (not a failure of the job). */
class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

export class ClusterJobQueue {
  private readonly options: Required<ClusterJobQueueOptions>;
  private readonly connections: Redis[] = [];
  private queue: Queue<Entry> | undefined;
  private readonly workers: Worker<Entry>[] = [];

  constructor(options: ClusterJobQueueOptions) {
    this.options = { prefix: 'mjw', retryDelayMs: 5_000, lockMs: 30_000, ...options };
  }

  private connect(): Redis {
    // BullMQ needs blocking commands retried forever on its worker connections.
    const connection = new Redis(this.options.url, { maxRetriesPerRequest: null });
    this.connections.push(connection);
    return connection;
  }

  /** Adds a job for the workers. Adding the same job twice keeps one entry. */
  async enqueue(job: JobRecord): Promise<void> {
    this.queue ??= new Queue<Entry>(JOB_QUEUE_NAME, {
      connection: this.connect(),
      prefix: this.options.prefix,
    });
    await this.queue.add(
      'job',
      { id: job.id },
      {
        jobId: `job-${job.id}`,
        // "Not mine yet" is not a failure: try again for as long as the job is unfinished.
        attempts: 1_000_000,
        backoff: { type: 'fixed', delay: this.options.retryDelayMs },
        removeOnComplete: { count: 1_000 },
        removeOnFail: { count: 10_000 },
      },
    );
  }

  /**
   * Starts taking entries, `concurrency` at a time, for `handle`: 'done' ends the entry, 'retry'
   * puts it back for later (and for any worker).
   */
  consume(handle: (jobId: string) => Promise<QueueVerdict>, concurrency: number): Worker<Entry> {
    const worker = new Worker<Entry>(
      JOB_QUEUE_NAME,
      async (entry: Job<Entry>) => {
        if ((await handle(entry.data.id)) === 'retry')
          throw new RetryLater(`job ${entry.data.id}: not finished here`);
      },
      {
        connection: this.connect(),
        prefix: this.options.prefix,
        concurrency,
        lockDuration: this.options.lockMs,
        stalledInterval: this.options.lockMs,
        // A worker that dies holding entries: they go back to the queue as often as it takes.
        maxStalledCount: 1_000_000,
      },
    );
    // Errors of the connection are retried by ioredis; BullMQ needs a listener to not throw them.
    worker.on('error', () => undefined);
    this.workers.push(worker);
    return worker;
  }

  /** Entries waiting and running (for metrics and tests). */
  async counts(): Promise<Record<string, number>> {
    this.queue ??= new Queue<Entry>(JOB_QUEUE_NAME, {
      connection: this.connect(),
      prefix: this.options.prefix,
    });
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  }

  /** Stops taking entries (those in hand are finished or handed back) and closes the connections. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(options.force ?? false)));
    await this.queue?.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => undefined)));
  }
}
