/**
 * The SQLite job store's schema and its migrations. `user_version` holds the schema version; a
 * file is brought up to date when opened, inside one `BEGIN IMMEDIATE` transaction so two
 * processes opening the same file at once migrate it once. A file newer than this code is refused.
 *
 * - 1: jobs (a JSON document plus the columns queries filter on) and webhook deliveries.
 * - 2: job claims (owner, fence, expiry on the job's row) and idempotency keys.
 * - 3: `job_views`, each job's public view as JSON written with the job, so a list page is read,
 *   not parsed and rendered. A table of its own, not a column: a list walks the jobs' indexes and
 *   reads ~1 KB per job from it, where a column behind `data` would drag each job's whole row
 *   (several KB, overflow pages) through the page cache (4-5x slower at 100 jobs a page). A job
 *   without a view row (written before, or by a store without a renderer) is rendered on read.
 * - 4: `job_events`, each job's bounded event history (job-history.ts), appended as the job
 *   changes: an append-only table of small rows, so a progress tick does not rewrite the job's
 *   document with its whole history.
 * - 5: `command_tasks`, midjourney-proxy's DESCRIBE / BLEND / SHORTEN tasks (command-task-record.ts):
 *   not jobs, only their task document, so they are answered after a restart.
 */
import type Database from 'better-sqlite3';

export const SCHEMA_VERSION = 5;

const VERSION_1 = `
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

// The claim lives on the job's row so a fenced write is one conditional UPDATE. claim_fence
// only grows (released claims keep it), so a fence is never handed out twice.
const VERSION_2 = `
ALTER TABLE jobs ADD COLUMN claim_owner TEXT;
ALTER TABLE jobs ADD COLUMN claim_fence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN claim_expires_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE idempotency_keys (
  client_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  token TEXT NOT NULL,
  job_id TEXT,
  answer TEXT,
  created_at INTEGER NOT NULL,
  locked_until INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
`;

const VERSION_3 = `
CREATE TABLE job_views (
  id TEXT PRIMARY KEY,
  view TEXT NOT NULL
);
`;

const VERSION_4 = `
CREATE TABLE job_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX job_events_by_job ON job_events (job_id, seq);
`;

const VERSION_5 = `
CREATE TABLE command_tasks (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  task TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Migration to version n is MIGRATIONS[n - 1]. */
const MIGRATIONS: readonly string[] = [VERSION_1, VERSION_2, VERSION_3, VERSION_4, VERSION_5];

/** Creates or upgrades the schema of `db` (opened at `path`, for messages). */
export function migrate(db: Database.Database, path: string): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  const check = (found: number): void => {
    if (found > SCHEMA_VERSION) {
      throw new Error(
        `${path}: job store schema ${found} is newer than this version of mjw understands (${SCHEMA_VERSION})`,
      );
    }
  };
  check(version());
  if (version() === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated meanwhile.
    const from = version();
    check(from);
    for (let next = from + 1; next <= SCHEMA_VERSION; next += 1) db.exec(MIGRATIONS[next - 1]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
