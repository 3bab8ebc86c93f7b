import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/service/http/idempotency.js';
import { IdempotencyReservationLostError } from '../../src/service/jobs/idempotency-record.js';
import { createJobRecord } from '../../src/service/jobs/job.js';
import type { JobStore } from '../../src/service/jobs/job-store.js';
import { MemoryJobStore } from '../../src/service/jobs/memory-store.js';
import { RedisJobStore } from '../../src/service/jobs/redis-store.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { openTestRedis } from '../cluster/redis-test-env.js';
import { ManualClock } from './helpers/http.js';
import { startTestService, waitForStatus } from './helpers/service.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-idempotency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (k: string) => ({ 'idempotency-key': k });

describe('Idempotency-Key on POST /v1/imagine', () => {
  it('answers a retry with the first answer and creates one job', async () => {
    const t = await startTestService();
    const first = await t.alice.post('/v1/imagine', { prompt: 'a lighthouse' }, key('order-1'));
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await t.alice.post('/v1/imagine', { prompt: 'a lighthouse' }, key('order-1'));
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(`/v1/jobs/${first.body.id}`);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Key order and whitespace of the JSON do not make another request.
    const reordered = await t.alice.post(
      '/v1/imagine',
      '{ "metadata": {"b": 2, "a": 1}, "prompt": "x" }',
      key('order-2'),
    );
    const same = await t.alice.post('/v1/imagine', { prompt: 'x', metadata: { a: 1, b: 2 } }, key('order-2'));
    expect(same.body.id).toBe(reordered.body.id);
    expect(await t.started.service.store.count()).toBe(2);
    expect(t.generator.calls).toHaveLength(2);
    await t.close();
  });

  it('gives concurrent duplicates one job', async () => {
    const t = await startTestService();
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => t.alice.post('/v1/imagine', { prompt: 'at once' }, key('burst'))),
    );
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await t.started.service.store.count()).toBe(1);
    await waitForStatus(t.started.service.runner, replies[0]!.body.id, 'submitted');
    expect(t.generator.sent).toBe(1);
    await t.close();
  });

  it('refuses the same key with another body (422), keeps keys per API key, validates the header', async () => {
    const t = await startTestService();
    const first = await t.alice.post('/v1/imagine', { prompt: 'one' }, key('k-1'));
    const other = await t.alice.post('/v1/imagine', { prompt: 'two' }, key('k-1'));
    expect(other.status).toBe(422);
    expect(other.body).toEqual({
      error: {
        name: 'IdempotencyKeyMismatchError',
        code: 'IDEMPOTENCY_KEY_MISMATCH',
        message: expect.stringContaining('k-1'),
        idempotencyKey: 'k-1',
        retryable: false,
        status: 422,
      },
    });
    // Bob's "k-1" is his own.
    const bob = await t.bob.post('/v1/imagine', { prompt: 'one' }, key('k-1'));
    expect(bob.status).toBe(202);
    expect(bob.body.id).not.toBe(first.body.id);
    expect((await t.bob.get(`/v1/jobs/${first.body.id}`)).status).toBe(404);

    for (const bad of ['x'.repeat(256), 'tab\there']) {
      const reply = await t.alice.post('/v1/imagine', { prompt: 'one' }, key(bad));
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(reply.body.error.problems[0]).toMatch(/^headers\.idempotency-key: /);
    }
    expect((await t.alice.post('/v1/imagine', { prompt: 'ok' }, key('x'.repeat(255)))).status).toBe(202);
    expect(await t.started.service.store.count()).toBe(3);
    await t.close();
  });

  it('frees the key when the request created nothing, so a retry runs', async () => {
    const t = await startTestService({
      config: { submitRateLimit: { requests: 1, windowMs: 60_000, burst: 1 } },
    });
    await t.alice.post('/v1/imagine', { prompt: 'spends the token' });
    const limited = await t.alice.post('/v1/imagine', { prompt: 'later' }, key('retry-me'));
    expect(limited.status).toBe(429);
    // A different body under the freed key is a new request, not a mismatch.
    const store = t.started.service.store;
    expect(
      await store.reserveIdempotencyKey({
        clientId: 'alice',
        key: 'retry-me',
        fingerprint: 'other',
        ttlMs: 1_000,
        leaseMs: 1_000,
      }),
    ).toMatchObject({ kind: 'reserved' });
    await t.close();
  });

  it('survives a restart: the retry after it gets the same job', async () => {
    const dbPath = join(dir, 'restart.sqlite');
    const one = await startTestService({ config: { dbPath } });
    const first = await one.alice.post('/v1/imagine', { prompt: 'kept' }, key('across-restarts'));
    await one.close();
    const two = await startTestService({ config: { dbPath } });
    const again = await two.alice.post('/v1/imagine', { prompt: 'kept' }, key('across-restarts'));
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await two.started.service.store.count()).toBe(1);
    await two.close();
  });

  it('gives one job to concurrent duplicates sent to two services on one SQLite file', async () => {
    const dbPath = join(dir, 'shared.sqlite');
    const [one, two] = await Promise.all([
      startTestService({ config: { dbPath } }),
      startTestService({ config: { dbPath } }),
    ]);
    const replies = await Promise.all(
      [one, two, one, two].map((t) => t.alice.post('/v1/imagine', { prompt: 'twice?' }, key('shared'))),
    );
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await one.started.service.store.count()).toBe(1);
    await expect.poll(() => one.generator.sent + two.generator.sent).toBe(1);
    await one.close();
    await two.close();
  });
});

