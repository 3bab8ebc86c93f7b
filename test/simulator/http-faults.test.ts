/** Each HTTP fault as a client meets it: resets, 5xx bursts, slow responses, malformed JSON. */
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Simulator, type StartSimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { EchoBot } from './helpers/echo-bot.js';
import { imaginePayload } from './helpers/fixtures.js';
import { api } from './helpers/http.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';
let sim: Simulator<EchoBot>;

async function start(init: StartSimulatorOptions = {}): Promise<Simulator<EchoBot>> {
  sim = await startSimulator({
    rateLimits: { enabled: false },
    timeScale: 100,
    ...init,
    createBot: (world) => new EchoBot(world),
  });
  return sim;
}
afterEach(() => sim.close());

const messages = () => api(sim, 'GET', `/channels/${sim.channelId}/messages`);

describe('HTTP faults', () => {
  it('resets the connection before the request is processed: nothing happened', async () => {
    await start({ faults: [{ kind: 'reset', route: 'POST /interactions' }] });
    await expect(api(sim, 'POST', '/interactions', { body: imaginePayload(sim, 'cat') })).rejects.toThrow();
    expect(sim.requests[0]).toMatchObject({ route: 'POST /interactions', status: 0, fault: 'reset' });
    const next = imaginePayload(sim, 'cat');
    expect((await api(sim, 'POST', '/interactions', { body: next })).status).toBe(204);
    // Requests are handled in order: the bot heard the second one, and only that one.
    expect(sim.bot.received.map((i) => i.payload.nonce)).toEqual([next.nonce]);
  });

  it('resets the connection after processing: the interaction went through although the client saw an error', async () => {
    await start({ faults: [{ kind: 'reset', when: 'after-request', route: 'POST /interactions' }] });
    const payload = imaginePayload(sim, 'cat');
    await expect(api(sim, 'POST', '/interactions', { body: payload })).rejects.toThrow();
    expect(sim.bot.received.map((i) => i.payload.nonce)).toEqual([payload.nonce]);
  });

  it('answers a 5xx burst for the next N requests of the route, then recovers', async () => {
    await start({ faults: [{ kind: 'status', status: 502, route: MESSAGES, count: 2 }] });
    const first = await messages();
    expect(first.status).toBe(502);
    expect(first.headers.via).toBeUndefined();
    expect(first.headers['content-type']).toMatch(/^text\/html/);
    expect((await api(sim, 'GET', '/users/@me')).status).toBe(200);
    expect((await messages()).status).toBe(502);
    expect((await messages()).status).toBe(200);
    expect(sim.stats().faultsInjected).toBe(2);
  });

  it("answers a 500 with Discord's JSON body", async () => {
    await start();
    sim.faults.add({ kind: 'status', status: 500 });
    const res = await messages();
    expect([res.status, res.json, res.headers.via]).toEqual([
      500,
      { message: '500: Internal Server Error', code: 0 },
      '1.1 google',
    ]);
  });

  it("holds a response past the client's timeout, after processing it", async () => {
    await start({ faults: [{ kind: 'delay', delayMs: 400, route: 'POST /interactions' }] });
    const payload = imaginePayload(sim, 'slow cat');
    await expect(
      request(`${sim.apiBaseUrl}/interactions`, {
        method: 'POST',
        headers: { authorization: sim.token, 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sim.requests[0]?.fault).toBe('delay');
    // Processed before the response was held: the bot has it although the client gave up.
    await vi.waitFor(() => expect(sim.bot.received.map((i) => i.payload.nonce)).toEqual([payload.nonce]));
  });

  it('sends a success status with a body that is not valid JSON', async () => {
    await start({ faults: [{ kind: 'malformed-json', route: MESSAGES }] });
    sim.world.postMessage(sim.channelId, { content: 'hello' });
    const res = await messages();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(res.text)).toThrow();
    expect((await messages()).json).toHaveLength(1);
  });

  it('sets, lists and clears faults at runtime', async () => {
    await start({ faults: [{ kind: 'status', status: 503, count: 3 }] });
    expect(sim.faults.pending()).toEqual([{ kind: 'status', status: 503, count: 3 }]);
    sim.faults.set([{ kind: 'reset', route: MESSAGES, count: Infinity }]);
    expect((await api(sim, 'GET', '/users/@me')).status).toBe(200);
    await expect(messages()).rejects.toThrow();
    sim.faults.clear();
    expect((await messages()).status).toBe(200);
  });
});
