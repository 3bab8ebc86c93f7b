/** The whole simulator with the real Midjourney bot: a job end to end, attachments, jobs, close. */
import { afterEach, describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { imaginePayload } from './helpers/fixtures.js';
import { TestGatewayClient } from './helpers/gateway-client.js';
import { api, call, until } from './helpers/http.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('startSimulator with the Midjourney bot', () => {
  it('plays an /imagine to a grid whose attachment downloads as a PNG', async () => {
    sim = await startSimulator({ timeScale: 500, rateLimits: { enabled: false } });
    const s = sim;
    const payload = imaginePayload(s, 'a lighthouse at dusk');
    expect((await api(s, 'POST', '/interactions', { body: payload })).status).toBe(204);
    const job = await until(() => s.jobs.find((j) => j.state === 'completed'));
    expect(job).toMatchObject({ prompt: 'a lighthouse at dusk', nonce: payload.nonce, userId: s.userId });
    const list = (await api(s, 'GET', `/channels/${s.channelId}/messages`)).json as APIMessage[];
    const result = list.find((m) => m.id === job.resultMessageId);
    const attachment = result?.attachments[0];
    expect(attachment?.url).toMatch(
      new RegExp(`^${s.cdnBaseUrl}/attachments/.+\\.png\\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+&$`),
    );
    expect(attachment?.filename).toContain(job.id);
    for (const url of [attachment?.url ?? '', attachment?.proxy_url ?? '']) {
      const image = await call(url, 'GET');
      expect(image.status).toBe(200);
      expect(image.headers['content-type']).toBe('image/png');
    }
    const bytes = await fetch(attachment?.url ?? '').then((r) => r.arrayBuffer());
    expect([...new Uint8Array(bytes).slice(0, 8)]).toEqual(PNG_SIGNATURE);
    const tampered = (attachment?.url ?? '').replace(/hm=[0-9a-f]+/, `hm=${'0'.repeat(64)}`);
    expect((await call(tampered, 'GET')).status).toBe(403);
    expect((await call(`${s.cdnBaseUrl}/attachments/1/2/missing.png`, 'GET')).status).toBe(404);
    expect(s.requests.map((r) => r.route)).toContain('GET /attachments/{path}');
    expect(s.bot.jobs()).toEqual(s.jobs);
  });

  it('passes bot options through and exposes the bot for scripting', async () => {
    sim = await startSimulator({
      timeScale: 500,
      rateLimits: { enabled: false },
      bot: { fastSlots: 1, mode: 'relaxed' },
    });
    expect(sim.bot.options).toMatchObject({ fastSlots: 1, mode: 'relaxed' });
    sim.bot.script({ match: 'forbidden', outcome: 'pre-moderation' });
    expect(
      (await api(sim, 'POST', '/interactions', { body: imaginePayload(sim, 'a forbidden cat') })).status,
    ).toBe(204);
    const s = sim;
    await until(() =>
      s.jobs.find((j) => j.outcome === 'pre-moderation' && j.state !== 'queued' && j.state !== 'waiting'),
    );
    expect(s.messages()).toEqual([]);
  });

  it("drives the bot's faults: a bot that is down makes the interaction fail over the gateway", async () => {
    sim = await startSimulator({
      timeScale: 500,
      rateLimits: { enabled: false },
      // The test client sends no heartbeats: at this time scale Discord's interval is 82 ms.
      gateway: { heartbeatIntervalMs: 100_000_000 },
      bot: { faults: { botDown: true } },
    });
    const { client } = await TestGatewayClient.ready(sim.gatewayUrl, sim.token);
    const payload = imaginePayload(sim, 'a cat');
    await api(sim, 'POST', '/interactions', { body: payload });
    expect((await client.waitForDispatch('INTERACTION_FAILURE')).d).toMatchObject({ nonce: payload.nonce });
    expect(client.dispatches('INTERACTION_SUCCESS')).toEqual([]);
    sim.bot.setFaults({ botDown: false });
    const next = imaginePayload(sim, 'a dog');
    await api(sim, 'POST', '/interactions', { body: next });
    expect((await client.waitForDispatch('MESSAGE_CREATE', (d) => d.nonce === next.nonce)).d).toMatchObject({
      author: { bot: true },
    });
    client.socket.terminate();
  });

  it('releases every socket and timer on close', async () => {
    // Handles of earlier tests finish closing on the next turns of the loop.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = process.getActiveResourcesInfo();
    sim = await startSimulator({ timeScale: 200, rateLimits: { enabled: false } });
    const { client } = await TestGatewayClient.ready(sim.gatewayUrl, sim.token);
    await api(sim, 'POST', '/interactions', { body: imaginePayload(sim, 'a cat') });
    await sim.close();
    await sim.close();
    await client.closed;
    const count = (list: string[], kind: string) => list.filter((r) => r === kind).length;
    // Sockets finish closing on the next turns of the loop: wait for that, bounded, not a fixed nap.
    await until(() => {
      const now = process.getActiveResourcesInfo();
      return count(now, 'TCPServerWrap') + count(now, 'TCPSocketWrap') === 0 ? true : undefined;
    }).catch(() => undefined);
    const after = process.getActiveResourcesInfo();
    expect(count(after, 'TCPServerWrap')).toBe(0);
    expect(count(after, 'TCPSocketWrap')).toBe(0);
    expect(count(after, 'Timeout')).toBeLessThanOrEqual(count(before, 'Timeout'));
    // Simulated-time timers are unref'd, so count them at the source too.
    expect(sim.world.clock.pending).toBe(0);
    expect(sim.stats()).toMatchObject({ gatewayConnections: 0, gatewaySessions: 0 });
    sim = undefined;
  });

  it('refuses bad options with an error naming the option', async () => {
    await expect(startSimulator({ timeScale: -1 })).rejects.toThrow('Invalid simulator option timeScale');
  });
});
