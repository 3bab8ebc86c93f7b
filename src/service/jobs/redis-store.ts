/**
 * The cluster's JobStore: jobs and webhook deliveries in Redis, so every API node answers every
 * read and every worker finds every job. Each job is a hash (`data` = the JSON document, plus the
 * fields that indexes depend on); indexes are sorted sets of ids. Job ids are fixed-width digit
 * strings, so the index sets use score 0 and lexicographic order (ZRANGE BYLEX), which is their
 * numeric order without the 2^53 limit of scores.
 *
 * Writes that touch a job and its indexes are one Lua script each, so an index never disagrees
 * with its job, even when two nodes write at once. Every key carries the hash tag `{jobs}`:
 * a single slot, so the scripts stay valid on a Redis Cluster too (one shard holds the jobs).
 *
 * Claims (job-claim.ts) and idempotency keys follow the same rules as in SQLite, each check and
 * its write in one script. Time is Redis's own (`TIME`), the one clock every node shares; a
 * `clock` option replaces it, for tests that move time by hand.
 *
 * A job's event history is a list per job (`history:<id>`), appended and trimmed in one MULTI.
 */

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../util/clock.js';
import type { CommandTaskRecord } from './command-task-record.js';
import {
  type IdempotencyKeyRequest,
  type IdempotencyRecord,
  type IdempotencyReservation,
  IdempotencyReservationLostError,
  type IdempotencyReserveResult,
  type IdempotentAnswer,
} from './idempotency-record.js';
import { isTerminal, JOB_STATUSES, type JobRecord, type JobStatus, TERMINAL_STATUSES } from './job.js';
import { type JobClaim, JobClaimLostError, JobExistsError, OpenJobsCapError } from './job-claim.js';
import type { JobHistoryEvent } from './job-history.js';
import type { JobListPage, JobListQuery, JobStore, WebhookDelivery } from './job-store.js';

export interface RedisJobStoreOptions {
  /** A connected ioredis client; the store does not own it unless `ownsClient`. */
  redis: Redis;
  /** Key prefix. Default `mjw`; keys look like `mjw:{jobs}:job:<id>`. */
  prefix?: string;
  /** Whether `close()` quits the client. Default false. */
  ownsClient?: boolean;
  /** Judges claim and key expiry. Default Redis's own clock (`TIME`), shared by every node. */
  clock?: Clock;
  /**
   * The most unfinished (not terminal) jobs the store takes: `insertClaimed` beyond it throws
   * OpenJobsCapError, counted and checked in the same script as the insert, so the cap holds
   * exactly across every API node (MJW_MAX_ACTIVE_JOBS in a cluster). Default none.
   */
  maxOpenJobs?: number;
}

/** The statuses of unfinished jobs, as the insert script counts them against the cap. */
const OPEN_STATUSES = JOB_STATUSES.filter((status) => !isTerminal(status)).join(',');

/** Longest id there can be: the upper bound of lexicographic ranges. */
const ID_MAX = '99999999999999999999';

/**
 * Shared Lua: time (the caller's when given, else Redis's), and the job write that keeps the
 * indexes in step. KEYS[1] job hash, KEYS[2] all, KEYS[3] status set prefix, KEYS[4] client set
 * prefix, KEYS[5] child set prefix; `j` = {id, data, status, client, parent, action}.
 */
const PRELUDE = `
local function now_ms(given)
  if given ~= '' then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function write_job(j)
  local old = redis.call('HMGET', KEYS[1], 'status', 'client')
  if old[1] and old[1] ~= j[3] then
    redis.call('ZREM', KEYS[3] .. old[1], j[1])
    redis.call('ZREM', KEYS[4] .. old[2] .. ':' .. old[1], j[1])
  end
  redis.call('HSET', KEYS[1], 'data', j[2], 'status', j[3], 'client', j[4])
  redis.call('ZADD', KEYS[2], 0, j[1])
  redis.call('ZADD', KEYS[3] .. j[3], 0, j[1])
  redis.call('ZADD', KEYS[4] .. j[4], 0, j[1])
  redis.call('ZADD', KEYS[4] .. j[4] .. ':' .. j[3], 0, j[1])
  if j[5] ~= '' then redis.call('ZADD', KEYS[5] .. j[5] .. ':' .. j[6], 0, j[1]) end
end
local function job_args(from) return {ARGV[from], ARGV[from+1], ARGV[from+2], ARGV[from+3], ARGV[from+4], ARGV[from+5]} end
-- A claim hash is current for (owner, fence) while it names them and has not expired.
local function is_current(claim_key, owner, fence, now)
  local c = redis.call('HMGET', claim_key, 'owner', 'fence', 'expiresAt')
  return c[1] == owner and c[2] == fence and tonumber(c[3]) > now
end
`;

