import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandTaskRecord } from '../../src/service/jobs/command-task-record.js';
import { createJobRecord, type JobRecord, type JobStatus } from '../../src/service/jobs/job.js';
import type { JobHistoryEvent } from '../../src/service/jobs/job-history.js';
import type { JobStore, WebhookDelivery } from '../../src/service/jobs/job-store.js';
import { MemoryJobStore } from '../../src/service/jobs/memory-store.js';
import { RedisJobStore } from '../../src/service/jobs/redis-store.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { openTestRedis } from '../cluster/redis-test-env.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-store-'));
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

function delivery(jobId: string, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  seq += 1;
  return {
    id: `d-${seq}`,
    jobId,
    url: 'https://hooks.test/x',
    event: 'completed',
    format: 'mjw',
    body: '{}',
    state: 'pending',
    attempts: 0,
    lastStatus: null,
    lastError: null,
    createdAt: seq,
    updatedAt: seq,
    deliveredAt: null,
    ...overrides,
  };
}

const redis = await openTestRedis(13);
afterAll(() => redis?.close());

const stores: [string, () => JobStore][] = [
  ['MemoryJobStore', () => new MemoryJobStore()],
  ['SqliteJobStore', () => new SqliteJobStore({ path: join(dir, `store-${seq++}.sqlite`) })],
];
if (redis) {
  // A prefix per store: each test starts from an empty store on the file's own database.
  stores.push(['RedisJobStore', () => new RedisJobStore({ redis: redis.redis, prefix: `store-${seq++}` })]);
}

