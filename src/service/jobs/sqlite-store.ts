/**
 * The embedded JobStore: one SQLite file through better-sqlite3, in WAL mode so readers never
 * wait for the writer. Each job is a JSON document plus the columns that queries filter and sort
 * on. better-sqlite3 is synchronous; a write costs tens of microseconds, less than handing it to a
 * thread would.
 */
import Database from 'better-sqlite3';
import { type JobRecord, type JobStatus, TERMINAL_STATUSES } from './job.js';
import type { JobListPage, JobListQuery, JobStore, WebhookDelivery } from './job-store.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  status TEXT NOT NULL,
  parent_id TEXT,
  action TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_by_client ON jobs (client_id, id);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, id);
CREATE INDEX IF NOT EXISTS jobs_by_parent ON jobs (parent_id, action) WHERE parent_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_job ON webhook_deliveries (job_id, created_at);
CREATE INDEX IF NOT EXISTS deliveries_pending ON webhook_deliveries (state, created_at);
`;

export interface SqliteJobStoreOptions {
  /** A file path, or `:memory:`. */
  path: string;
}

interface JobRow {
  data: string;
}

export class SqliteJobStore implements JobStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stmts;
  /** List queries vary only in which filters are present: a handful of shapes, each prepared once. */
  private readonly listStatements = new Map<string, Database.Statement<unknown[], JobRow>>();

  constructor(options: SqliteJobStoreOptions) {
    this.path = options.path;
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (what a restart recovers from); only a power
    // loss may drop the last transactions.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `${options.path}: job store schema ${version} is newer than this version of mjw understands (${SCHEMA_VERSION})`,
      );
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    this.stmts = {
      insert: this.db.prepare(
        'INSERT INTO jobs (id, client_id, status, parent_id, action, created_at, updated_at, data) VALUES (@id, @clientId, @status, @parentId, @action, @createdAt, @updatedAt, @data)',
      ),
      save: this.db.prepare(
        'INSERT OR REPLACE INTO jobs (id, client_id, status, parent_id, action, created_at, updated_at, data) VALUES (@id, @clientId, @status, @parentId, @action, @createdAt, @updatedAt, @data)',
      ),
      get: this.db.prepare<[string], JobRow>('SELECT data FROM jobs WHERE id = ?'),
      findChild: this.db.prepare<[string, string], JobRow>(
        "SELECT data FROM jobs WHERE parent_id = ? AND action = ? AND status NOT IN ('failed', 'cancelled') ORDER BY id DESC LIMIT 1",
      ),
      unfinished: this.db.prepare<[], JobRow>(
        `SELECT data FROM jobs WHERE status NOT IN (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')}) ORDER BY id`,
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

  async insert(job: JobRecord): Promise<void> {
    this.stmts.insert.run(this.row(job));
  }

  async save(job: JobRecord): Promise<void> {
    this.stmts.save.run(this.row(job));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = this.stmts.get.get(id);
    return row && (JSON.parse(row.data) as JobRecord);
  }

  async list(query: JobListQuery): Promise<JobListPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.clientId !== undefined) {
      where.push('client_id = ?');
      params.push(query.clientId);
    }
    const statuses: readonly JobStatus[] = query.statuses ?? [];
    if (statuses.length > 0) {
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (query.before !== undefined) {
      where.push('id < ?');
      params.push(query.before);
    }
    const sql = `SELECT data FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
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

  async listUnfinished(): Promise<JobRecord[]> {
    return this.stmts.unfinished.all().map((r) => JSON.parse(r.data) as JobRecord);
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
