import { afterEach, describe, expect, it } from 'vitest';
import type { DiscordStatus, DiscordTelemetrySink } from '../../src/service/health.js';
import { FakeMidjourneyError } from './helpers/fake-generator.js';
import { ManualClock } from './helpers/http.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

describe('GET /health', () => {
  it('reports Discord, the RateLimiter, gateway, slots and queue depth; caches the Discord check', async () => {
    const clock = new ManualClock();
    let checks = 0;
    let discord: DiscordStatus = { reachable: true, tokenValid: true, latencyMs: 42, user: 'artist#0001' };
    t = await startTestService({
      clock,
      config: { healthCacheMs: 30_000 },
      probe: {
        checkDiscord: async () => {
          checks += 1;
          return discord;
        },
        rateLimiter: () => ({ queueDepth: 2, buckets: 3, globalPausedUntil: null, invalidRequests: 7 }),
        gateway: () => ({ state: 'ready', sessionId: 'abc' }),
        slots: () => ({ inUse: 3, limit: 3, queueDepth: 4 }),
      },
    });
    const ok = await t.alice.get('/health');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'ok',
      discord: { reachable: true, tokenValid: true, latencyMs: 42 },
      rateLimiter: { buckets: 3, invalidRequests: 7, globalPausedUntil: null, queueDepth: 2 },
      gateway: { state: 'ready' },
      slots: { inUse: 3, limit: 3, queueDepth: 4 },
      queueDepth: 4,
      circuit: { state: 'closed' },
      store: { ok: true },
      jobs: { active: 0, stored: 0 },
      problems: [],
    });
    await t.alice.get('/health');
    expect(checks).toBe(1);

    // A refused token, seen after the cache expires: 503, and submissions stop.
    discord = { reachable: true, tokenValid: false };
    clock.advance(30_000);
    const bad = await t.alice.get('/health');
    expect(bad.status).toBe(503);
    expect(bad.body.problems).toEqual([
      'discord: token refused',
      'circuit: open (the Discord token was refused (401))',
    ]);
    expect(checks).toBe(2);
    expect((await t.alice.post('/v1/imagine', { prompt: 'x' })).status).toBe(503);
  });

  it('reports Discord unreachable when the check throws', async () => {
    t = await startTestService({
      probe: {
        checkDiscord: async () => {
          throw new Error('connect ECONNREFUSED');
        },
      },
    });
    const reply = await t.alice.get('/health');
    expect(reply.status).toBe(503);
    expect(reply.body.discord).toEqual({ reachable: false, tokenValid: null, error: 'connect ECONNREFUSED' });
  });
});

describe('GET /metrics', () => {
  it('exposes jobs by outcome, durations, Discord calls, 429s, retries and queue depth in Prometheus text', async () => {
    const clock = new ManualClock();
    let sink: DiscordTelemetrySink | undefined;
    t = await startTestService({
      clock,
      telemetry: (s) => {
        sink = s;
        return () => {
          sink = undefined;
        };
      },
      probe: { slots: () => ({ inUse: 1, limit: 3, queueDepth: 5 }) },
      fake: {
        script: (job) => {
          clock.advance(45_000);
          if (job.prompt === 'ok') job.complete();
          else
            job.fail(new FakeMidjourneyError('QueueFullError', 'QUEUE_FULL', 'Queue full', job.prompt, true));
        },
      },
    });
    for (const prompt of ['ok', 'ok', 'full']) {
      const { body } = await t.alice.post('/v1/imagine', { prompt });
      await waitForStatus(t.started.service.runner, body.id, 'terminal');
    }
    sink!.response('POST /interactions', 204);
    sink!.response('GET /channels/:id/messages', 200);
    sink!.response('GET /channels/:id/messages', 200);
    sink!.rateLimited('user');
    sink!.retry('POST /interactions');

    const reply = await t.alice.get('/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text: string = reply.body;
    for (const line of [
      '# TYPE mjw_jobs_total counter',
      'mjw_jobs_total{outcome="succeeded"} 2',
      'mjw_jobs_total{outcome="QUEUE_FULL"} 1',
      'mjw_jobs_submitted_total{kind="imagine"} 3',
      '# TYPE mjw_job_duration_seconds histogram',
      'mjw_job_duration_seconds_bucket{kind="imagine",le="30",status="succeeded"} 0',
      'mjw_job_duration_seconds_bucket{kind="imagine",le="60",status="succeeded"} 2',
      'mjw_job_duration_seconds_bucket{kind="imagine",le="+Inf",status="succeeded"} 2',
      'mjw_job_duration_seconds_sum{kind="imagine",status="succeeded"} 90',
      'mjw_job_duration_seconds_count{kind="imagine",status="failed"} 1',
      'mjw_discord_requests_total{route="GET /channels/:id/messages",status="200"} 2',
      'mjw_discord_requests_total{route="POST /interactions",status="204"} 1',
      'mjw_discord_rate_limited_total{scope="user"} 1',
      'mjw_discord_retries_total{route="POST /interactions"} 1',
      'mjw_queue_depth 5',
      'mjw_slots_in_use 1',
      'mjw_jobs_active 0',
      'mjw_http_requests_total{method="POST",route="/v1/imagine",status="202"} 3',
    ]) {
      expect(text).toContain(line);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('can be made public', async () => {
    t = await startTestService({ config: { metricsPublic: true } });
    expect((await t.anonymous.get('/metrics')).status).toBe(200);
  });
});
