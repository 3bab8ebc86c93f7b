/**
 * A JobStore in memory, for tests and throwaway runs. Records are deep-copied in and out so
 * callers cannot mutate what is stored, as with a real database.
 */
import { isTerminal, type JobRecord } from './job.js';
import type { JobListPage, JobListQuery, JobStore, WebhookDelivery } from './job-store.js';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly deliveries = new Map<string, WebhookDelivery>();
  private closed = false;

  private check(): void {
    if (this.closed) throw new Error('MemoryJobStore is closed');
  }

  async insert(job: JobRecord): Promise<void> {
    this.check();
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} already exists`);
    this.jobs.set(job.id, copy(job));
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

  async close(): Promise<void> {
    this.closed = true;
  }
}
