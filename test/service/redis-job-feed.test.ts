import { EventEmitter } from 'eventemitter3';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisJobFeed } from '../../src/service/events/redis-job-feed.js';
import { createJobRecord, type JobRecord } from '../../src/service/jobs/job.js';
import type { JobEventType, JobRunnerEvents } from '../../src/service/runner/job-events.js';
import { openTestRedis } from '../cluster/redis-test-env.js';

const env = await openTestRedis(15);

function nextChange(feed: RedisJobFeed): Promise<[JobRecord, JobEventType]> {
  return new Promise((resolve) => feed.once('change', (job, type) => resolve([job, type])));
}

describe.skipIf(env === undefined)('RedisJobFeed', () => {
  if (!env) return;
  afterAll(() => env.close());

  it("brings one node's runner changes to another node, once, and to itself without a round trip", async () => {
    const errors: unknown[] = [];
    const worker = new RedisJobFeed({ publisher: env.redis, subscriber: env.connect(), channel: 't1' });
    const api = new RedisJobFeed({
      publisher: env.redis,
      subscriber: env.connect(),
      channel: 't1',
      onError: (e) => errors.push(e),
    });
    await Promise.all([worker.start(), api.start()]);
    const runner = new EventEmitter<JobRunnerEvents>();
    worker.follow(runner);

    const local: JobEventType[] = [];
    worker.on('change', (_job, type) => local.push(type));
    const remote = nextChange(api);
    const job = {
      ...createJobRecord('1750000000000001', { clientId: 'a', kind: 'imagine', prompt: 'x' }, 1),
      progress: 40,
    };
    runner.emit('change', job, 'progress');

    expect(local).toEqual(['progress']); // synchronously, before any Redis answer
    const [seen, type] = await remote;
    expect(type).toBe('progress');
    expect(seen).toEqual(job);

    // A malformed message on the channel is reported, not thrown or emitted.
    const emitted: JobEventType[] = [];
    api.on('change', (_j, t) => emitted.push(t));
    await env.redis.publish('t1', '{"node":"x","type":"bogus"}');
    const marker = nextChange(api);
    runner.emit('change', job, 'completed');
    await marker;
    expect(emitted).toEqual(['completed']);
    expect(errors).toHaveLength(1);
    expect(local).toEqual(['progress', 'completed']); // its own messages are not delivered twice
    await Promise.all([worker.close(), api.close()]);
  });
});