// ARGV: 6 job fields, mode ('insert'|'save').
const WRITE_JOB = `${PRELUDE}
if ARGV[7] == 'insert' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
write_job(job_args(1))
return 1`;

// KEYS[6] claim hash, KEYS[7] idempotency key hash (or ''); ARGV: 6 job fields, owner, ttl, now,
// reservation token (or ''), cap of unfinished jobs (or ''), the unfinished statuses joined by ','.
// Returns {'ok', fence, expiresAt} | {'exists'} | {'reservation-lost'} | {'busy', unfinished}.
const INSERT_CLAIMED = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
if ARGV[11] ~= '' then
  local open = 0
  for status in string.gmatch(ARGV[12], '[^,]+') do open = open + redis.call('ZCARD', KEYS[3] .. status) end
  if open >= tonumber(ARGV[11]) then return {'busy', open} end
end
if ARGV[10] ~= '' then
  local k = redis.call('HMGET', KEYS[7], 'token', 'jobId')
  if k[1] ~= ARGV[10] or (k[2] and k[2] ~= '') then return {'reservation-lost'} end
  redis.call('HSET', KEYS[7], 'jobId', ARGV[1])
end
write_job(job_args(1))
local expires = now_ms(ARGV[9]) + tonumber(ARGV[8])
local fence = redis.call('HINCRBY', KEYS[6], 'fence', 1)
redis.call('HSET', KEYS[6], 'owner', ARGV[7], 'expiresAt', expires)
return {'ok', fence, tostring(expires)}`;

// KEYS[1] job hash, KEYS[2] claim hash; ARGV owner, ttl, now, terminal statuses joined by ','.
const CLAIM = `${PRELUDE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or string.find(',' .. ARGV[4] .. ',', ',' .. status .. ',', 1, true) then return nil end
local now = now_ms(ARGV[3])
local c = redis.call('HMGET', KEYS[2], 'owner', 'expiresAt')
if c[1] and c[1] ~= '' and tonumber(c[2]) > now then return nil end
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('HSET', KEYS[2], 'owner', ARGV[1], 'expiresAt', now + tonumber(ARGV[2]))
return {fence, tostring(now + tonumber(ARGV[2]))}`;

// KEYS[1] claim hash; ARGV owner, fence, ttl, now, mode ('renew'|'release'). 1 when done.
const CLAIM_UPDATE = `${PRELUDE}
local now = now_ms(ARGV[4])
if not is_current(KEYS[1], ARGV[1], ARGV[2], now) then return nil end
if ARGV[5] == 'release' then
  redis.call('HSET', KEYS[1], 'owner', '', 'expiresAt', 0)
  return '0'
end
redis.call('HSET', KEYS[1], 'expiresAt', now + tonumber(ARGV[3]))
return tostring(now + tonumber(ARGV[3]))`;

// KEYS[1] claim hash; ARGV now. {owner, fence, expiresAt} of a live claim, else nil.
const GET_CLAIM = `${PRELUDE}
local c = redis.call('HMGET', KEYS[1], 'owner', 'fence', 'expiresAt')
if not c[1] or c[1] == '' or tonumber(c[3]) <= now_ms(ARGV[1]) then return nil end
return c`;

// KEYS 1-5 as WRITE_JOB, KEYS[6] claim hash; ARGV: 6 job fields, owner, fence, now. 1, or 0 when lost.
const SAVE_CLAIMED = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if not is_current(KEYS[6], ARGV[7], ARGV[8], now_ms(ARGV[9])) then return 0 end
write_job(job_args(1))
return 1`;

const KEY_FIELDS = [
  'clientId',
  'key',
  'fingerprint',
  'jobId',
  'answer',
  'createdAt',
  'lockedUntil',
  'expiresAt',
] as const;

// KEYS[1] key hash, KEYS[2] expiry set; ARGV clientId, key, fingerprint, token, now, leaseMs, ttlMs.
// Returns {'reserved'} or {'existing', ...KEY_FIELDS values}.
const RESERVE_KEY = `${PRELUDE}
local now = now_ms(ARGV[5])
local k = redis.call('HMGET', KEYS[1], ${KEY_FIELDS.map((f) => `'${f}'`).join(', ')})
if k[1] then
  local stale = tonumber(k[8]) <= now or ((k[4] == '') and (k[5] == '') and tonumber(k[7]) <= now)
  if not stale then return {'existing', k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8]} end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'clientId', ARGV[1], 'key', ARGV[2], 'fingerprint', ARGV[3], 'token', ARGV[4],
  'jobId', '', 'answer', '', 'createdAt', now, 'lockedUntil', now + tonumber(ARGV[6]), 'expiresAt', now + tonumber(ARGV[7]))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), KEYS[1])
return {'reserved'}`;

// KEYS[1] key hash, KEYS[2] expiry set; ARGV token, mode ('complete'|'release'), jobId, answer.
const UPDATE_KEY = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
if ARGV[2] == 'complete' then
  redis.call('HSET', KEYS[1], 'jobId', ARGV[3], 'answer', ARGV[4])
  return 1
end
if redis.call('HGET', KEYS[1], 'jobId') ~= '' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return 1`;

// KEYS[1] expiry set; ARGV now. Deletes expired key hashes; answers how many.
const EXPIRE_KEYS = `${PRELUDE}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(ARGV[1]))
for _, key in ipairs(due) do redis.call('DEL', key) end
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return #due`;

