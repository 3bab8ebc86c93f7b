/**
 * The cluster's JobStore: jobs and webhook deliveries in Redis, so every API node answers every
 * read and every worker finds every job. Each job is a hash (`data` = the JSON document, plus the
 * fields that indexes depend on); indexes are sorted sets of ids. Job ids are fixed-width digit
 * strings, so the index sets use score 0 and lexicographic order (ZRANGE BYLEX), which is their
 * numeric order without the 2^53 limit of scores.
 *
 * Writes that touch a job and its indexes are one Lua script each, so an index never disagrees
 * with its job, even when two nodes write at once. Every key carries the hash tag `{<prefix>}`:
 * a single slot, so the scripts stay valid on a Redis Cluster too (one shard holds the jobs).
 */
import type { Redis } from 'ioredis';
import { isTerminal, JOB_STATUSES, type JobRecord, type JobStatus } from './job.js';
import type { JobListPage, JobListQuery, JobStore, WebhookDelivery } from './job-store.js';

export interface RedisJobStoreOptions {
  /** A connected ioredis client; the store does not own it unless `ownsClient`. */
  redis: Redis;
  /** Key prefix. Default `mjw`; keys look like `mjw:{jobs}:job:<id>`. */
  prefix?: string;
  /** Whether `close()` quits the client. Default false. */
  ownsClient?: boolean;
}

/** Longest id there can be: the upper bound of lexicographic ranges. */
const ID_MAX = '99999999999999999999';

// KEYS[1] job hash, KEYS[2] all, KEYS[3] status set prefix, KEYS[4] client set prefix,
// KEYS[5] child set prefix. ARGV: id, data, status, client, parent, action, mode ('insert'|'save').
const WRITE_JOB = `
local old = redis.call('HMGET', KEYS[1], 'status', 'client')
if ARGV[7] == 'insert' and old[1] then return 0 end
if old[1] and old[1] ~= ARGV[3] then
  redis.call('ZREM', KEYS[3] .. old[1], ARGV[1])
  redis.call('ZREM', KEYS[4] .. old[2] .. ':' .. old[1], ARGV[1])
end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'status', ARGV[3], 'client', ARGV[4])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZADD', KEYS[3] .. ARGV[3], 0, ARGV[1])
redis.call('ZADD', KEYS[4] .. ARGV[4], 0, ARGV[1])
redis.call('ZADD', KEYS[4] .. ARGV[4] .. ':' .. ARGV[3], 0, ARGV[1])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[5] .. ARGV[5] .. ':' .. ARGV[6], 0, ARGV[1]) end
return 1`;

// KEYS[1] delivery hash, KEYS[2] per-job set, KEYS[3] pending set. ARGV: id, data, state, createdAt.
const WRITE_DELIVERY = `
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
if ARGV[3] == 'pending' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) else redis.call('ZREM', KEYS[3], ARGV[1]) end
return 1`;

export class RedisJobStore implements JobStore {
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly k: {
    job: (id: string) => string;
    all: string;
    status: string;
    client: string;
    child: string;
    delivery: (id: string) => string;
    deliveriesOf: (jobId: string) => string;
    pending: string;
  };

  constructor(options: RedisJobStoreOptions) {
    this.redis = options.redis;
    this.ownsClient = options.ownsClient ?? false;
    const base = `${options.prefix ?? 'mjw'}:{jobs}`;
    this.k = {
      job: (id) => `${base}:job:${id}`,
      all: `${base}:ids`,
      status: `${base}:status:`,
      client: `${base}:client:`,
      child: `${base}:child:`,
      delivery: (id) => `${base}:delivery:${id}`,
      deliveriesOf: (jobId) => `${base}:deliveries:${jobId}`,
      pending: `${base}:deliveries-pending`,
    };
  }

  private writeJob(job: JobRecord, mode: 'insert' | 'save'): Promise<unknown> {
    return this.redis.eval(
      WRITE_JOB,
      5,
      this.k.job(job.id),
      this.k.all,
      this.k.status,
      this.k.client,
      this.k.child,
      job.id,
      JSON.stringify(job),
      job.status,
      encodeURIComponent(job.clientId),
      job.parentId ?? '',
      job.action ?? '',
      mode,
    );
  }

