/** Rate limits as a client sees them over HTTP: headers, 429 bodies per scope, Cloudflare, the invalid-request ban. */
import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, type StartSimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { EchoBot } from './helpers/echo-bot.js';
import { api } from './helpers/http.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';
let sim: Simulator<EchoBot>;

async function start(init: StartSimulatorOptions = {}): Promise<Simulator<EchoBot>> {
  sim = await startSimulator({ ...init, createBot: (world) => new EchoBot(world) });
  return sim;
}
afterEach(() => sim.close());

const messages = (token?: string) =>
  api(sim, 'GET', `/channels/${sim.channelId}/messages?limit=1`, token ? { token } : {});

describe('per-route buckets', () => {
  it('sends the bucket headers on every response (default 5 per 5 s on messages)', async () => {
    await start();
    const res = await messages();
    expect(res.headers['x-ratelimit-limit']).toBe('5');
    expect(res.headers['x-ratelimit-remaining']).toBe('4');
    expect(res.headers['x-ratelimit-bucket']).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(res.headers['x-ratelimit-reset-after'])).toBeGreaterThan(4.9);
    expect(Number(res.headers['x-ratelimit-reset']) * 1000).toBeGreaterThan(Date.now() + 4_000);
    expect(res.headers['x-ratelimit-scope']).toBeUndefined();
  });

  it('answers the request past the limit with a user-scope 429, then lets it through after Reset-After', async () => {
    await start({ rateLimits: { routes: { [MESSAGES]: { limit: 2, windowMs: 300 } } } });
    expect((await messages()).status).toBe(200);
    expect((await messages()).headers['x-ratelimit-remaining']).toBe('0');
    const limited = await messages();
    expect(limited.status).toBe(429);
    expect(limited.headers.via).toBe('1.1 google');
    expect(limited.headers['x-ratelimit-scope']).toBe('user');
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['x-ratelimit-global']).toBeUndefined();
    const body = limited.json as { message: string; retry_after: number; global: boolean };
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(0.3);
    expect(sim.stats()).toMatchObject({ invalidRequests: 1, rateLimited: { user: 1 } });
    expect(sim.requests.at(-1)).toMatchObject({ status: 429, rateLimitScope: 'user' });
    await new Promise((resolve) => setTimeout(resolve, body.retry_after * 1000 + 20));
    expect((await messages()).status).toBe(200);
  });

  it('keeps other major parameters and other routes flowing while one bucket is empty', async () => {
    await start({
      extraChannelIds: ['1100000000000000201'],
      rateLimits: { routes: { [MESSAGES]: { limit: 1, windowMs: 10_000 } } },
    });
    await messages();
    expect((await messages()).status).toBe(429);
    expect((await api(sim, 'GET', '/channels/1100000000000000201/messages')).status).toBe(200);
    expect((await api(sim, 'GET', '/users/@me')).status).toBe(200);
  });

  it('changes a bucket hash mid-run', async () => {
    await start();
    const before = (await messages()).headers['x-ratelimit-bucket'];
    sim.rateLimits.setRoute(MESSAGES, { limit: 5, windowMs: 5_000, bucket: 'moved' });
    expect((await messages()).headers['x-ratelimit-bucket']).not.toBe(before);
  });
});

describe('global, shared and Cloudflare 429s', () => {
  it('answers past the global limit with global: true and X-RateLimit-Global on any route', async () => {
    await start({ rateLimits: { global: { limit: 3, windowMs: 10_000 } } });
    await api(sim, 'GET', '/users/@me');
    await messages();
    await api(sim, 'GET', `/guilds/${sim.guildId}/application-command-index`);
    const limited = await api(sim, 'GET', '/users/@me');
    expect(limited.status).toBe(429);
    expect(limited.headers['x-ratelimit-global']).toBe('true');
    expect(limited.headers['x-ratelimit-scope']).toBe('global');
    expect(limited.json).toMatchObject({ message: 'You are being rate limited.', global: true });
    expect(sim.stats().rateLimited.global).toBe(1);
  });

  it('answers a shared-resource limit with scope shared, not counted as invalid', async () => {
    await start({ rateLimits: { shared: { [MESSAGES]: { limit: 1, windowMs: 10_000 } } } });
    await messages();
    const limited = await messages();
    expect(limited.status).toBe(429);
    expect(limited.headers['x-ratelimit-scope']).toBe('shared');
    expect(limited.headers['x-ratelimit-remaining']).toBe('4');
    expect(sim.stats()).toMatchObject({ invalidRequests: 0, rateLimited: { shared: 1 } });
  });

  it('serves a Cloudflare 429 fault as HTML with no Via and no JSON', async () => {
    await start({ faults: [{ kind: 'cloudflare-429', route: MESSAGES, retryAfterS: 120 }] });
    const res = await messages();
    expect(res.status).toBe(429);
    expect(res.headers.via).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['retry-after']).toBe('120');
    expect(res.json).toBeUndefined();
    expect(res.text).toContain('Error 1015');
    expect(sim.stats().rateLimited.cloudflare).toBe(1);
    expect((await messages()).status).toBe(200);
  });

  it('bans the client with Cloudflare 429s once invalid requests reach the limit', async () => {
    await start({ rateLimits: { invalidRequests: { limit: 3, windowMs: 60_000, banMs: 60_000 } } });
    for (let i = 0; i < 3; i++) expect((await messages('bad-token-value')).status).toBe(401);
    const banned = await messages();
    expect(banned.status).toBe(429);
    expect(banned.headers.via).toBeUndefined();
    expect(banned.text).toContain('Error 1015');
    expect(sim.stats().invalidRequestsTotal).toBe(3);
    expect(sim.stats().cloudflareBanMs).toBeGreaterThan(50_000);
  });

  it('scales windows with the time scale', async () => {
    await start({ timeScale: 10 });
    expect((await messages()).headers['x-ratelimit-reset-after']).toBe('0.500');
  });
});
