/**
 * Whole list pages kept in memory (page-cache.ts) answer exactly what the file holds: a write of a
 * job in the span a page read drops it (a job inserted into it, a status change under a filter, a
 * new job on a first page, an older job under a page that reached the oldest), a write elsewhere
 * keeps it, and a write by another connection clears them all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobRecord, type JobRecord, type JobStatus } from '../../src/service/jobs/job.js';
import type { JobListQuery } from '../../src/service/jobs/job-store.js';
import { PageCache } from '../../src/service/jobs/page-cache.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-page-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const render = (job: JobRecord): string => JSON.stringify({ id: job.id, status: job.status });
const id = (n: number): string => String(1_760_000_000_000_000 + n);
const job = (n: number, status: JobStatus = 'queued', clientId = 'alice'): JobRecord => ({
  ...createJobRecord(id(n), { clientId, kind: 'imagine', prompt: `p${n}` }, n),
  status,
});
let files = 0;
/** A store holding jobs 10, 20, ..., 100 of alice. */
async function seeded(): Promise<SqliteJobStore> {
  files += 1;
  const store = new SqliteJobStore({ path: join(dir, `jobs-${files}.sqlite`), renderView: render });
  for (let n = 10; n <= 100; n += 10) await store.insert(job(n));
  return store;
}
const ids = async (store: SqliteJobStore, query: JobListQuery) => {
  const page = await store.listViews(query);
  return { ids: page?.items.map((i) => i.id.slice(-3)), next: page?.next?.slice(-3) ?? null };
};
/** Reads the page until the store answers it from memory (the same object twice). */
async function kept(store: SqliteJobStore, query: JobListQuery): Promise<void> {
  // Views are kept from the second read, the whole page from the third.
  for (let read = 0; read < 3; read += 1) await store.listViews(query);
  expect(await store.listViews(query)).toBe(await store.listViews(query));
}

describe('PageCache spans', () => {
  it.each([
    // [low, high, written id, dropped]
    ['020', '050', '020', true],
    ['020', '050', '035', true],
    ['020', '050', '050', false],
    ['020', '050', '019', false],
    [undefined, '050', '001', true],
    ['020', undefined, '999', true],
    ['020', undefined, '010', false],
  ])('a page reading [%s, %s) is dropped by a write of %s: %s', (low, high, written, dropped) => {
    const cache = new PageCache(100);
    const page = cache.set('p', { items: [], next: null }, { low, high });
    expect(page.kept).toBe(true);
    cache.drop(written);
    expect(cache.get('p')).toBe(dropped ? undefined : page);
  });

  it('holds at most its bound of characters, the oldest page going first, and nothing with 0', () => {
    const cache = new PageCache(10);
    const page = (view: string) => ({ items: [{ id: '1', view }], next: null });
    const span = { low: '1', high: '2' };
    for (const key of ['a', 'b', 'c']) cache.set(key, page('xxxx'), span);
    expect([cache.get('a'), cache.get('b') !== undefined, cache.get('c') !== undefined]).toEqual([
      undefined,
      true,
      true,
    ]);
    expect(cache.stats).toEqual({ pages: 2, chars: 8 });
    cache.set('b', page('yy'), span);
    expect(cache.stats).toEqual({ pages: 2, chars: 6 });
    cache.set('big', page('x'.repeat(11)), span);
    expect([cache.get('big'), cache.stats]).toEqual([undefined, { pages: 2, chars: 6 }]);
    cache.drop('1');
    expect(cache.stats).toEqual({ pages: 0, chars: 0 });
    const off = new PageCache(0);
    expect(off.set('a', page('x'), { low: undefined, high: undefined }).kept).toBeUndefined();
    expect(off.stats.pages).toBe(0);
  });
});

describe('SqliteJobStore pages kept whole', () => {
  it('shows a job inserted into the span of a page read from the middle', async () => {
    const store = await seeded();
    const query = { clientId: 'alice', limit: 2, before: id(80) };
    await kept(store, query);
    expect(await ids(store, query)).toEqual({ ids: ['070', '060'], next: '060' });
    await store.insert(job(65));
    expect(await ids(store, query)).toEqual({ ids: ['070', '065'], next: '065' });
    // The next page's first job: its span starts with the extra row (050), which it now leaves.
    const next = { clientId: 'alice', limit: 2, before: id(60) };
    await kept(store, next);
    await store.insert(job(55));
    expect(await ids(store, next)).toEqual({ ids: ['055', '050'], next: '050' });
    await store.close();
  });

  it('keeps a page through writes outside its span', async () => {
    const store = await seeded();
    const query = { clientId: 'alice', limit: 2, before: id(80) };
    await kept(store, query);
    const page = await store.listViews(query);
    await store.insert(job(95));
    await store.save(job(40, 'running'));
    expect(await store.listViews(query)).toBe(page);
    await store.close();
  });

  it('drops a status-filtered page when one of its jobs changes status', async () => {
    const store = await seeded();
    const query = { clientId: 'alice', statuses: ['queued' as const], limit: 3, before: id(100) };
    await kept(store, query);
    expect((await ids(store, query)).ids).toEqual(['090', '080', '070']);
    await store.save(job(80, 'succeeded'));
    expect((await ids(store, query)).ids).toEqual(['090', '070', '060']);
    await store.close();
  });

  it('shows a new job on a first page, and an older job under a page that reached the oldest', async () => {
    const store = await seeded();
    const first = { clientId: 'alice', limit: 3 };
    await kept(store, first);
    await store.insert(job(110));
    expect((await ids(store, first)).ids).toEqual(['110', '100', '090']);
    const last = { clientId: 'alice', limit: 5, before: id(40) };
    await kept(store, last);
    expect(await ids(store, last)).toEqual({ ids: ['030', '020', '010'], next: null });
    await store.insert(job(5));
    expect(await ids(store, last)).toEqual({ ids: ['030', '020', '010', '005'], next: null });
    await store.close();
  });

  it("drops a kept page when a job on it is rewritten, and shows the job's new view", async () => {
    const store = await seeded();
    const query = { clientId: 'alice', limit: 2, before: id(80) };
    await kept(store, query);
    await store.save(job(70, 'running'));
    const page = await store.listViews(query);
    expect(page?.items.map((i) => JSON.parse(i.view).status)).toEqual(['running', 'queued']);
    await store.close();
  });

  it('clears kept pages when another connection writes to the file', async () => {
    const store = await seeded();
    const other = new SqliteJobStore({ path: store.path, renderView: render });
    const query = { clientId: 'alice', limit: 2, before: id(80) };
    await kept(store, query);
    // Outside the page's span, but this connection cannot know where another one wrote.
    await other.save(job(70, 'succeeded'));
    const page = await store.listViews(query);
    expect(page?.items.map((i) => JSON.parse(i.view).status)).toEqual(['succeeded', 'queued']);
    await other.close();
    await store.close();
  });

  it('serves kept pages as frozen objects, so no reader can change what the next one gets', async () => {
    const store = await seeded();
    const query = { clientId: 'alice', limit: 2 };
    await kept(store, query);
    const page = await store.listViews(query);
    expect(page?.kept).toBe(true);
    expect(Object.isFrozen(page)).toBe(true);
    expect(Object.isFrozen(page?.items)).toBe(true);
    expect(Object.isFrozen(page?.items[0])).toBe(true);
    await store.close();
  });
});