describe('Idempotency-Key on actions and midjourney-proxy submits', () => {
  it('presses a button once per key', async () => {
    const t = await startTestService({
      fake: { script: (job) => (job.method === 'imagine' ? void job.complete() : undefined) },
    });
    const parent = (await t.alice.post('/v1/imagine', { prompt: 'tower' })).body.id;
    await waitForStatus(t.started.service.runner, parent, 'succeeded');
    const first = await t.alice.post(`/v1/jobs/${parent}/actions`, { action: 'U1' }, key('press'));
    const again = await t.alice.post(`/v1/jobs/${parent}/actions`, { action: 'U1' }, key('press'));
    expect(first.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const other = await t.alice.post(`/v1/jobs/${parent}/actions`, { action: 'U2' }, key('press'));
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    // A refused press (not on the result) creates nothing and frees its key for the corrected one.
    const refused = await t.alice.post(`/v1/jobs/${parent}/actions`, { action: 'U9' }, key('press-2'));
    expect(refused.body.error.code).toBe('ACTION_UNAVAILABLE');
    const corrected = await t.alice.post(`/v1/jobs/${parent}/actions`, { action: 'U2' }, key('press-2'));
    expect(corrected.status).toBe(202);
    expect(await t.started.service.store.count()).toBe(3);
    await t.close();
  });

  it('replays /mj/submit/imagine and answers a mismatch in the proxy shape', async () => {
    const t = await startTestService();
    const first = await t.alice.post('/mj/submit/imagine', { prompt: 'proxy cat' }, key('p-1'));
    expect(first.body).toMatchObject({ code: 1, result: expect.any(String) });
    const again = await t.alice.post('/mj/submit/imagine', { prompt: 'proxy cat' }, key('p-1'));
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => t.alice.post('/mj/submit/imagine', { prompt: 'proxy dog' }, key('p-2'))),
    );
    expect(new Set(concurrent.map((r) => r.body.result)).size).toBe(1);
    const mismatch = await t.alice.post('/mj/submit/imagine', { prompt: 'proxy bird' }, key('p-1'));
    expect(mismatch.status).toBe(422);
    expect(mismatch.body).toMatchObject({
      code: 4,
      properties: { errorCode: 'IDEMPOTENCY_KEY_MISMATCH', errorName: 'IdempotencyKeyMismatchError' },
    });
    expect(await t.started.service.store.count()).toBe(2);
    await t.close();
  });
});

const stores: [string, (clock: ManualClock) => JobStore][] = [
  ['MemoryJobStore', (clock) => new MemoryJobStore({ clock })],
  [
    'SqliteJobStore',
    (clock) => new SqliteJobStore({ path: join(dir, `keys-${Math.random()}.sqlite`), clock }),
  ],
];
const redis = await openTestRedis(8);
afterAll(() => redis?.close());
if (redis) {
  stores.push([
    'RedisJobStore',
    (clock) => new RedisJobStore({ redis: redis.redis, prefix: `keys-${Math.random()}`, clock }),
  ]);
}

describe.each(stores)('idempotency keys in %s', (_name, make) => {
  const request = { clientId: 'alice', key: 'k', fingerprint: 'f1', ttlMs: 86_400_000, leaseMs: 30_000 };

  it('reserves once, binds the job atomically, replays the answer, and expires', async () => {
    const clock = new ManualClock();
    const store = make(clock);
    const reserved = await store.reserveIdempotencyKey(request);
    expect(reserved.kind).toBe('reserved');
    if (reserved.kind !== 'reserved') return;
    expect(await store.reserveIdempotencyKey(request)).toMatchObject({
      kind: 'existing',
      record: { fingerprint: 'f1', jobId: null, answer: null },
    });
    const job = createJobRecord('1750000000000001', { clientId: 'alice', kind: 'imagine', prompt: 'p' }, 1);
    await store.insertClaimed(job, 'node-a', 10_000, reserved.reservation);
    await store.completeIdempotencyKey(reserved.reservation, { status: 202, body: { id: job.id } }, job.id);
    // A released reservation with a job stays: the job exists.
    await store.releaseIdempotencyKey(reserved.reservation);
    expect(await store.reserveIdempotencyKey({ ...request, clientId: 'bob' })).toMatchObject({
      kind: 'reserved',
    });
    expect(await store.reserveIdempotencyKey(request)).toMatchObject({
      kind: 'existing',
      record: { jobId: job.id, answer: { status: 202, body: { id: job.id } } },
    });
    clock.advance(86_400_000 - 1);
    expect(await store.deleteExpiredIdempotencyKeys()).toBe(0);
    clock.advance(1);
    expect(await store.deleteExpiredIdempotencyKeys()).toBe(2);
    expect((await store.reserveIdempotencyKey({ ...request, fingerprint: 'f2' })).kind).toBe('reserved');
    await store.close();
  });

  it('lets a retry take over a reservation whose request died, and refuses the late job', async () => {
    const clock = new ManualClock();
    const store = make(clock);
    const first = await store.reserveIdempotencyKey(request);
    clock.advance(30_000);
    const second = await store.reserveIdempotencyKey(request);
    expect(second.kind).toBe('reserved');
    if (first.kind !== 'reserved' || second.kind !== 'reserved') return;
    const late = createJobRecord('1750000000000002', { clientId: 'alice', kind: 'imagine', prompt: 'p' }, 1);
    await expect(store.insertClaimed(late, 'node-a', 10_000, first.reservation)).rejects.toBeInstanceOf(
      IdempotencyReservationLostError,
    );
    expect(await store.get(late.id)).toBeUndefined();
    await store.insertClaimed(late, 'node-b', 10_000, second.reservation);
    expect(await store.get(late.id)).toBeDefined();
    await store.close();
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x', u: undefined })).toBe(
      '{"a":"x","b":[2,{"c":null,"d":1}]}',
    );
  });
});
