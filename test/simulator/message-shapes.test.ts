/**
 * The simulator's messages in the shapes Discord gives them (fidelity fixes found by running
 * third-party clients against it), and the evidence policy that varies what each one carries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { DEFAULT_EVIDENCE, EvidencePolicy } from '../../src/simulator/bot/evidence.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { buttonPayload, imaginePayload } from './helpers/fixtures.js';
import { TestGatewayClient } from './helpers/gateway-client.js';
import { api } from './helpers/http.js';

let sim: Simulator | undefined;
const clients: TestGatewayClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.terminate();
  await sim?.close();
  sim = undefined;
});

async function ready(s: Simulator, url = s.gatewayUrl) {
  const { client } = await TestGatewayClient.ready(url, s.token);
  clients.push(client);
  return client;
}

/** The test client sends no heartbeats: keep the simulated interval far longer than a test. */
const QUIET_GATEWAY = { heartbeatIntervalMs: 100_000_000 };

async function messages(s: Simulator): Promise<APIMessage[]> {
  return (await api(s, 'GET', `/channels/${s.channelId}/messages?limit=100`)).json as APIMessage[];
}

describe('READY', () => {
  it.each(['9', '10'])('reports the API version the connection asked for (v=%s)', async (v) => {
    sim = await startSimulator({ timeScale: 500, rateLimits: { enabled: false }, gateway: QUIET_GATEWAY });
    const url = new URL(sim.gatewayUrl);
    url.searchParams.set('v', v);
    const client = await ready(sim, url.toString());
    expect((client.dispatches('READY')[0]?.d as { v: number }).v).toBe(Number(v));
  });
});

describe('replies', () => {
  it('an imagine reply carries interaction_metadata (with its owners) and the deprecated interaction', async () => {
    sim = await startSimulator({ timeScale: 500, rateLimits: { enabled: false }, gateway: QUIET_GATEWAY });
    const client = await ready(sim);
    const payload = imaginePayload(sim, 'a red fox');
    await api(sim, 'POST', '/interactions', { body: payload });
    const first = (await client.waitForDispatch('MESSAGE_CREATE', (d) => d.nonce === payload.nonce))
      .d as unknown as APIMessage;
    const interactionId = first.interaction_metadata?.id;
    expect(first.interaction_metadata).toEqual({
      id: interactionId,
      type: 2,
      name: 'imagine',
      user: expect.objectContaining({ id: sim.userId }),
      authorizing_integration_owners: { '0': sim.guildId },
    });
    expect(first.interaction).toEqual({
      id: interactionId,
      type: 2,
      name: 'imagine',
      user: expect.objectContaining({ id: sim.userId }),
    });
  });

  it('an upscale replies to its grid: type 19, a full message_reference, referenced_message, interacted_message_id, half the side', async () => {
    sim = await startSimulator({ timeScale: 500, rateLimits: { enabled: false }, gateway: QUIET_GATEWAY });
    const s = sim;
    const client = await ready(s);
    await api(s, 'POST', '/interactions', { body: imaginePayload(s, 'a red fox') });
    const grid = (
      await client.waitForDispatch('MESSAGE_CREATE', (d) => (d.components as unknown[]).length > 0)
    ).d as unknown as APIMessage;
    const custom = grid.components[0]?.components[1]?.custom_id ?? '';
    const press = buttonPayload(s, grid.id, custom);
    await api(s, 'POST', '/interactions', { body: press });
    const upscale = (await client.waitForDispatch('MESSAGE_CREATE', (d) => d.nonce === press.nonce))
      .d as unknown as APIMessage;
    expect(upscale.type).toBe(19);
    expect(upscale.message_reference).toEqual({
      type: 0,
      message_id: grid.id,
      channel_id: s.channelId,
      guild_id: s.guildId,
    });
    expect(upscale.referenced_message?.id).toBe(grid.id);
    expect(upscale.interaction_metadata).toMatchObject({ type: 3, interacted_message_id: grid.id });
    expect(upscale.attachments[0]).toMatchObject({
      width: (grid.attachments[0]?.width ?? 0) / 2,
      height: (grid.attachments[0]?.height ?? 0) / 2,
    });
    // REST serves the reply with the referenced message too, null once it is deleted.
    const listed = (await messages(s)).find((m) => m.id === upscale.id);
    expect(listed?.referenced_message?.id).toBe(grid.id);
  });
});

describe('evidence policy', () => {
  it('keeps the defaults without a seed', () => {
    const policy = new EvidencePolicy();
    expect([policy.next(), policy.next()]).toEqual([DEFAULT_EVIDENCE, DEFAULT_EVIDENCE]);
  });

  it('draws every combination from a seed, the same for the same seed, fixed fields kept', () => {
    const draws = (seed: number) => {
      const policy = new EvidencePolicy({ seed, nonceOnLater: true });
      return Array.from({ length: 64 }, () => policy.next());
    };
    const a = draws(7);
    expect(draws(7)).toEqual(a);
    expect(new Set(a.map((e) => e.footer))).toEqual(new Set([true, false]));
    expect(new Set(a.map((e) => e.interaction))).toEqual(new Set(['metadata', 'legacy', 'both']));
    expect(new Set(a.map((e) => e.reference))).toEqual(new Set([true, false]));
    expect(a.every((e) => e.nonceOnLater)).toBe(true);
  });

  it('posts notices without the footer when asked', async () => {
    sim = await startSimulator({
      timeScale: 500,
      rateLimits: { enabled: false },
      bot: { publicNotices: true, evidence: { footer: false, interaction: 'legacy' } },
    });
    const s = sim;
    s.bot.script({ match: 'fox', outcome: 'invalid-parameter' });
    await api(s, 'POST', '/interactions', { body: imaginePayload(s, 'a red fox') });
    let notice: APIMessage | undefined;
    for (let i = 0; i < 200 && notice === undefined; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      notice = (await messages(s)).find((m) => m.embeds.length > 0);
    }
    expect(notice?.embeds[0]?.title).toBe('Invalid parameter');
    expect(notice?.embeds[0]?.footer).toBeUndefined();
    expect(notice?.interaction_metadata).toBeUndefined();
    expect(notice?.interaction).toMatchObject({ type: 2, name: 'imagine', user: { id: s.userId } });
  });

  it('puts the nonce on the first reply only when asked (nonceOnLater: false); the interaction id stays', async () => {
    sim = await startSimulator({
      timeScale: 500,
      rateLimits: { enabled: false },
      gateway: QUIET_GATEWAY,
      bot: { fastSlots: 1, evidence: { nonceOnLater: false } },
    });
    const s = sim;
    const client = await ready(s);
    await api(s, 'POST', '/interactions', { body: imaginePayload(s, 'a first fox') });
    const second = imaginePayload(s, 'a second fox');
    await api(s, 'POST', '/interactions', { body: second });
    const queued = (await client.waitForDispatch('MESSAGE_CREATE', (d) => d.nonce === second.nonce))
      .d as unknown as APIMessage;
    expect(queued.embeds[0]?.title).toBe('Job queued');
    const interactionId = queued.interaction_metadata?.id;
    const waiting = (
      await client.waitForDispatch(
        'MESSAGE_CREATE',
        (d) => (d as unknown as APIMessage).interaction_metadata?.id === interactionId && d.id !== queued.id,
      )
    ).d as unknown as APIMessage;
    expect(waiting.content).toContain('Waiting to start');
    expect(waiting.nonce).toBeUndefined();
  });
});
