/**
 * The embedded JobStore: one SQLite file through better-sqlite3, in WAL mode so readers never
 * wait for the writer. Each job is a JSON document plus the columns that queries filter and sort
 * on. better-sqlite3 is synchronous; a write costs tens of microseconds, less than handing it to a
 * thread would.
 *
 * Several processes may open the same file (two `mjw serve` after a restart): a claim, a fenced
 * write and a renewal are each one conditional UPDATE, and the multi-statement steps (insert a
 * claimed job bound to its idempotency key, reserve a key) run in `BEGIN IMMEDIATE` transactions,
 * which take SQLite's write lock first so two processes cannot both read "free" and both take it.
 * Writers wait up to 5 s for the lock (busy_timeout). The schema is in sqlite-schema.ts.
 */

import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { type Clock, systemClock } from '../../util/clock.js';
import type { CommandTaskRecord } from './command-task-record.js';
import {
  type IdempotencyKeyRequest,
  type IdempotencyRecord,
  type IdempotencyReservation,
  IdempotencyReservationLostError,
  type IdempotencyReserveResult,
  type IdempotentAnswer,
} from './idempotency-record.js';
import { type JobRecord, type JobStatus, TERMINAL_STATUSES } from './job.js';
import { type JobClaim, JobClaimLostError, JobExistsError } from './job-claim.js';
import type { JobHistoryEvent } from './job-history.js';
import type { JobListPage, JobListQuery, JobStore, JobViewPage, WebhookDelivery } from './job-store.js';
import { PageCache, type PageSpan } from './page-cache.js';
import { migrate } from './sqlite-schema.js';
import { ViewCache } from './view-cache.js';

const TERMINAL_SQL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ');

export interface SqliteJobStoreOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** Judges claim and idempotency key expiry. Default the system clock. */
  clock?: Clock;
  /**
   * Renders a job's public view to JSON; when given, it is stored with every write and `listViews`
   * serves pages from it (the composition root passes the HTTP view). Default none.
   */
  renderView?: (job: JobRecord) => string;
  /**
   * Characters of recently listed views kept in memory, so a page read again is joined without
   * reading the views from the file (view-cache.ts); 0 = none. Default 16 Mi (about 15,000 views).
   * Kept true across processes: a write by another connection to the file clears it.
   */
  viewCacheChars?: number;
  /**
   * Characters of views held by whole pages kept in memory once read a third time, each dropped by
   * any write that could change it (page-cache.ts); 0 = none. Default 4 Mi. Off when
   * `viewCacheChars` is 0.
   */
  pageCacheChars?: number;
}

const DEFAULT_VIEW_CACHE_CHARS = 16 * 1024 * 1024;

interface JobRow {
  data: string;
}

interface ViewRow {
  id: string;
  /** NULL when the job has no stored view. */
  view: string | null;
}

interface ClaimRow {
  claim_owner: string | null;
  claim_fence: number;
  claim_expires_at: number;
}

interface KeyRow {
  client_id: string;
  key: string;
  fingerprint: string;
  token: string;
  job_id: string | null;
  answer: string | null;
  created_at: number;
  locked_until: number;
  expires_at: number;
}

const isUniqueViolation = (error: unknown): boolean =>
  typeof (error as { code?: unknown }).code === 'string' &&
  (error as { code: string }).code.startsWith('SQLITE_CONSTRAINT');

