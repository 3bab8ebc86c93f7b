/**
 * Backpressure cluster-wide: two API nodes of one cluster (real Redis, real HTTP on 127.0.0.1)
 * share each key's request bucket, its submission bucket and the cap of unfinished jobs
 * (MJW_MAX_ACTIVE_JOBS), and keep the refund policy: a request refused before any work, or a
 * submission refused as busy, does not use up the caller's bucket.
 */
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../src/config/service.js';
import { type ClusterNode, startClusterNode } from '../../src/service/cluster/node.js';
import { RedisTokenBucket } from '../../src/service/limits/redis-token-bucket.js';
import { openTestRedis, TEST_REDIS_URL } from '../cluster/redis-test-env.js';

/** Shared with the other cluster files on DB 5: keys under this file's prefix only. */
const DB = 5;
const PREFIX = `limits-${process.pid}`;
const env = await openTestRedis(DB, { keyPrefix: PREFIX });
afterAll(() => env?.close());

function redisUrl(): string {
  const url = new URL(TEST_REDIS_URL);
  url.pathname = `/${DB}`;
  return url.toString();
}

describe.skipIf(env === undefined)('cluster-wide limits across two API nodes', () => {
  if (!env) return;
  const nodes: ClusterNode[] = [];
  let run = 0;

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.close()));
  });

  /** Two API-only nodes on one prefix of their own (a fresh cluster per test). */
  async function twoApiNodes(vars: Record<string, string>): Promise<[string, string]> {
    run += 1;
    const config = loadServiceConfig(
      {
        MJW_REDIS_URL: redisUrl(),
        MJW_REDIS_PREFIX: `${PREFIX}-${run}`,
        MJW_PORT: '0',
        ...vars,
      },
      { worker: false },
    );
    const logger = pino({ level: 'silent' });
    for (let i = 0; i < 2; i++) nodes.push(await startClusterNode({ config, logger, listen: true }));
    return nodes.map((node) => node.url) as [string, string];
  }

  const imagine = (base: string, body: unknown = { prompt: 'a harbour at dawn' }) =>
    fetch(`${base}/v1/imagine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('shares one key’s request bucket: 3 requests per window across both nodes, not 3 each; a refused-before-work request costs nothing', async () => {
    const [a, b] = await twoApiNodes({ MJW_RATE_LIMIT_REQUESTS: '3', MJW_RATE_LIMIT_WINDOW_MS: '600000' });
    // A bad body is refused before any work (VALIDATION_FAILED): its token is given back.
    const bad = await imagine(a, { prompt: '' });
    expect(bad.status).toBe(400);
    const statuses: number[] = [];
    for (const base of [b, a, b]) statuses.push((await fetch(`${base}/v1/jobs`)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await fetch(`${a}/v1/jobs`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()) as unknown).toMatchObject({ error: { code: 'RATE_LIMIT_EXCEEDED' } });
    // And on the other node too: the bucket is the key's, wherever it calls.
    expect((await fetch(`${b}/v1/jobs`)).status).toBe(429);
  });

  it('shares one key’s submission bucket across both nodes', async () => {
    const [a, b] = await twoApiNodes({
      MJW_SUBMIT_RATE_LIMIT_REQUESTS: '2',
      MJW_SUBMIT_RATE_LIMIT_WINDOW_MS: '600000',
    });
    expect((await imagine(a)).status).toBe(202);
    expect((await imagine(b)).status).toBe(202);
    const third = await imagine(a);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain('submissions');
  });

  it('holds one cap of unfinished jobs for the whole cluster; a busy refusal gives the submission token back', async () => {
    const [a, b] = await twoApiNodes({
      MJW_MAX_ACTIVE_JOBS: '2',
      MJW_SUBMIT_RATE_LIMIT_REQUESTS: '3',
      MJW_SUBMIT_RATE_LIMIT_WINDOW_MS: '600000',
    });
    // No worker: the jobs stay queued in Redis, counted by every node.
    const first = (await (await imagine(a)).json()) as { id: string };
    expect((await imagine(b)).status).toBe(202);
    const busy = await imagine(a);
    expect(busy.status).toBe(503);
    expect((await busy.json()) as unknown).toMatchObject({ error: { code: 'SERVICE_BUSY' } });
    expect((await imagine(b)).status).toBe(503);
    // One job ends (cancelled while queued, from the other node): room for one more.
    expect((await fetch(`${b}/v1/jobs/${first.id}`, { method: 'DELETE' })).status).toBe(200);
    // The third submission token is still there: the two busy refusals were refunded.
    expect((await imagine(a)).status).toBe(202);
    // Three accepted: now the key's submission bucket is empty, on both nodes.
    expect((await imagine(b)).status).toBe(429);
  });
});

describe.skipIf(env === undefined)('RedisTokenBucket', () => {
  if (!env) return;
  const { redis } = env;

  it('takes atomically under concurrency: 5 tokens, 20 takers on two clients, exactly 5 allowed', async () => {
    const options = { name: 'race', prefix: `${PREFIX}-race`, requests: 5, windowMs: 600_000 };
    const nodeA = new RedisTokenBucket({ ...options, redis });
    const nodeB = new RedisTokenBucket({ ...options, redis: env.connect() });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).take('key-1')),
    );
    expect(answers.filter((a) => a.allowed)).toHaveLength(5);
    const refused = answers.find((a) => !a.allowed);
    // 1 token per 120 s: the wait is about that long.
    expect(refused && !refused.allowed && refused.retryAfterMs).toBeGreaterThan(100_000);
    // A refund never goes beyond the capacity, and one for an unknown key creates nothing.
    await nodeB.refund('key-1');
    expect(await nodeA.take('key-1')).toMatchObject({ allowed: true });
    await nodeA.refund('never-seen');
    expect(await redis.exists(nodeA.bucketKey('never-seen'))).toBe(0);
    // The bucket expires once it would be full again: idle keys cost Redis nothing.
    expect(await redis.pttl(nodeA.bucketKey('key-1'))).toBeGreaterThan(0);
    expect(nodeA.fallbacks + nodeB.fallbacks).toBe(0);
  });

  it('falls back to the node’s own bucket when Redis cannot answer', async () => {
    const broken = env.connect();
    broken.on('error', () => undefined);
    broken.disconnect();
    const bucket = new RedisTokenBucket({
      name: 'down',
      prefix: `${PREFIX}-down`,
      requests: 1,
      windowMs: 600_000,
      redis: broken,
    });
    expect(await bucket.take('k')).toMatchObject({ allowed: true });
    expect(await bucket.take('k')).toMatchObject({ allowed: false });
    expect(bucket.fallbacks).toBe(2);
  });
});
