import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobRecord, type JobRecord } from '../../src/service/jobs/job.js';
import { isJobClaimLostError, JobClaimLostError, JobExistsError } from '../../src/service/jobs/job-claim.js';
import type { JobStore } from '../../src/service/jobs/job-store.js';
import { MemoryJobStore } from '../../src/service/jobs/memory-store.js';
import { RedisJobStore } from '../../src/service/jobs/redis-store.js';
import { SCHEMA_VERSION } from '../../src/service/jobs/sqlite-schema.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { openTestRedis } from '../cluster/redis-test-env.js';
import { ManualClock } from './helpers/http.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function job(overrides: Partial<JobRecord> = {}): JobRecord {
  seq += 1;
  const id = String(1_750_000_000_000_000 + seq);
  return {
    ...createJobRecord(id, { clientId: 'alice', kind: 'imagine', prompt: `cat ${seq}` }, 1_000 + seq),
    ...overrides,
  };
}

/** Two handles on one store: the same object in memory, two connections to one SQLite file. */
const pairs: [string, (clock: ManualClock) => [JobStore, JobStore]][] = [
  [
    'MemoryJobStore',
    (clock) => {
      const store = new MemoryJobStore({ clock });
      return [store, store];
    },
  ],
  [
    'SqliteJobStore (two connections)',
    (clock) => {
      const path = join(dir, `pair-${seq++}.sqlite`);
      return [new SqliteJobStore({ path, clock }), new SqliteJobStore({ path, clock })];
    },
  ],
];

const redis = await openTestRedis(9);
afterAll(() => redis?.close());
if (redis) {
  pairs.push([
    'RedisJobStore (two connections)',
    (clock) => {
      const prefix = `pair-${seq++}`;
      return [
        new RedisJobStore({ redis: redis.connect(), prefix, clock }),
        new RedisJobStore({ redis: redis.connect(), prefix, clock }),
      ];
    },
  ]);
}

describe.each(pairs)('job claims: %s', (_name, make) => {
  it('gives a job to one owner at a time, with a fence that only grows', async () => {
    const clock = new ManualClock();
    const [a, b] = make(clock);
    const j = job();
    await a.insert(j);
    const first = await a.claim(j.id, 'node-a', 10_000);
    expect(first).toEqual({ jobId: j.id, owner: 'node-a', fence: 1, expiresAt: clock.now() + 10_000 });
    expect(await b.claim(j.id, 'node-b', 10_000)).toBeNull();
    expect(await a.claim(j.id, 'node-a', 10_000)).toBeNull();
    expect(await b.getClaim(j.id)).toEqual(first);

    await a.releaseClaim(first!);
    expect(await b.getClaim(j.id)).toBeNull();
    const second = await b.claim(j.id, 'node-b', 10_000);
    expect(second).toMatchObject({ owner: 'node-b', fence: 2 });
    // The released claim cannot come back to life.
    expect(await a.renewClaims([first!], 10_000)).toEqual([]);
    await a.close();
    await b.close();
  });

  it('lets a survivor take an expired claim; the old owner’s writes and renewals are then refused', async () => {
    const clock = new ManualClock();
    const [a, b] = make(clock);
    const j = job();
    const claimA = await a.insertClaimed(j, 'node-a', 10_000);
    expect(claimA.fence).toBe(1);
    await a.saveClaimed({ ...j, status: 'submitting' }, claimA);

    clock.advance(9_999);
    expect(await b.claim(j.id, 'node-b', 10_000)).toBeNull();
    const [renewed] = await a.renewClaims([claimA], 10_000);
    expect(renewed).toEqual({ ...claimA, expiresAt: clock.now() + 10_000 });

    clock.advance(10_000); // node-a stalled past its expiry
    await expect(a.saveClaimed({ ...j, status: 'submitted' }, renewed!)).rejects.toBeInstanceOf(
      JobClaimLostError,
    );
    const claimB = await b.claim(j.id, 'node-b', 10_000);
    expect(claimB).toMatchObject({ owner: 'node-b', fence: 2 });
    expect(await a.renewClaims([renewed!], 10_000)).toEqual([]);
    const refused = await a.saveClaimed({ ...j, status: 'failed' }, renewed!).catch((e: unknown) => e);
    expect(isJobClaimLostError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'JOB_CLAIM_LOST', jobId: j.id, owner: 'node-a', fence: 1 });
    expect((await b.get(j.id))?.status).toBe('submitting');

    await b.saveClaimed({ ...j, status: 'running' }, claimB!);
    expect((await a.get(j.id))?.status).toBe('running');
    // An unfenced save leaves the claim in place.
    await a.save({ ...j, status: 'running', progress: 5 });
    expect(await b.getClaim(j.id)).toEqual(claimB);
    await a.close();
    await b.close();
  });

  it('never claims a finished or unknown job, and refuses a second insert of an id', async () => {
    const clock = new ManualClock();
    const [a, b] = make(clock);
    const done = job({ status: 'succeeded' });
    await a.insert(done);
    expect(await b.claim(done.id, 'node-b', 10_000)).toBeNull();
    expect(await b.claim('0000000000000001', 'node-b', 10_000)).toBeNull();
    await expect(b.insertClaimed(done, 'node-b', 10_000)).rejects.toBeInstanceOf(JobExistsError);
    await expect(b.insert(done)).rejects.toBeInstanceOf(JobExistsError);
    await a.close();
    await b.close();
  });

  it('renews a set of claims and answers only those still held', async () => {
    const clock = new ManualClock();
    const [a, b] = make(clock);
    const one = await a.insertClaimed(job(), 'node-a', 5_000);
    const two = await a.insertClaimed(job(), 'node-a', 5_000);
    clock.advance(6_000);
    const taken = await b.claim(two.jobId, 'node-b', 5_000);
    expect(taken).not.toBeNull();
    // `one` expired but nobody took it: expired is lost all the same.
    expect(await a.renewClaims([one, two], 5_000)).toEqual([]);
    const fresh = await a.claim(one.jobId, 'node-a', 5_000);
    expect(await a.renewClaims([fresh!, two], 5_000)).toEqual([
      { ...fresh!, expiresAt: clock.now() + 5_000 },
    ]);
    await a.close();
    await b.close();
  });
});

