/**
 * List pages served from the views kept in memory (view-cache.ts) answer exactly what the file
 * holds: a job's own write drops its view, a write by another connection to the same file (a
 * second service) clears them all, and the bound holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobRecord, type JobRecord } from '../../src/service/jobs/job.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { ViewCache } from '../../src/service/jobs/view-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-view-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const render = (job: JobRecord): string =>
  JSON.stringify({ id: job.id, status: job.status, progress: job.progress });
let seq = 0;
function job(): JobRecord {
  seq += 1;
  return createJobRecord(
    String(1_760_000_000_000_000 + seq),
    { clientId: 'alice', kind: 'imagine', prompt: `p${seq}` },
    seq,
  );
}
const page = async (store: SqliteJobStore) =>
  (await store.listViews({ clientId: 'alice', limit: 10 }))?.items.map((i) => JSON.parse(i.view));

describe('ViewCache', () => {
  it('keeps a page only from its second read on, and nothing with a bound of 0', () => {
    const cache = new ViewCache(100);
    expect([cache.pageSeen('p1'), cache.pageSeen('p1'), cache.pageSeen('p1')]).toEqual([
      'new',
      'again',
      'kept',
    ]);
    expect(cache.pageSeen('p2')).toBe('new');
    const off = new ViewCache(0);
    expect([off.pageSeen('p1'), off.pageSeen('p1')]).toEqual(['new', 'new']);
  });

  it('drops the oldest entries past its bound, and holds nothing larger than it', () => {
    const cache = new ViewCache(10);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    cache.set('c', 'cccc');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 'bbbb', 'cccc']);
    expect(cache.stats).toEqual({ entries: 2, chars: 8 });
    cache.set('b', 'bb');
    expect(cache.stats).toEqual({ entries: 2, chars: 6 });
    cache.set('big', 'x'.repeat(11));
    expect(cache.get('big')).toBeUndefined();
    cache.delete('c');
    cache.clear();
    expect(cache.stats).toEqual({ entries: 0, chars: 0 });
  });
});

describe('SqliteJobStore list pages from memory', () => {
  it("shows a job's own later write, not the view listed before it", async () => {
    const store = new SqliteJobStore({ path: join(dir, 'own.sqlite'), renderView: render });
    const a = job();
    await store.insert(a);
    // Views are kept from a page's second read on; the third is served from memory.
    for (let read = 0; read < 3; read += 1) {
      expect(await page(store)).toEqual([{ id: a.id, status: 'queued', progress: 0 }]);
    }
    await store.save({ ...a, status: 'running', progress: 40 });
    expect(await page(store)).toEqual([{ id: a.id, status: 'running', progress: 40 }]);
    await store.close();
  });

  it('shows what another connection wrote to the same file (a second service), never a stale view', async () => {
    const path = join(dir, 'shared.sqlite');
    const first = new SqliteJobStore({ path, renderView: render });
    const second = new SqliteJobStore({ path, renderView: render });
    const a = job();
    const b = job();
    await first.insert(a);
    await first.insert(b);
    // Read three times: the views are kept at the second read, the third is served from memory.
    const before = await page(first);
    expect(await page(first)).toEqual(before);
    expect(await page(first)).toEqual(before);
    await second.save({ ...a, status: 'succeeded', progress: 100 });
    expect(await page(first)).toEqual([
      { id: b.id, status: 'queued', progress: 0 },
      { id: a.id, status: 'succeeded', progress: 100 },
    ]);
    await first.close();
    await second.close();
  });

  it('answers the same pages with the cache off, and with one too small for a page', async () => {
    const path = join(dir, 'bounded.sqlite');
    const seeded = new SqliteJobStore({ path, renderView: render });
    for (let i = 0; i < 25; i += 1) await seeded.insert(job());
    const expected = await page(seeded);
    await seeded.close();
    for (const viewCacheChars of [0, 60]) {
      const store = new SqliteJobStore({ path, renderView: render, viewCacheChars });
      for (let read = 0; read < 3; read += 1) expect(await page(store)).toEqual(expected);
      await store.close();
    }
  });
});

describe('ViewCache under churn', () => {
  it('keeps its eviction queue near its live entries when views are dropped and set again', () => {
    const cache = new ViewCache(1_000_000);
    for (let i = 0; i < 50_000; i += 1) {
      cache.set('a', `view ${i}`);
      cache.delete('a');
    }
    cache.set('b', 'bbb');
    const queue = (cache as unknown as { order: unknown[]; head: number }).order.length;
    expect(queue).toBeLessThan(2_000);
    expect(cache.get('b')).toBe('bbb');
    expect(cache.stats).toEqual({ entries: 1, chars: 3 });
  });

  it('evicts the oldest live entry, skipping ones replaced or deleted since', () => {
    const cache = new ViewCache(9);
    cache.set('a', 'aaa');
    cache.set('b', 'bbb');
    cache.set('a', 'AAA');
    cache.delete('b');
    cache.set('c', 'ccc');
    cache.set('d', 'ddd');
    // 'a' was set again after 'b': 'a' (its second insertion) is now the oldest live entry.
    cache.set('e', 'eee');
    expect([cache.get('a'), cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([
      undefined,
      'ccc',
      'ddd',
      'eee',
    ]);
  });
});