export class SqliteJobStore implements JobStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stmts;
  /** List queries vary only in which filters are present: a handful of shapes, each prepared once. */
  private readonly listStatements = new Map<string, Database.Statement<unknown[], JobRow>>();
  private readonly viewStatements = new Map<string, Database.Statement<unknown[], ViewRow>>();
  private readonly renderView: ((job: JobRecord) => string) | undefined;
  private readonly viewCache: ViewCache;
  private readonly pageCache: PageCache;
  /** `PRAGMA data_version` when the view cache was last known true (see listViews). */
  private seenDataVersion: unknown;
  /** List queries of ids alone, by shape, for pages served from the view cache. */
  private readonly idStatements = new Map<string, Database.Statement<unknown[], string>>();

  private readonly clock: Clock;

  constructor(options: SqliteJobStoreOptions) {
    this.path = options.path;
    this.clock = options.clock ?? systemClock;
    this.renderView = options.renderView;
    this.viewCache = new ViewCache(options.viewCacheChars ?? DEFAULT_VIEW_CACHE_CHARS);
    this.pageCache = new PageCache(options.viewCacheChars === 0 ? 0 : options.pageCacheChars);
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (what a restart recovers from); only a power
    // loss may drop the last transactions.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db, options.path);
    this.stmts = {
      insert: this.db.prepare(
        'INSERT INTO jobs (id, client_id, status, parent_id, action, created_at, updated_at, data) VALUES (@id, @clientId, @status, @parentId, @action, @createdAt, @updatedAt, @data)',
      ),
      // An upsert, not INSERT OR REPLACE: a replace would delete the row and its claim with it.
      save: this.db.prepare(
        `INSERT INTO jobs (id, client_id, status, parent_id, action, created_at, updated_at, data) VALUES (@id, @clientId, @status, @parentId, @action, @createdAt, @updatedAt, @data)
         ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, status = excluded.status, parent_id = excluded.parent_id,
           action = excluded.action, created_at = excluded.created_at, updated_at = excluded.updated_at, data = excluded.data`,
      ),
      insertClaimed: this.db.prepare(
        'INSERT INTO jobs (id, client_id, status, parent_id, action, created_at, updated_at, data, claim_owner, claim_fence, claim_expires_at) VALUES (@id, @clientId, @status, @parentId, @action, @createdAt, @updatedAt, @data, @owner, 1, @expiresAt)',
      ),
      claim: this.db.prepare<[{ id: string; owner: string; now: number; expiresAt: number }], ClaimRow>(
        `UPDATE jobs SET claim_owner = @owner, claim_fence = claim_fence + 1, claim_expires_at = @expiresAt
         WHERE id = @id AND status NOT IN (${TERMINAL_SQL}) AND (claim_owner IS NULL OR claim_expires_at <= @now)
         RETURNING claim_owner, claim_fence, claim_expires_at`,
      ),
      renew: this.db.prepare(
        'UPDATE jobs SET claim_expires_at = @expiresAt WHERE id = @id AND claim_owner = @owner AND claim_fence = @fence AND claim_expires_at > @now',
      ),
      release: this.db.prepare(
        'UPDATE jobs SET claim_owner = NULL, claim_expires_at = 0 WHERE id = @id AND claim_owner = @owner AND claim_fence = @fence AND claim_expires_at > @now',
      ),
      // The oldest queued job nobody holds, claimed in the same statement: two runners pulling at
      // once get two different jobs (jobs_by_status walks (status, id) in order).
      claimNextQueued: this.db.prepare<
        [{ owner: string; now: number; expiresAt: number }],
        ClaimRow & { id: string }
      >(
        `UPDATE jobs SET claim_owner = @owner, claim_fence = claim_fence + 1, claim_expires_at = @expiresAt
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND (claim_owner IS NULL OR claim_expires_at <= @now) ORDER BY id LIMIT 1)
           AND status = 'queued' AND (claim_owner IS NULL OR claim_expires_at <= @now)
         RETURNING id, claim_owner, claim_fence, claim_expires_at`,
      ),
      getClaim: this.db.prepare<[string], ClaimRow>(
        'SELECT claim_owner, claim_fence, claim_expires_at FROM jobs WHERE id = ?',
      ),
      saveClaimed: this.db.prepare(
        `UPDATE jobs SET status = @status, parent_id = @parentId, action = @action, updated_at = @updatedAt, data = @data
         WHERE id = @id AND claim_owner = @owner AND claim_fence = @fence AND claim_expires_at > @now`,
      ),
      getKey: this.db.prepare<[string, string], KeyRow>(
        'SELECT * FROM idempotency_keys WHERE client_id = ? AND key = ?',
      ),
      putKey: this.db.prepare(
        `INSERT OR REPLACE INTO idempotency_keys (client_id, key, fingerprint, token, job_id, answer, created_at, locked_until, expires_at)
         VALUES (@clientId, @key, @fingerprint, @token, NULL, NULL, @now, @lockedUntil, @expiresAt)`,
      ),
      bindKey: this.db.prepare(
        'UPDATE idempotency_keys SET job_id = @jobId WHERE client_id = @clientId AND key = @key AND token = @token AND job_id IS NULL',
      ),
      completeKey: this.db.prepare(
        'UPDATE idempotency_keys SET job_id = @jobId, answer = @answer WHERE client_id = @clientId AND key = @key AND token = @token',
      ),
      releaseKey: this.db.prepare(
        'DELETE FROM idempotency_keys WHERE client_id = @clientId AND key = @key AND token = @token AND job_id IS NULL',
      ),
      expireKeys: this.db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?'),
      get: this.db.prepare<[string], JobRow>('SELECT data FROM jobs WHERE id = ?'),
      putView: this.db.prepare<[string, string]>(
        'INSERT INTO job_views (id, view) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET view = excluded.view',
      ),
      dropView: this.db.prepare<[string]>('DELETE FROM job_views WHERE id = ?'),
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
      findChild: this.db.prepare<[string, string], JobRow>(
        "SELECT data FROM jobs WHERE parent_id = ? AND action = ? AND status NOT IN ('failed', 'cancelled') ORDER BY id DESC LIMIT 1",
      ),
      unfinished: this.db.prepare<[], JobRow>(
        `SELECT data FROM jobs WHERE status NOT IN (${TERMINAL_SQL}) ORDER BY id`,
      ),
      unfinishedSent: this.db.prepare<[], JobRow>(
        `SELECT data FROM jobs WHERE status NOT IN (${TERMINAL_SQL}, 'queued') ORDER BY id`,
      ),
      maxId: this.db.prepare<[], { id: string | null }>('SELECT MAX(id) AS id FROM jobs'),
      count: this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM jobs'),
      saveDelivery: this.db.prepare(
        'INSERT OR REPLACE INTO webhook_deliveries (id, job_id, state, created_at, data) VALUES (@id, @jobId, @state, @createdAt, @data)',
      ),
      deliveries: this.db.prepare<[string], JobRow>(
        'SELECT data FROM webhook_deliveries WHERE job_id = ? ORDER BY created_at, id',
      ),
      pending: this.db.prepare<[], JobRow>(
        "SELECT data FROM webhook_deliveries WHERE state = 'pending' ORDER BY created_at, id",
      ),
      appendEvent: this.db.prepare<[string, string]>('INSERT INTO job_events (job_id, data) VALUES (?, ?)'),
      // Drops all but the newest `keep` events of the job (job_events_by_job walks them newest first).
      saveCommandTask: this.db.prepare<CommandTaskRecord>(
        'INSERT OR REPLACE INTO command_tasks (id, client_id, created_at, task) VALUES (@id, @clientId, @createdAt, @task)',
      ),
      trimCommandTasks: this.db.prepare<[number]>(
        'DELETE FROM command_tasks WHERE id < (SELECT id FROM command_tasks ORDER BY id DESC LIMIT 1 OFFSET ?)',
      ),
      commandTask: this.db.prepare<
        [string],
        { id: string; client_id: string; created_at: number; task: string }
      >('SELECT id, client_id, created_at, task FROM command_tasks WHERE id = ?'),
      trimEvents: this.db.prepare<{ jobId: string; keep: number }>(
        `DELETE FROM job_events WHERE job_id = @jobId AND seq <= (
           SELECT seq FROM job_events WHERE job_id = @jobId ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
      ),
      events: this.db.prepare<[string], JobRow>('SELECT data FROM job_events WHERE job_id = ? ORDER BY seq'),
    };
  }

  private row(job: JobRecord): Record<string, unknown> {
    return {
      id: job.id,
      clientId: job.clientId,
      status: job.status,
      parentId: job.parentId,
      action: job.action,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      data: JSON.stringify(job),
    };
  }

  /**
   * Keeps the job's list view in step with a write: rendered when this store has a renderer,
   * else dropped, so no stale view outlives a write (listViews renders a missing one).
   */
  private writeView(job: JobRecord): void {
    // Dropped, not replaced: the write's transaction may yet roll back.
    this.viewCache.delete(job.id);
    this.pageCache.drop(job.id);
    if (this.renderView === undefined) this.stmts.dropView.run(job.id);
    else this.stmts.putView.run(job.id, this.renderView(job));
  }

  async insert(job: JobRecord): Promise<void> {
    try {
      this.db.transaction(() => {
        this.stmts.insert.run(this.row(job));
        this.writeView(job);
      })();
    } catch (error) {
      throw isUniqueViolation(error) ? new JobExistsError(job.id) : error;
    }
  }

  async insertClaimed(
    job: JobRecord,
    owner: string,
    ttlMs: number,
    reservation?: IdempotencyReservation,
  ): Promise<JobClaim> {
    const expiresAt = this.clock.now() + ttlMs;
    this.db
      .transaction(() => {
        if (reservation !== undefined) {
          const bound = this.stmts.bindKey.run({ ...this.keyParams(reservation), jobId: job.id });
          if (bound.changes === 0) throw new IdempotencyReservationLostError(reservation.key);
        }
        try {
          this.stmts.insertClaimed.run({ ...this.row(job), owner, expiresAt });
        } catch (error) {
          throw isUniqueViolation(error) ? new JobExistsError(job.id) : error;
        }
        this.writeView(job);
      })
      .immediate();
    return { jobId: job.id, owner, fence: 1, expiresAt };
  }

  async claim(jobId: string, owner: string, ttlMs: number): Promise<JobClaim | null> {
    const now = this.clock.now();
    // One conditional UPDATE: of two instances claiming at once, exactly one changes the row.
    const row = this.stmts.claim.get({ id: jobId, owner, now, expiresAt: now + ttlMs });
    return row === undefined
      ? null
      : { jobId, owner, fence: row.claim_fence, expiresAt: row.claim_expires_at };
  }

  async renewClaims(claims: readonly JobClaim[], ttlMs: number): Promise<JobClaim[]> {
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    return this.db
      .transaction(() =>
        claims.filter(
          (c) =>
            this.stmts.renew.run({ id: c.jobId, owner: c.owner, fence: c.fence, now, expiresAt }).changes > 0,
        ),
      )
      .immediate()
      .map((c) => ({ ...c, expiresAt }));
  }

  async releaseClaim(claim: JobClaim): Promise<void> {
    this.stmts.release.run({
      id: claim.jobId,
      owner: claim.owner,
      fence: claim.fence,
      now: this.clock.now(),
    });
  }

  async claimNextQueued(owner: string, ttlMs: number): Promise<JobClaim | null> {
    const now = this.clock.now();
    const row = this.stmts.claimNextQueued.get({ owner, now, expiresAt: now + ttlMs });
    return row === undefined
      ? null
      : { jobId: row.id, owner, fence: row.claim_fence, expiresAt: row.claim_expires_at };
  }

  async getClaim(jobId: string): Promise<JobClaim | null> {
    const row = this.stmts.getClaim.get(jobId);
    if (row === undefined || row.claim_owner === null || row.claim_expires_at <= this.clock.now())
      return null;
    return { jobId, owner: row.claim_owner, fence: row.claim_fence, expiresAt: row.claim_expires_at };
  }

  async saveClaimed(job: JobRecord, claim: JobClaim): Promise<void> {
    const changed =
      job.id === claim.jobId &&
      this.db.transaction(() => {
        const stored =
          this.stmts.saveClaimed.run({
            ...this.row(job),
            owner: claim.owner,
            fence: claim.fence,
            now: this.clock.now(),
          }).changes > 0;
        if (stored) this.writeView(job);
        return stored;
      })();
    if (!changed) throw new JobClaimLostError(claim);
  }

  private keyParams(k: IdempotencyReservation): Record<string, string> {
    return { clientId: k.clientId, key: k.key, token: k.token };
  }

  async reserveIdempotencyKey(request: IdempotencyKeyRequest): Promise<IdempotencyReserveResult> {
    const now = this.clock.now();
    return this.db
      .transaction((): IdempotencyReserveResult => {
        const row = this.stmts.getKey.get(request.clientId, request.key);
        const stale =
          row !== undefined &&
          (row.expires_at <= now || (row.job_id === null && row.answer === null && row.locked_until <= now));
        if (row !== undefined && !stale) return { kind: 'existing', record: toKeyRecord(row) };
        const token = randomUUID();
        this.stmts.putKey.run({
          clientId: request.clientId,
          key: request.key,
          fingerprint: request.fingerprint,
          token,
          now,
          lockedUntil: now + request.leaseMs,
          expiresAt: now + request.ttlMs,
        });
        return { kind: 'reserved', reservation: { clientId: request.clientId, key: request.key, token } };
      })
      .immediate();
  }

  async completeIdempotencyKey(
    reservation: IdempotencyReservation,
    answer: IdempotentAnswer,
    jobId: string,
  ): Promise<void> {
    this.stmts.completeKey.run({ ...this.keyParams(reservation), jobId, answer: JSON.stringify(answer) });
  }

  async releaseIdempotencyKey(reservation: IdempotencyReservation): Promise<void> {
    this.stmts.releaseKey.run(this.keyParams(reservation));
  }

  async deleteExpiredIdempotencyKeys(): Promise<number> {
    return this.stmts.expireKeys.run(this.clock.now()).changes;
  }

  async save(job: JobRecord): Promise<void> {
    this.db.transaction(() => {
      this.stmts.save.run(this.row(job));
      this.writeView(job);
    })();
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = this.stmts.get.get(id);
    return row && (JSON.parse(row.data) as JobRecord);
  }

  async list(query: JobListQuery): Promise<JobListPage> {
    const { sql, params } = listSql(query, 'data');
    // One extra row tells whether another page exists.
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], JobRow>(sql);
      this.listStatements.set(sql, statement);
    }
    const rows = statement.all(...params, query.limit + 1);
    const jobs = rows.slice(0, query.limit).map((r) => JSON.parse(r.data) as JobRecord);
    const last = jobs.at(-1);
    return { jobs, next: rows.length > query.limit && last ? last.id : null };
  }

  async listViews(query: JobListQuery): Promise<JobViewPage | undefined> {
    const render = this.renderView;
    if (render === undefined) return undefined;
    // Another connection (a second service on this file) wrote since the caches were last checked:
    // anything in them may be stale. This connection's own writes drop their entries (writeView).
    const version = this.stmts.dataVersion.get();
    if (version !== this.seenDataVersion) {
      this.viewCache.clear();
      this.pageCache.clear();
      this.seenDataVersion = version;
    }
    const key = JSON.stringify([query.clientId, query.statuses, query.before, query.limit]);
    const kept = this.pageCache.get(key);
    if (kept !== undefined) return kept;
    const seen = this.viewCache.pageSeen(key);
    if (seen === 'kept') {
      const cached = this.cachedPage(query);
      if (cached !== undefined) return this.pageCache.set(key, cached.page, cached.span);
    }
    const { sql, params } = listSql(
      query,
      'jobs.id AS id, job_views.view AS view',
      'LEFT JOIN job_views ON job_views.id = jobs.id',
    );
    let statement = this.viewStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], ViewRow>(sql);
      this.viewStatements.set(sql, statement);
    }
    const rows = statement.all(...params, query.limit + 1);
    let stored = true;
    const items = rows.slice(0, query.limit).map((r) => {
      if (r.view !== null && seen !== 'new') this.viewCache.set(r.id, r.view);
      if (r.view === null) stored = false;
      // Jobs written before schema 3 (or by a store without a renderer) are rendered here.
      return { id: r.id, view: r.view ?? this.renderMissing(r.id, render) };
    });
    const last = items.at(-1);
    const page = { items, next: rows.length > query.limit && last ? last.id : null };
    // Read a third time, whole from the stored views: kept until a write could change it.
    if (seen === 'kept' && stored)
      return this.pageCache.set(key, page, spanOf(query, rows.at(query.limit)?.id));
    return page;
  }

  /** The page from the view cache when it holds every view of it: only the ids are read. */
  private cachedPage(query: JobListQuery): { page: JobViewPage; span: PageSpan } | undefined {
    const { sql, params } = listSql(query, 'jobs.id AS id');
    let statement = this.idStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], string>(sql).pluck();
      this.idStatements.set(sql, statement);
    }
    const ids = statement.all(...params, query.limit + 1);
    const items: { id: string; view: string }[] = [];
    for (const id of ids.slice(0, query.limit)) {
      const view = this.viewCache.get(id);
      if (view === undefined) return undefined;
      items.push({ id, view });
    }
    const last = items.at(-1);
    return {
      page: { items, next: ids.length > query.limit && last ? last.id : null },
      span: spanOf(query, ids[query.limit]),
    };
  }

  private renderMissing(id: string, render: (job: JobRecord) => string): string {
    const row = this.stmts.get.get(id);
    return row === undefined ? 'null' : render(JSON.parse(row.data) as JobRecord);
  }

  async listByIds(ids: readonly string[]): Promise<JobRecord[]> {
    return ids.flatMap((id) => {
      const row = this.stmts.get.get(id);
      return row ? [JSON.parse(row.data) as JobRecord] : [];
    });
  }

  async findChild(parentId: string, action: string): Promise<JobRecord | undefined> {
    const row = this.stmts.findChild.get(parentId, action);
    return row && (JSON.parse(row.data) as JobRecord);
  }

  async listUnfinished(options: { sentOnly?: boolean } = {}): Promise<JobRecord[]> {
    const statement = options.sentOnly ? this.stmts.unfinishedSent : this.stmts.unfinished;
    return statement.all().map((r) => JSON.parse(r.data) as JobRecord);
  }

  async maxId(): Promise<string | null> {
    return this.stmts.maxId.get()?.id ?? null;
  }

  async count(): Promise<number> {
    return this.stmts.count.get()?.n ?? 0;
  }

  async saveDelivery(delivery: WebhookDelivery): Promise<void> {
    this.stmts.saveDelivery.run({
      id: delivery.id,
      jobId: delivery.jobId,
      state: delivery.state,
      createdAt: delivery.createdAt,
      data: JSON.stringify(delivery),
    });
  }

  async listDeliveries(jobId: string): Promise<WebhookDelivery[]> {
    return this.stmts.deliveries.all(jobId).map((r) => JSON.parse(r.data) as WebhookDelivery);
  }

  async listPendingDeliveries(): Promise<WebhookDelivery[]> {
    return this.stmts.pending.all().map((r) => JSON.parse(r.data) as WebhookDelivery);
  }

  async appendJobEvent(event: JobHistoryEvent, keep: number): Promise<void> {
    this.db.transaction(() => {
      this.stmts.appendEvent.run(event.jobId, JSON.stringify(event));
      this.stmts.trimEvents.run({ jobId: event.jobId, keep });
    })();
  }

  async listJobEvents(jobId: string): Promise<JobHistoryEvent[]> {
    return this.stmts.events.all(jobId).map((r) => JSON.parse(r.data) as JobHistoryEvent);
  }

  async saveCommandTask(record: CommandTaskRecord, keep: number): Promise<void> {
    this.db.transaction(() => {
      this.stmts.saveCommandTask.run(record);
      this.stmts.trimCommandTasks.run(keep - 1);
    })();
  }

  async listCommandTasks(ids: readonly string[]): Promise<CommandTaskRecord[]> {
    return ids.flatMap((id) => {
      const row = this.stmts.commandTask.get(id);
      return row ? [{ id: row.id, clientId: row.client_id, createdAt: row.created_at, task: row.task }] : [];
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The ids a page's query read (page-cache.ts): from its extra row, if any, up to `before`. */
const spanOf = (query: JobListQuery, extra: string | undefined): PageSpan => ({
  low: extra,
  high: query.before,
});

/**
 * A keyset page: `id < before` on the primary key or on the (client_id, id) / (status, id)
 * indexes, newest first, one row more than the page to tell whether another exists. List queries
 * vary only in which filters are present: a handful of shapes, each prepared once.
 */
function listSql(query: JobListQuery, columns: string, join = ''): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.clientId !== undefined) {
    where.push('jobs.client_id = ?');
    params.push(query.clientId);
  }
  const statuses: readonly JobStatus[] = query.statuses ?? [];
  if (statuses.length > 0) {
    where.push(`jobs.status IN (${statuses.map(() => '?').join(', ')})`);
    params.push(...statuses);
  }
  if (query.before !== undefined) {
    where.push('jobs.id < ?');
    params.push(query.before);
  }
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT ${columns} FROM jobs ${join} ${filter} ORDER BY jobs.id DESC LIMIT ?`, params };
}

function toKeyRecord(row: KeyRow): IdempotencyRecord {
  return {
    clientId: row.client_id,
    key: row.key,
    fingerprint: row.fingerprint,
    jobId: row.job_id,
    answer: row.answer === null ? null : (JSON.parse(row.answer) as IdempotentAnswer),
    createdAt: row.created_at,
    lockedUntil: row.locked_until,
    expiresAt: row.expires_at,
  };
}
