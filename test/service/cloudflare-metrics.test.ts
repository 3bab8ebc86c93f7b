/** The RateLimiter's Cloudflare ban state reaches /metrics and the /health rateLimiter payload. */
import { afterEach, describe, expect, it } from 'vitest';
import { RestClient } from '../../src/discord/rest/client.js';
import { routeFor } from '../../src/discord/rest/routes.js';
import type { Midjourney } from '../../src/generation/midjourney.js';
import { midjourneyProbe } from '../../src/service/midjourney-probe.js';
import { startTestService, type TestService } from './helpers/service.js';

let t: TestService | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('Cloudflare ban state in the service', () => {
  it('the probe reads it from the limiter; /health shows it under rateLimiter.blocked', async () => {
    const rest = new RestClient({ token: 'x', baseUrl: 'http://127.0.0.1:9/api/v10' });
    const permit = await rest.limiter.acquire(routeFor('GET', '/users/@me'));
    permit.complete({ status: 429, headers: { 'retry-after': '30' }, body: '<html>1015</html>' });
    const { probe } = midjourneyProbe({ midjourney: {} as Midjourney, rest });
    expect(probe.cloudflare?.()).toMatchObject({ consecutive: 1, lastRetryAfterMs: 30_000 });
    expect(probe.cloudflare?.().bannedForMs).toBeGreaterThan(29_000);
    expect(probe.rateLimiter?.()).toMatchObject({
      blocked: { cloudflare: { consecutive: 1, lastRetryAfterMs: 30_000, lastPauseMs: 30_000 } },
    });
    await rest.close();
  });

  it('/metrics has the seconds left and the bans in a row', async () => {
    t = await startTestService({
      probe: { cloudflare: () => ({ bannedForMs: 30_000, consecutive: 2, lastRetryAfterMs: 15_000 }) },
    });
    const text: string = (await t.alice.get('/metrics')).body;
    expect(text).toContain('mjw_discord_cloudflare_ban_seconds 30');
    expect(text).toContain('mjw_discord_cloudflare_bans_consecutive 2');
  });
});
