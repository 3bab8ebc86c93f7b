import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscordHTTPError, type FakeJob } from './helpers/fake-generator.js';
import { ManualClock } from './helpers/http.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

class FakeTokenInvalidError extends Error {
  override readonly name = 'TokenInvalidError';
  readonly code = 'TOKEN_INVALID';
}

describe('circuit breaker around Discord submissions', () => {
  it('opens after sustained 5xx, fails fast with 503 + Retry-After, and a half-open probe closes it', async () => {
    const clock = new ManualClock();
    let discordDown = true;
    t = await startTestService({
      clock,
      config: { circuitFailureThreshold: 2, circuitOpenMs: 30_000 },
      fake: {
        autoSend: false,
        script: async (job: FakeJob) => {
          if (discordDown) job.fail(new FakeDiscordHTTPError());
        },
      },
    });
    for (const prompt of ['a', 'b']) {
      const { body } = await t.alice.post('/v1/imagine', { prompt });
      const failed = await waitForStatus(t.started.service.runner, body.id, 'failed');
      expect(failed.error).toMatchObject({ name: 'DiscordHTTPError', code: 'DISCORD_HTTP_ERROR' });
    }
    const refused = await t.alice.post('/v1/imagine', { prompt: 'c' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.body.error).toMatchObject({
      name: 'CircuitOpenError',
      code: 'CIRCUIT_OPEN',
      reason: 'Discord answered 502 Bad Gateway',
    });
    expect(t.generator.calls).toHaveLength(2);
    const health = await t.alice.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.circuit).toMatchObject({ state: 'open', consecutiveFailures: 2 });

    // Discord recovers; after the open period one probe goes through.
    discordDown = false;
    clock.advance(30_000);
    const probe = await t.alice.post('/v1/imagine', { prompt: 'probe' });
    expect(probe.status).toBe(202);
    const during = await t.alice.post('/v1/imagine', { prompt: 'while probing' });
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('1');
    await (await t.generator.job(3)).send();
    expect(t.started.service.breaker.state).toBe('closed');
    expect((await t.alice.post('/v1/imagine', { prompt: 'flowing' })).status).toBe(202);
    const metrics = await t.alice.get('/metrics');
    expect(metrics.body).toContain('mjw_circuit_transitions_total{state="open"} 1');
    expect(metrics.body).toContain('mjw_circuit_transitions_total{state="closed"} 1');
    expect(metrics.body).toContain('mjw_circuit_state{state="closed"} 1');
  });

  it('opens at once on a bad token', async () => {
    t = await startTestService({
      fake: { autoSend: false, script: (job) => job.fail(new FakeTokenInvalidError('401: Unauthorized')) },
    });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'x' });
    await waitForStatus(t.started.service.runner, body.id, 'failed');
    const refused = await t.alice.post('/v1/imagine', { prompt: 'y' });
    expect(refused.status).toBe(503);
    expect(refused.body.error.reason).toBe('401: Unauthorized');
  });

  it('Midjourney outcomes do not count as Discord failures', async () => {
    const { FakeMidjourneyError } = await import('./helpers/fake-generator.js');
    t = await startTestService({
      config: { circuitFailureThreshold: 1 },
      fake: {
        autoSend: false,
        script: (job) =>
          job.fail(new FakeMidjourneyError('QueueFullError', 'QUEUE_FULL', 'Queue full', job.prompt, true)),
      },
    });
    for (const prompt of ['a', 'b', 'c']) {
      const { status, body } = await t.alice.post('/v1/imagine', { prompt });
      expect(status).toBe(202);
      await waitForStatus(t.started.service.runner, body.id, 'failed');
    }
    expect(t.started.service.breaker.state).toBe('closed');
  });
});
