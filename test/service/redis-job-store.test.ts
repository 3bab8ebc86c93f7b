import { afterAll, describe, expect, it } from 'vitest';
import { createJobRecord } from '../../src/service/jobs/job.js';
import { RedisJobStore } from '../../src/service/jobs/redis-store.js';
import { openTestRedis } from '../cluster/redis-test-env.js';

const env = await openTestRedis(14);

describe.skipIf(env === undefined)('RedisJobStore specifics', () => {
  if (!env) return;
  afterAll(() => env.close());
  const record = (id: string, clientId: string) =>
    createJobRecord(id, { clientId, kind: 'imagine', prompt: `p ${id}` }, 1_000);

  it('lets exactly one of two nodes insert the same id at once', async () => {
    const a = new RedisJobStore({ redis: env.connect(), prefix: 'race' });
    const b = new RedisJobStore({ redis: env.connect(), prefix: 'race' });
    const results = await Promise.allSettled([
      a.insert(record('1750000000000001', 'alice')),
      b.insert(record('1750000000000001', 'bob')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await a.count()).toBe(1);
  });

  it("keeps clients apart even when a client id holds the index separator (':')", async () => {
    const store = new RedisJobStore({ redis: env.redis, prefix: 'sep' });
    await store.insert(record('1750000000000001', 'a'));
    await store.insert(record('1750000000000002', 'a:queued'));
    const page = await store.list({ clientId: 'a', statuses: ['queued'], limit: 10 });
    expect(page.jobs.map((j) => j.clientId)).toEqual(['a']);
    expect((await store.list({ clientId: 'a:queued', limit: 10 })).jobs).toHaveLength(1);
  });

  it('moves a job between status indexes when it changes status, and only once', async () => {
    const store = new RedisJobStore({ redis: env.redis, prefix: 'moves' });
    const job = record('1750000000000001', 'alice');
    await store.insert(job);
    await store.save({ ...job, status: 'running' });
    await store.save({ ...job, status: 'succeeded' });
    expect(await store.listUnfinished()).toEqual([]);
    expect((await store.list({ statuses: ['queued', 'running'], limit: 10 })).jobs).toEqual([]);
    expect((await store.list({ statuses: ['succeeded'], limit: 10 })).jobs).toHaveLength(1);
  });
});
