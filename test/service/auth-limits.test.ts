import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from './helpers/http.js';
import { startTestService, type TestService } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

describe('API keys', () => {
  it('answers 401 without a key or with a wrong one, on every route', async () => {
    t = await startTestService();
    for (const path of ['/v1/jobs', '/v1/jobs/1234567890123456', '/mj/task/list', '/nowhere']) {
      const reply = await t.anonymous.get(path);
      expect(reply.status).toBe(401);
      expect(reply.body.error ?? reply.body.properties).toMatchObject({});
    }
    const wrong = await t.anonymous.get('/v1/jobs', { authorization: 'Bearer not-a-real-key-0123456789' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({
      name: 'AuthenticationError',
      code: 'UNAUTHORIZED',
      message: 'The API key is not valid',
    });
    expect(t.generator.calls).toHaveLength(0);
  });

  it('accepts the key as a Bearer token, X-API-Key or mj-api-secret', async () => {
    t = await startTestService();
    const key = 'alice-key-0123456789abcdef';
    for (const headers of [
      { authorization: `Bearer ${key}` },
      { 'x-api-key': key },
      { 'mj-api-secret': key },
    ]) {
      expect((await t.anonymous.get('/v1/jobs', headers)).status).toBe(200);
    }
  });

  it('keeps /health public', async () => {
    t = await startTestService();
    expect((await t.anonymous.get('/health')).status).toBe(200);
    expect((await t.anonymous.get('/metrics')).status).toBe(401);
  });
});

describe('per-client token buckets', () => {
  it('answers 429 with Retry-After past the burst, per key, and refills continuously', async () => {
    const clock = new ManualClock();
    t = await startTestService({ clock, config: { rateLimit: { requests: 6, windowMs: 60_000, burst: 3 } } });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await t.alice.get('/v1/jobs')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await t.alice.get('/v1/jobs');
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(limited.body.error).toMatchObject({
      name: 'RateLimitError',
      code: 'RATE_LIMIT_EXCEEDED',
      retryAfter: 10_000,
      limit: 'requests',
    });
    // Bob has his own bucket.
    expect((await t.bob.get('/v1/jobs')).status).toBe(200);
    // One token comes back after 10 s, not the whole window.
    clock.advance(9_999);
    expect((await t.alice.get('/v1/jobs')).status).toBe(429);
    clock.advance(1);
    expect((await t.alice.get('/v1/jobs')).status).toBe(200);
    expect((await t.alice.get('/v1/jobs')).status).toBe(429);
    expect(t.started.service.limiters.requests.stats()).toMatchObject({ trackedKeys: 2, limitedKeys: 1 });
    const metrics = await t.alice.get('/metrics', { authorization: 'Bearer bob-key-0123456789abcdef00' });
    expect(metrics.body).toContain('mjw_client_rate_limited_total{limit="requests"} 4');
  });

  it('limits submissions per key and channel separately from reads', async () => {
    const clock = new ManualClock();
    t = await startTestService({
      clock,
      channelId: '1100000000000000001',
      config: { submitRateLimit: { requests: 2, windowMs: 60_000, burst: 2 } },
    });
    expect((await t.alice.post('/v1/imagine', { prompt: 'a' })).status).toBe(202);
    expect((await t.alice.post('/v1/imagine', { prompt: 'b' })).status).toBe(202);
    const third = await t.alice.post('/v1/imagine', { prompt: 'c' });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ limit: 'submissions', retryAfter: 30_000 });
    expect(third.headers.get('retry-after')).toBe('30');
    expect((await t.alice.get('/v1/jobs')).status).toBe(200);
    expect((await t.bob.post('/v1/imagine', { prompt: 'd' })).status).toBe(202);
    expect(t.generator.calls.map((c) => c.prompt)).toEqual(['a', 'b', 'd']);
    clock.advance(30_000);
    expect((await t.alice.post('/v1/imagine', { prompt: 'e' })).status).toBe(202);
  });
});
