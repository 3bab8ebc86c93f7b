import { afterEach, describe, expect, it } from 'vitest';
import type { DiscordStatus } from '../../src/service/health.js';
import { ManualClock } from './helpers/http.js';
import { startTestService, type TestService } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

const probe = (discord: () => DiscordStatus) => ({
  checkDiscord: async () => discord(),
  rateLimiter: () => ({ queueDepth: 0, buckets: 3 }),
  gateway: () => ({ state: 'ready', sessionId: 'secret-session' }),
  slots: () => ({ inUse: 1, limit: 3, queueDepth: 0 }),
});

describe('health routes', () => {
  it('GET /livez: 200 without a key or any check', async () => {
    let checks = 0;
    t = await startTestService({
      probe: {
        checkDiscord: async () => {
          checks += 1;
          throw new Error('down');
        },
      },
    });
    const reply = await t.anonymous.get('/livez');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
    expect(checks).toBe(0);
  });

  it('GET /health: the minimal status for anonymous callers, the whole report for a key', async () => {
    t = await startTestService({
      probe: probe(() => ({ reachable: true, tokenValid: true, latencyMs: 5, user: 'artist#0001' })),
    });
    const anonymous = await t.anonymous.get('/health');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'ok' });
    const wrongKey = await t.anonymous.get('/health', { authorization: 'Bearer not-a-configured-key-000' });
    expect(wrongKey.status).toBe(200);
    expect(wrongKey.body).toEqual({ status: 'ok' });
    expect(JSON.stringify(wrongKey.body)).not.toContain('artist');

    const keyed = await t.alice.get('/health');
    expect(keyed.status).toBe(200);
    expect(keyed.body).toMatchObject({
      status: 'ok',
      discord: { user: 'artist#0001' },
      rateLimiter: { buckets: 3 },
      clientLimits: { requests: expect.any(Object) },
      problems: [],
    });
  });

  it('GET /health and /readyz: 503 when Discord refuses the token; details only with a key', async () => {
    t = await startTestService({ probe: probe(() => ({ reachable: true, tokenValid: false })) });
    const anonymous = await t.anonymous.get('/health');
    expect(anonymous.status).toBe(503);
    expect(anonymous.body).toEqual({ status: 'degraded' });

    const ready = await t.anonymous.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable' });

    const keyed = await t.alice.get('/readyz');
    expect(keyed.status).toBe(503);
    expect(keyed.body).toEqual({
      status: 'unavailable',
      problems: ['discord: token refused', 'circuit: open (the Discord token was refused (401))'],
      store: { ok: true },
      circuit: { state: 'open', retryAfterMs: expect.any(Number) },
      discord: { reachable: true, tokenValid: false },
    });
  });

  it('GET /readyz: 200 once Discord answers again, with the cached check', async () => {
    const clock = new ManualClock();
    let discord: DiscordStatus = { reachable: false, tokenValid: null, error: 'ECONNREFUSED' };
    let checks = 0;
    t = await startTestService({
      clock,
      config: { healthCacheMs: 30_000 },
      probe: probe(() => {
        checks += 1;
        return discord;
      }),
    });
    expect((await t.anonymous.get('/readyz')).status).toBe(503);
    discord = { reachable: true, tokenValid: true, user: 'artist' };
    // Cached: still the old verdict, and no new Discord call.
    expect((await t.anonymous.get('/readyz')).status).toBe(503);
    expect(checks).toBe(1);
    clock.advance(30_000);
    const ready = await t.anonymous.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
    expect(checks).toBe(2);
  });

  it('GET /readyz: 503 when the store fails', async () => {
    t = await startTestService();
    const store = t.started.service.store;
    store.count = async () => {
      throw new Error('database is locked');
    };
    const reply = await t.alice.get('/readyz');
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({
      status: 'unavailable',
      store: { ok: false },
      problems: ['store: failing'],
    });
  });

  it('without configured keys (loopback), every caller sees the details', async () => {
    t = await startTestService({
      config: { apiKeys: [], authDisabled: true },
      probe: probe(() => ({ reachable: true, tokenValid: true, user: 'artist' })),
    });
    expect((await t.anonymous.get('/health')).body).toMatchObject({ discord: { user: 'artist' } });
  });

  it('health routes take no token from the requests bucket', async () => {
    t = await startTestService({ config: { rateLimit: { requests: 1, windowMs: 60_000, burst: 1 } } });
    for (let i = 0; i < 3; i += 1) {
      expect((await t.alice.get('/livez')).status).toBe(200);
      expect((await t.alice.get('/readyz')).status).toBe(200);
      expect((await t.alice.get('/health')).status).toBe(200);
    }
    expect((await t.alice.get('/v1/jobs')).status).toBe(200);
  });
});
