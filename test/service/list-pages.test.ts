/**
 * GET /v1/jobs on the SQLite store, as `mjw serve` runs it: pages are served from the views
 * stored with the jobs, answer the same jobs GET /v1/jobs/:id does, page with the cursor, and a
 * job in flight is shown as the runner sees it (fresher than its stored view).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toJobView } from '../../src/service/http/job-view.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('GET /v1/jobs on the SQLite store', () => {
  it('serves stored views page by page, and the runner state of a job in flight', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mjw-list-')), 'jobs.sqlite');
    const store = new SqliteJobStore({ path, renderView: (job) => JSON.stringify(toJobView(job)) });
    t = await startTestService({ store, closeStore: true });
    const runner = t.started.service.runner;
    const ids: string[] = [];
    for (const prompt of ['one', 'two <b>“three”</b>', 'four']) {
      const submitted = await t.alice.post('/v1/imagine', { prompt });
      ids.push(submitted.body.id);
      const done = waitForStatus(runner, submitted.body.id, 'succeeded');
      (await t.generator.job(ids.length)).complete();
      await done;
    }
    const views = vi.spyOn(store, 'listViews');
    const list = vi.spyOn(store, 'list');

    const page = await t.alice.get('/v1/jobs?limit=2');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(page.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    for (const listed of page.body.jobs) {
      expect(listed).toEqual((await t.alice.get(`/v1/jobs/${listed.id}`)).body);
    }
    const rest = await t.alice.get(`/v1/jobs?limit=2&cursor=${page.body.nextCursor}`);
    expect(rest.body).toEqual({ jobs: [(await t.alice.get(`/v1/jobs/${ids[0]}`)).body], nextCursor: null });
    // Read from the stored views, never parsed from the job documents.
    expect(views).toHaveBeenCalledTimes(2);
    expect(list).not.toHaveBeenCalled();
    expect((await t.bob.get('/v1/jobs')).body).toEqual({ jobs: [], nextCursor: null });

    // A job in flight: its progress lives in the runner, fresher than its stored view.
    const running = await t.alice.post('/v1/imagine', { prompt: 'five' });
    const fake = await t.generator.job(4);
    fake.progress(62);
    const live = await t.alice.get('/v1/jobs?limit=2');
    expect(live.body.jobs[0]).toMatchObject({ id: running.body.id, status: 'running', progress: 62 });
    expect(live.body.jobs[1]).toMatchObject({ id: ids[2], status: 'succeeded' });
  });

  it('answers a page read again from memory, and still shows every later change of its jobs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mjw-list-')), 'jobs.sqlite');
    const store = new SqliteJobStore({ path, renderView: (job) => JSON.stringify(toJobView(job)) });
    t = await startTestService({ store, closeStore: true });
    const runner = t.started.service.runner;
    const first = await t.alice.post('/v1/imagine', { prompt: 'one' });
    const done = waitForStatus(runner, first.body.id, 'succeeded');
    (await t.generator.job(1)).complete();
    await done;
    const read = async () => (await t!.alice.get('/v1/jobs?limit=5')).body;
    const before = await read();
    // Read until the store answers the page from memory (page-cache.ts) and its answer is kept.
    for (let i = 0; i < 3; i += 1) expect(await read()).toEqual(before);

    // A new job through the service: the page shows it, then its progress as the runner sees it,
    // although nothing is written to the store between two reads.
    const second = await t.alice.post('/v1/imagine', { prompt: 'two' });
    const fake = await t.generator.job(2);
    fake.progress(10);
    for (let i = 0; i < 3; i += 1) {
      expect((await read()).jobs[0]).toMatchObject({ id: second.body.id, status: 'running', progress: 10 });
    }
    // A slow store: the runner holds progress 62 before the store does, and the page is unchanged
    // in the store; the answer kept for it must not hide the runner's fresher state.
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const save = store.saveClaimed.bind(store);
    const slow = vi.spyOn(store, 'saveClaimed').mockImplementation(async (...args) => {
      await held;
      return save(...args);
    });
    try {
      fake.progress(62);
      expect((await read()).jobs[0]).toMatchObject({ id: second.body.id, progress: 62 });
    } finally {
      release();
      slow.mockRestore();
    }
    const finished = waitForStatus(runner, second.body.id, 'succeeded');
    fake.complete();
    await finished;
    const after = await read();
    expect(after.jobs.map((j: { status: string }) => j.status)).toEqual(['succeeded', 'succeeded']);
    expect(after.jobs[0]).toEqual((await t.alice.get(`/v1/jobs/${second.body.id}`)).body);
    // Another key's page is its own.
    expect((await t.bob.get('/v1/jobs?limit=5')).body).toEqual({ jobs: [], nextCursor: null });
  });
});