describe('SqliteJobStore schema', () => {
  it('opens a version 1 file, keeps its jobs, and makes them claimable', async () => {
    const path = join(dir, 'v1.sqlite');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(`
      CREATE TABLE jobs (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, status TEXT NOT NULL, parent_id TEXT,
        action TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX jobs_by_client ON jobs (client_id, id);
      CREATE INDEX jobs_by_status ON jobs (status, id);
      CREATE INDEX jobs_by_parent ON jobs (parent_id, action) WHERE parent_id IS NOT NULL;
      CREATE TABLE webhook_deliveries (id TEXT PRIMARY KEY, job_id TEXT NOT NULL, state TEXT NOT NULL,
        created_at INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE INDEX deliveries_by_job ON webhook_deliveries (job_id, created_at);
      CREATE INDEX deliveries_pending ON webhook_deliveries (state, created_at);
    `);
    const j = job({ status: 'submitting' });
    old
      .prepare(
        'INSERT INTO jobs (id, client_id, status, parent_id, action, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(j.id, j.clientId, j.status, null, null, j.createdAt, j.updatedAt, JSON.stringify(j));
    old.pragma('user_version = 1');
    old.close();

    const [a, b] = [new SqliteJobStore({ path }), new SqliteJobStore({ path })];
    expect(await a.get(j.id)).toEqual(j);
    expect(await a.listUnfinished()).toEqual([j]);
    expect(await a.claim(j.id, 'node-a', 10_000)).toMatchObject({ fence: 1 });
    expect(await b.claim(j.id, 'node-b', 10_000)).toBeNull();
    // Schema 3 added pre-rendered list views; a row from before has none and is rendered on read.
    const render = (r: JobRecord): string => JSON.stringify({ id: r.id, status: r.status });
    const c = new SqliteJobStore({ path, renderView: render });
    expect(await c.listViews({ limit: 10 })).toEqual({ items: [{ id: j.id, view: render(j) }], next: null });
    const newer = job({ status: 'queued' });
    await c.insert(newer);
    const stored = new Database(path, { readonly: true });
    expect(stored.prepare('SELECT view FROM job_views WHERE id = ?').get(newer.id)).toEqual({
      view: render(newer),
    });
    stored.close();
    expect(await c.listViews({ limit: 1 })).toEqual({
      items: [{ id: newer.id, view: render(newer) }],
      next: newer.id,
    });
    expect(await a.listViews({ limit: 1 })).toBeUndefined();
    // Schema 4 added each job's event history.
    expect(await c.listJobEvents(j.id)).toEqual([]);
    await c.close();
    await a.close();
    await b.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a file from a newer version', () => {
    const path = join(dir, 'future.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteJobStore({ path })).toThrow(/schema 99 is newer/);
  });
});