describe.each(stores)('%s', (_name, make) => {
  it('inserts, refuses a duplicate id, saves and reads back an equal copy', async () => {
    const store = make();
    const a = job({ metadata: { order: 7, tags: ['x'] } });
    await store.insert(a);
    await expect(store.insert(a)).rejects.toThrow();
    const read = await store.get(a.id);
    expect(read).toEqual(a);
    read!.prompt = 'mutated';
    expect((await store.get(a.id))?.prompt).toBe(a.prompt);
    await store.save({ ...a, status: 'running', progress: 40 });
    expect(await store.get(a.id)).toMatchObject({ status: 'running', progress: 40 });
    expect(await store.get('9999999999999999')).toBeUndefined();
    await store.close();
  });

  it("keeps a button ticket's form fields (formNonce, formPrompt, sourcePrompt): resume needs them", async () => {
    const store = make();
    const a = job({
      status: 'submitting',
      ticket: {
        kind: 'variation',
        prompt: 'a fox in the snow',
        channelId: '1100000000000000200',
        nonce: '1300000000000000001',
        afterMessageId: '1300000000000000000',
        submittedAt: 5_000,
        sourceMessageId: '1300000000000000000',
        customId: 'MJ::JOB::variation::2::a00087fb-f747-4cb8-adfe-747d23673f27',
        formNonce: '1300000000000000002',
        formPrompt: 'a fox in the snow',
        sourcePrompt: 'a fox',
      },
    });
    await store.insert(a);
    expect((await store.get(a.id))?.ticket).toEqual(a.ticket);
    await store.close();
  });

  it("round-trips a niji job's botType in its document (no column, no migration), and reads an old one without it", async () => {
    const store = make();
    const niji = {
      ...createJobRecord(
        '1750000000999001',
        { clientId: 'alice', kind: 'imagine', prompt: 'a fox', botType: 'niji' },
        5,
      ),
    };
    const plain = job();
    expect(niji.botType).toBe('niji');
    expect('botType' in plain).toBe(false);
    await store.insert(niji);
    await store.insert(plain);
    expect(await store.get(niji.id)).toEqual(niji);
    expect((await store.get(plain.id))?.botType).toBeUndefined();
    await store.save({ ...niji, status: 'succeeded', progress: 100 });
    expect(await store.get(niji.id)).toMatchObject({ botType: 'niji', status: 'succeeded' });
    const page = await store.list({ clientId: 'alice', statuses: [], limit: 10 });
    expect(page.jobs.find((j) => j.id === niji.id)?.botType).toBe('niji');
    await store.close();
  });

  it('lists newest first, filtered by owner and status, with cursor pages that neither skip nor repeat', async () => {
    const store = make();
    const statuses: JobStatus[] = [
      'queued',
      'succeeded',
      'failed',
      'succeeded',
      'running',
      'succeeded',
      'succeeded',
    ];
    const jobs = statuses.map((status) => job({ status }));
    const other = job({ clientId: 'bob', status: 'succeeded' });
    for (const j of [...jobs, other]) await store.insert(j);

    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.list({ clientId: 'alice', limit: 3, ...(before ? { before } : {}) });
      seen.push(...page.jobs.map((j) => j.id));
      if (page.next === null) break;
      before = page.next;
    }
    expect(seen).toEqual(jobs.map((j) => j.id).reverse());

    const done = await store.list({ clientId: 'alice', statuses: ['succeeded'], limit: 10 });
    expect(done.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(done.next).toBeNull();
    const exact = await store.list({ clientId: 'alice', statuses: ['succeeded'], limit: 4 });
    expect(exact.next).toBeNull();
    expect((await store.list({ limit: 100 })).jobs).toHaveLength(8);
    expect(await store.listByIds([other.id, '0000000000000000', jobs[0]!.id])).toEqual([other, jobs[0]]);
    expect(await store.maxId()).toBe(other.id);
    expect(await store.count()).toBe(8);
    await store.close();
  });

  it('lists unfinished jobs oldest first, and finds a live child action', async () => {
    const store = make();
    const parent = job({ status: 'succeeded' });
    const failedChild = job({ parentId: parent.id, action: 'U1', kind: 'upscale', status: 'failed' });
    const liveChild = job({ parentId: parent.id, action: 'U1', kind: 'upscale', status: 'submitted' });
    const queued = job({ status: 'queued' });
    for (const j of [parent, failedChild, liveChild, queued]) await store.insert(j);
    expect((await store.listUnfinished()).map((j) => j.id)).toEqual([liveChild.id, queued.id]);
    expect((await store.findChild(parent.id, 'U1'))?.id).toBe(liveChild.id);
    expect(await store.findChild(parent.id, 'U2')).toBeUndefined();
    await store.close();
  });

  it('records webhook deliveries and lists the pending ones', async () => {
    const store = make();
    const j = job();
    await store.insert(j);
    const first = delivery(j.id);
    const second = delivery(j.id, { event: 'progress' });
    await store.saveDelivery(first);
    await store.saveDelivery(second);
    await store.saveDelivery({ ...first, state: 'delivered', attempts: 2, lastStatus: 200 });
    expect((await store.listDeliveries(j.id)).map((d) => [d.event, d.state, d.attempts])).toEqual([
      ['completed', 'delivered', 2],
      ['progress', 'pending', 0],
    ]);
    expect((await store.listPendingDeliveries()).map((d) => d.id)).toEqual([second.id]);
    await store.close();
  });

  it("keeps each job's newest events, in order, apart from other jobs'", async () => {
    const store = make();
    const [a, b] = [job(), job()];
    for (const j of [a, b]) await store.insert(j);
    const event = (jobId: string, progress: number): JobHistoryEvent => ({
      jobId,
      at: 1_750_000_000_000 + progress,
      type: 'progress',
      status: 'running',
      progress,
      notice: null,
      error: null,
    });
    for (const p of [10, 20, 30, 40, 50]) await store.appendJobEvent(event(a.id, p), 3);
    await store.appendJobEvent(event(b.id, 99), 3);
    expect((await store.listJobEvents(a.id)).map((e) => e.progress)).toEqual([30, 40, 50]);
    expect(await store.listJobEvents(b.id)).toEqual([event(b.id, 99)]);
    expect(await store.listJobEvents('9999999999999999')).toEqual([]);
    await store.close();
  });

  it("keeps a Vary (Region) job's mask and drops it when saved without", async () => {
    const store = make();
    const a = job({
      kind: 'variation',
      action: 'vary-region',
      mask: Buffer.from('mask-png').toString('base64'),
    });
    await store.insert(a);
    expect((await store.get(a.id))?.mask).toBe(a.mask);
    await store.save({ ...a, status: 'succeeded', mask: null });
    expect((await store.get(a.id))?.mask).toBeNull();
    await store.close();
  });

  it('keeps proxy command tasks by id, replaced in place, trimmed to the newest `keep`', async () => {
    const store = make();
    const task = (n: number, status = 'SUCCESS'): CommandTaskRecord => ({
      id: String(1_750_000_000_000_000 + n),
      clientId: n % 2 === 0 ? 'alice' : 'bob',
      createdAt: 1_750_000_000_000 + n,
      task: JSON.stringify({ n, status }),
    });
    for (const n of [1, 2, 3]) await store.saveCommandTask(task(n, 'IN_PROGRESS'), 3);
    await store.saveCommandTask(task(2), 3);
    const ids = (ns: number[]) => ns.map((n) => task(n).id);
    expect(await store.listCommandTasks(ids([3, 9, 2]))).toEqual([task(3, 'IN_PROGRESS'), task(2)]);
    await store.saveCommandTask(task(4), 3);
    expect((await store.listCommandTasks(ids([1, 2, 3, 4]))).map((t) => t.id)).toEqual(ids([2, 3, 4]));
    expect(await store.listCommandTasks([])).toEqual([]);
    await store.close();
  });
});

describe('SqliteJobStore durability', () => {
  it('keeps jobs and deliveries across close and reopen, in WAL mode', async () => {
    const path = join(dir, 'durable.sqlite');
    const first = new SqliteJobStore({ path });
    const j = job({ status: 'submitting', ticket: null });
    await first.insert(j);
    await first.saveDelivery(delivery(j.id));
    await first.close();
    const second = new SqliteJobStore({ path });
    expect(await second.get(j.id)).toEqual(j);
    expect(await second.listPendingDeliveries()).toHaveLength(1);
    await second.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