// KEYS[1] delivery hash, KEYS[2] per-job set, KEYS[3] pending set. ARGV: id, data, state, createdAt.
const WRITE_DELIVERY = `
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
if ARGV[3] == 'pending' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) else redis.call('ZREM', KEYS[3], ARGV[1]) end
return 1`;

export class RedisJobStore implements JobStore {
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly clock: Clock | undefined;
  private readonly maxOpenJobs: number | undefined;
  private readonly k: {
    job: (id: string) => string;
    all: string;
    status: string;
    client: string;
    child: string;
    delivery: (id: string) => string;
    deliveriesOf: (jobId: string) => string;
    pending: string;
    history: (jobId: string) => string;
    commandTask: (id: string) => string;
    commandTasks: string;
    claim: (id: string) => string;
    idempotencyKey: (clientId: string, key: string) => string;
    keyExpiry: string;
  };

  constructor(options: RedisJobStoreOptions) {
    this.redis = options.redis;
    this.ownsClient = options.ownsClient ?? false;
    this.clock = options.clock;
    this.maxOpenJobs = options.maxOpenJobs;
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
      history: (jobId) => `${base}:history:${jobId}`,
      commandTask: (id) => `${base}:command-task:${id}`,
      commandTasks: `${base}:command-tasks`,
      claim: (id) => `${base}:claim:${id}`,
      idempotencyKey: (clientId, key) =>
        `${base}:idempotency:${encodeURIComponent(clientId)}:${encodeURIComponent(key)}`,
      keyExpiry: `${base}:idempotency-expiry`,
    };
  }

  /** The caller's time for a script, or '' for Redis's own. */
  private now(): string {
    return this.clock === undefined ? '' : String(this.clock.now());
  }

  /** KEYS 1-5 of every job write. */
  private jobKeys(id: string): string[] {
    return [this.k.job(id), this.k.all, this.k.status, this.k.client, this.k.child];
  }

  /** The six job fields the scripts index on. */
  private jobArgs(job: JobRecord): string[] {
    return [
      job.id,
      JSON.stringify(job),
      job.status,
      encodeURIComponent(job.clientId),
      job.parentId ?? '',
      job.action ?? '',
    ];
  }

  async insert(job: JobRecord): Promise<void> {
    const done = await this.redis.eval(WRITE_JOB, 5, ...this.jobKeys(job.id), ...this.jobArgs(job), 'insert');
    if (Number(done) !== 1) throw new JobExistsError(job.id);
  }

  async save(job: JobRecord): Promise<void> {
    await this.redis.eval(WRITE_JOB, 5, ...this.jobKeys(job.id), ...this.jobArgs(job), 'save');
  }

  async insertClaimed(
    job: JobRecord,
    owner: string,
    ttlMs: number,
    reservation?: IdempotencyReservation,
  ): Promise<JobClaim> {
    const keyHash =
      reservation === undefined
        ? this.k.claim(job.id)
        : this.k.idempotencyKey(reservation.clientId, reservation.key);
    const answer = (await this.redis.eval(
      INSERT_CLAIMED,
      7,
      ...this.jobKeys(job.id),
      this.k.claim(job.id),
      keyHash,
      ...this.jobArgs(job),
      owner,
      ttlMs,
      this.now(),
      reservation?.token ?? '',
      this.maxOpenJobs === undefined ? '' : this.maxOpenJobs,
      OPEN_STATUSES,
    )) as [string, number?, string?];
    if (answer[0] === 'exists') throw new JobExistsError(job.id);
    if (answer[0] === 'busy') throw new OpenJobsCapError(Number(answer[1]), this.maxOpenJobs ?? 0);
    if (answer[0] === 'reservation-lost') throw new IdempotencyReservationLostError(reservation?.key ?? '');
    return { jobId: job.id, owner, fence: Number(answer[1]), expiresAt: Number(answer[2]) };
  }

  async claim(jobId: string, owner: string, ttlMs: number): Promise<JobClaim | null> {
    const answer = (await this.redis.eval(
      CLAIM,
      2,
      this.k.job(jobId),
      this.k.claim(jobId),
      owner,
      ttlMs,
      this.now(),
      TERMINAL_STATUSES.join(','),
    )) as [number, string] | null;
    return answer === null ? null : { jobId, owner, fence: Number(answer[0]), expiresAt: Number(answer[1]) };
  }

  async renewClaims(claims: readonly JobClaim[], ttlMs: number): Promise<JobClaim[]> {
    const renewed: JobClaim[] = [];
    for (const claim of claims) {
      const expiresAt = await this.updateClaim(claim, ttlMs, 'renew');
      if (expiresAt !== null) renewed.push({ ...claim, expiresAt });
    }
    return renewed;
  }

  async releaseClaim(claim: JobClaim): Promise<void> {
    await this.updateClaim(claim, 0, 'release');
  }

  private async updateClaim(
    claim: JobClaim,
    ttlMs: number,
    mode: 'renew' | 'release',
  ): Promise<number | null> {
    const answer = await this.redis.eval(
      CLAIM_UPDATE,
      1,
      this.k.claim(claim.jobId),
      claim.owner,
      claim.fence,
      ttlMs,
      this.now(),
      mode,
    );
    return answer === null ? null : Number(answer);
  }

  async getClaim(jobId: string): Promise<JobClaim | null> {
    const answer = (await this.redis.eval(GET_CLAIM, 1, this.k.claim(jobId), this.now())) as
      | [string, string, string]
      | null;
    return answer === null
      ? null
      : { jobId, owner: answer[0], fence: Number(answer[1]), expiresAt: Number(answer[2]) };
  }

  async saveClaimed(job: JobRecord, claim: JobClaim): Promise<void> {
    if (job.id !== claim.jobId) throw new JobClaimLostError(claim);
    const done = await this.redis.eval(
      SAVE_CLAIMED,
      6,
      ...this.jobKeys(job.id),
      this.k.claim(job.id),
      ...this.jobArgs(job),
      claim.owner,
      claim.fence,
      this.now(),
    );
    if (Number(done) !== 1) throw new JobClaimLostError(claim);
  }

  async reserveIdempotencyKey(request: IdempotencyKeyRequest): Promise<IdempotencyReserveResult> {
    const token = randomUUID();
    const answer = (await this.redis.eval(
      RESERVE_KEY,
      2,
      this.k.idempotencyKey(request.clientId, request.key),
      this.k.keyExpiry,
      request.clientId,
      request.key,
      request.fingerprint,
      token,
      this.now(),
      request.leaseMs,
      request.ttlMs,
    )) as string[];
    if (answer[0] === 'reserved') {
      return { kind: 'reserved', reservation: { clientId: request.clientId, key: request.key, token } };
    }
    const [, clientId, key, fingerprint, jobId, answerJson, createdAt, lockedUntil, expiresAt] = answer;
    const record: IdempotencyRecord = {
      clientId: clientId ?? request.clientId,
      key: key ?? request.key,
      fingerprint: fingerprint ?? '',
      jobId: jobId ? jobId : null,
      answer: answerJson ? (JSON.parse(answerJson) as IdempotentAnswer) : null,
      createdAt: Number(createdAt),
      lockedUntil: Number(lockedUntil),
      expiresAt: Number(expiresAt),
    };
    return { kind: 'existing', record };
  }

  async completeIdempotencyKey(
    reservation: IdempotencyReservation,
    answer: IdempotentAnswer,
    jobId: string,
  ): Promise<void> {
    await this.redis.eval(
      UPDATE_KEY,
      2,
      this.k.idempotencyKey(reservation.clientId, reservation.key),
      this.k.keyExpiry,
      reservation.token,
      'complete',
      jobId,
      JSON.stringify(answer),
    );
  }

  async releaseIdempotencyKey(reservation: IdempotencyReservation): Promise<void> {
    await this.redis.eval(
      UPDATE_KEY,
      2,
      this.k.idempotencyKey(reservation.clientId, reservation.key),
      this.k.keyExpiry,
      reservation.token,
      'release',
      '',
      '',
    );
  }

  async deleteExpiredIdempotencyKeys(): Promise<number> {
    return Number(await this.redis.eval(EXPIRE_KEYS, 1, this.k.keyExpiry, this.now()));
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

  async appendJobEvent(event: JobHistoryEvent, keep: number): Promise<void> {
    // One list per job, trimmed to its newest `keep` in the same transaction.
    const key = this.k.history(event.jobId);
    await this.redis.multi().rpush(key, JSON.stringify(event)).ltrim(key, -keep, -1).exec();
  }

  async listJobEvents(jobId: string): Promise<JobHistoryEvent[]> {
    const items = await this.redis.lrange(this.k.history(jobId), 0, -1);
    return items.map((item) => JSON.parse(item) as JobHistoryEvent);
  }

  async saveCommandTask(record: CommandTaskRecord, keep: number): Promise<void> {
    // The task's document, and its id in a sorted set (score 0, ids sort by age) to keep the newest.
    await this.redis
      .multi()
      .set(this.k.commandTask(record.id), JSON.stringify(record))
      .zadd(this.k.commandTasks, 0, record.id)
      .exec();
    const excess = (await this.redis.zcard(this.k.commandTasks)) - keep;
    if (excess <= 0) return;
    const old = await this.redis.zrange(this.k.commandTasks, 0, excess - 1);
    if (old.length === 0) return;
    await this.redis
      .multi()
      .del(...old.map((id) => this.k.commandTask(id)))
      .zrem(this.k.commandTasks, ...old)
      .exec();
  }

  async listCommandTasks(ids: readonly string[]): Promise<CommandTaskRecord[]> {
    if (ids.length === 0) return [];
    const items = await this.redis.mget(...ids.map((id) => this.k.commandTask(id)));
    return items.flatMap((item) => (item === null ? [] : [JSON.parse(item) as CommandTaskRecord]));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit().catch(() => undefined);
  }
}