  async insert(job: JobRecord): Promise<void> {
    if (Number(await this.writeJob(job, 'insert')) !== 1) throw new Error(`job ${job.id} already exists`);
  }

  async save(job: JobRecord): Promise<void> {
    await this.writeJob(job, 'save');
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const data = await this.redis.hget(this.k.job(id), 'data');
    return data === null ? undefined : (JSON.parse(data) as JobRecord);
  }

  async list(query: JobListQuery): Promise<JobListPage> {
    const statuses = query.statuses ?? [];
    // Encoded as written: a client id holding ':' can never reach another client's set.
    const client = query.clientId === undefined ? undefined : encodeURIComponent(query.clientId);
    const sets =
      statuses.length === 0
        ? [client === undefined ? this.k.all : `${this.k.client}${client}`]
        : statuses.map((status) =>
            client === undefined ? `${this.k.status}${status}` : `${this.k.client}${client}:${status}`,
          );
    const upper = query.before === undefined ? '+' : `(${query.before}`;
    // Newest first from each set, then merged: one extra tells whether another page exists.
    const pages = await Promise.all(
      sets.map((set) => this.redis.zrevrangebylex(set, upper, '-', 'LIMIT', 0, query.limit + 1)),
    );
    const ids = [...new Set(pages.flat())]
      .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
      .slice(0, query.limit + 1);
    const jobs = await this.listByIds(ids.slice(0, query.limit));
    const last = jobs.at(-1);
    return { jobs, next: ids.length > query.limit && last ? last.id : null };
  }

  async listByIds(ids: readonly string[]): Promise<JobRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.k.job(id), 'data');
    const answers = (await pipeline.exec()) ?? [];
    return answers.flatMap(([error, data]) =>
      error === null && typeof data === 'string' ? [JSON.parse(data) as JobRecord] : [],
    );
  }

  async findChild(parentId: string, action: string): Promise<JobRecord | undefined> {
    const ids = await this.redis.zrevrangebylex(`${this.k.child}${parentId}:${action}`, '+', '-');
    for (const job of await this.listByIds(ids)) {
      if (job.status !== 'failed' && job.status !== 'cancelled') return job;
    }
    return undefined;
  }

  async listUnfinished(): Promise<JobRecord[]> {
    const open = JOB_STATUSES.filter((status: JobStatus) => !isTerminal(status));
    const pages = await Promise.all(
      open.map((status) => this.redis.zrangebylex(`${this.k.status}${status}`, '-', '+')),
    );
    return this.listByIds([...new Set(pages.flat())].sort());
  }

  async maxId(): Promise<string | null> {
    const [id] = await this.redis.zrevrangebylex(this.k.all, `[${ID_MAX}`, '-', 'LIMIT', 0, 1);
    return id ?? null;
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.k.all);
  }

  async saveDelivery(delivery: WebhookDelivery): Promise<void> {
    await this.redis.eval(
      WRITE_DELIVERY,
      3,
      this.k.delivery(delivery.id),
      this.k.deliveriesOf(delivery.jobId),
      this.k.pending,
      delivery.id,
      JSON.stringify(delivery),
      delivery.state,
      delivery.createdAt,
    );
  }

  private async deliveriesByIds(ids: readonly string[]): Promise<WebhookDelivery[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.k.delivery(id), 'data');
    const answers = (await pipeline.exec()) ?? [];
    return answers.flatMap(([error, data]) =>
      error === null && typeof data === 'string' ? [JSON.parse(data) as WebhookDelivery] : [],
    );
  }

  async listDeliveries(jobId: string): Promise<WebhookDelivery[]> {
    return this.deliveriesByIds(await this.redis.zrange(this.k.deliveriesOf(jobId), 0, -1));
  }

  async listPendingDeliveries(): Promise<WebhookDelivery[]> {
    return this.deliveriesByIds(await this.redis.zrange(this.k.pending, 0, -1));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit().catch(() => undefined);
  }
}
