/**
 * List pages served from the SQLite store's joined views (the cheapest list path): the same
 * pages as listViews, page by page and filter by filter; undefined when a view is missing; and
 * over HTTP, the same jobs GET /v1/jobs/:id answers, with a job in flight still shown as the
 * runner sees it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toJobView } from '../../src/service/http/job-view.js';
import { createJobRecord, type JobRecord, type JobStatus } from '../../src/service/jobs/job.js';
import type { JobListQuery } from '../../src/service/jobs/job-store.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'mjw-list-')), 'jobs.sqlite');
const render = (job: JobRecord): string => JSON.stringify(toJobView(job));

const STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

function job(i: number): JobRecord {
  return {
    ...createJobRecord(
      String(1_750_000_000_000_000 + i),
      { clientId: i % 3 === 0 ? 'bob' : 'alice', kind: 'imagine', prompt: `a “fox” ${i} — ünïcode <b>` },
      1_750_000_000_000 + i,
    ),
    status: STATUSES[i % STATUSES.length]!,
  };
}

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('SqliteJobStore.listJoinedViews', () => {
  it('answers the pages listViews answers, for every filter and page size', async () => {
    const store = new SqliteJobStore({ path: dbPath(), renderView: render });
    for (let i = 0; i < 23; i += 1) await store.insert(job(i));
    const queries: Omit<JobListQuery, 'limit'>[] = [
      {},
      { clientId: 'alice' },
      { clientId: 'bob', statuses: ['queued', 'failed'] },
      { statuses: ['succeeded'] },
      { clientId: 'carol' },
    ];
    let pages = 0;
    for (const base of queries) {
      for (const limit of [1, 4, 7, 100]) {
        let before: string | undefined;
        for (;;) {
          const query = { ...base, limit, ...(before === undefined ? {} : { before }) };
          const expected = await store.listViews(query);
          const joined = await store.listJoinedViews(query);
          expect(joined, JSON.stringify(query)).toBeDefined();
          expect(joined!.ids).toEqual(expected!.items.map((item) => item.id));
          expect(joined!.joined.toString('utf8')).toBe(expected!.items.map((item) => item.view).join(','));
          expect(joined!.next).toBe(expected!.next);
          pages += 1;
          if (joined!.next === null) break;
          before = joined!.next;
        }
      }
    }
    expect(pages).toBeGreaterThan(40);
    await store.close();
  });

  it('is undefined when a job has no stored view (listViews renders it), and without a renderer', async () => {
    const path = dbPath();
    const plain = new SqliteJobStore({ path });
    await plain.insert(job(1));
    const viewed = new SqliteJobStore({ path, renderView: render });
    await viewed.insert(job(2));
    expect(await viewed.listJoinedViews({ limit: 10 })).toBeUndefined();
    expect((await viewed.listViews({ limit: 10 }))?.items).toHaveLength(2);
    // Pages that hold only jobs with views still take the joined path.
    expect((await viewed.listJoinedViews({ limit: 1 }))?.ids).toEqual([job(2).id]);
    expect(await plain.listJoinedViews({ limit: 10 })).toBeUndefined();
    await viewed.close();
    await plain.close();
  });
});

describe('GET /v1/jobs on the SQLite store', () => {
  it('serves stored views, and the runner state of a job in flight', async () => {
    const store = new SqliteJobStore({ path: dbPath(), renderView: render });
    t = await startTestService({ store, closeStore: true });
    const runner = t.started.service.runner;
    const ids: string[] = [];
    for (const prompt of ['one', 'two', 'three']) {
      const submitted = await t.alice.post('/v1/imagine', { prompt });
      ids.push(submitted.body.id);
      const done = waitForStatus(runner, submitted.body.id, 'succeeded');
      (await t.generator.job(ids.length)).complete();
      await done;
    }
    const joined = vi.spyOn(store, 'listJoinedViews');
    const views = vi.spyOn(store, 'listViews');

    const page = await t.alice.get('/v1/jobs?limit=2');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(page.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    for (const listed of page.body.jobs)
      expect(listed).toEqual((await t.alice.get(`/v1/jobs/${listed.id}`)).body);
    const rest = await t.alice.get(`/v1/jobs?limit=2&cursor=${page.body.nextCursor}`);
    expect(rest.body).toEqual({ jobs: [(await t.alice.get(`/v1/jobs/${ids[0]}`)).body], nextCursor: null });
    expect(joined).toHaveBeenCalledTimes(2);
    expect(views).not.toHaveBeenCalled();
    expect((await t.bob.get('/v1/jobs')).body).toEqual({ jobs: [], nextCursor: null });

    // A job in flight: its progress lives in the runner, fresher than its stored view.
    const running = await t.alice.post('/v1/imagine', { prompt: 'four' });
    const fake = await t.generator.job(4);
    fake.progress(62);
    const live = await t.alice.get('/v1/jobs?limit=2');
    expect(live.body.jobs[0]).toMatchObject({ id: running.body.id, status: 'running', progress: 62 });
    expect(live.body.jobs[1]).toMatchObject({ id: ids[2], status: 'succeeded' });
    expect(views).toHaveBeenCalledTimes(1);
  });
});
