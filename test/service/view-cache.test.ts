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
    expect(await page(store)).toEqual([{ id: a.id, status: 'queued', progress: 0 }]);
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
    // Read twice: the second read is served from memory.
    expect(await page(first)).toEqual(await page(first));
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
      expect(await page(store)).toEqual(expected);
      expect(await page(store)).toEqual(expected);
      await store.close();
    }
  });
});
