/** Refused requests give their token back (src/service/limits/refund-policy.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from './helpers/http.js';
import { startTestService, type TestService } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

const tight = { requests: 3, windowMs: 60_000, burst: 3 };

describe('requests bucket refunds', () => {
  it('refusals decided from the request alone cost nothing', async () => {
    t = await startTestService({ clock: new ManualClock(), config: { rateLimit: tight } });
    const refusals = [
      await t.alice.post('/v1/imagine', { prompt: 42 }),
      await t.alice.post('/v1/imagine', '{"prompt": '),
      await t.alice.post('/v1/imagine', 'prompt=x', { 'content-type': 'text/plain' }),
      await t.alice.post('/v1/imagine', { prompt: 'x', metadata: { a: { b: { c: {} } } }, extra: 1 }),
      await t.alice.get('/v1/jobs/not-an-id'),
      await t.alice.get('/v1/jobs?limit=abc'),
      await t.alice.get('/no/such/route'),
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 415, 400, 400, 400, 404]);
    // The whole burst is still there.
    const after = [];
    for (let i = 0; i < 4; i += 1) after.push((await t.alice.get('/v1/jobs')).status);
    expect(after).toEqual([200, 200, 200, 429]);
  });

  it('the proxy routes refund their own code-4 answers for a body wrong by itself', async () => {
    t = await startTestService({ clock: new ManualClock(), config: { rateLimit: tight } });
    const refusals = [
      await t.alice.post('/mj/submit/imagine', { prompt: '  ' }),
      await t.alice.post('/mj/submit/change', { action: 'UPSCALE' }),
      await t.alice.post('/mj/submit/simple-change', { content: 'nonsense' }),
      await t.alice.post('/mj/submit/action', {}),
      await t.alice.post('/mj/submit/imagine', { prompt: 42 }),
    ];
    expect(refusals.map((r) => [r.status, r.body.code])).toEqual([
      [200, 4],
      [200, 4],
      [200, 4],
      [200, 4],
      [400, 4],
    ]);
    const after = [];
    for (let i = 0; i < 4; i += 1) after.push((await t.alice.get('/mj/task/list')).status);
    expect(after).toEqual([200, 200, 200, 429]);
  });

  it('refusals that needed a look-up are charged (UNKNOWN_JOB)', async () => {
    t = await startTestService({ clock: new ManualClock(), config: { rateLimit: tight } });
    expect((await t.alice.get('/v1/jobs/1750000000000000')).status).toBe(404);
    expect((await t.alice.get('/v1/jobs/1750000000000000')).status).toBe(404);
    expect((await t.alice.get('/v1/jobs')).status).toBe(200);
    expect((await t.alice.get('/v1/jobs')).status).toBe(429);
  });

  it('the service refusing for its own state (CIRCUIT_OPEN) costs nothing', async () => {
    t = await startTestService({ clock: new ManualClock(), config: { rateLimit: tight } });
    t.started.service.breaker.open('test outage');
    for (let i = 0; i < 5; i += 1) {
      expect((await t.alice.post('/v1/imagine', { prompt: 'x' })).status).toBe(503);
    }
    expect((await t.alice.get('/v1/jobs')).status).toBe(200);
  });
});

describe('submissions bucket: charged only for accepted jobs', () => {
  const one = { requests: 1, windowMs: 60_000, burst: 1 };

  it('a refused webhook target gives the submission token back', async () => {
    t = await startTestService({
      clock: new ManualClock(),
      config: { submitRateLimit: one, webhookAllowPrivate: false },
    });
    for (let i = 0; i < 3; i += 1) {
      const refused = await t.alice.post('/v1/imagine', {
        prompt: 'x',
        webhookUrl: 'http://[::ffff:7f00:1]/hook',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('WEBHOOK_TARGET_FORBIDDEN');
    }
    expect((await t.alice.post('/v1/imagine', { prompt: 'accepted' })).status).toBe(202);
    const over = await t.alice.post('/v1/imagine', { prompt: 'over' });
    expect(over.status).toBe(429);
    expect(over.body.error.limit).toBe('submissions');
    expect(t.generator.calls.map((c) => c.prompt)).toEqual(['accepted']);
  });

  it('a circuit-open refusal gives the submission token back, on the proxy routes too', async () => {
    t = await startTestService({ clock: new ManualClock(), config: { submitRateLimit: one } });
    t.started.service.breaker.open('test outage');
    expect((await t.alice.post('/v1/imagine', { prompt: 'x' })).status).toBe(503);
    expect((await t.alice.post('/mj/submit/imagine', { prompt: 'x' })).status).toBe(503);
    expect(t.started.service.limiters.submissions.stats().limitedKeys).toBe(0);
  });
  it('under an Idempotency-Key: a refusal frees the key and its token, a replay takes no token', async () => {
    t = await startTestService({
      clock: new ManualClock(),
      config: { submitRateLimit: one, webhookAllowPrivate: false },
    });
    const key = { 'idempotency-key': 'order-4711' };
    const refused = await t.alice.post(
      '/v1/imagine',
      { prompt: 'x', webhookUrl: 'http://[::ffff:7f00:1]/hook' },
      key,
    );
    expect(refused.body.error.code).toBe('WEBHOOK_TARGET_FORBIDDEN');
    // The key was released with the refusal: another body under it is accepted, not a mismatch.
    const accepted = await t.alice.post('/v1/imagine', { prompt: 'accepted' }, key);
    expect(accepted.status).toBe(202);
    const replayed = await t.alice.post('/v1/imagine', { prompt: 'accepted' }, key);
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.id).toBe(accepted.body.id);
    // The one token went to the accepted job: a new submission under another key meets the limit.
    const over = await t.alice.post('/v1/imagine', { prompt: 'over' }, { 'idempotency-key': 'other' });
    expect(over.status).toBe(429);
    expect(over.body.error.limit).toBe('submissions');
    expect(t.generator.calls.map((c) => c.prompt)).toEqual(['accepted']);
  });
});
