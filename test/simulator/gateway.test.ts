/** Contract tests of the simulated gateway: handshake, heartbeats, dispatches, resume, invalid session. */
import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, type StartSimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { EchoBot } from './helpers/echo-bot.js';
import { imaginePayload } from './helpers/fixtures.js';
import { TestGatewayClient } from './helpers/gateway-client.js';
import { api } from './helpers/http.js';

const OTHER = { id: '1100000000000000301', username: 'other-user', token: 'other-user-token-0123456789' };
let sim: Simulator<EchoBot>;
const clients: TestGatewayClient[] = [];

async function start(init: StartSimulatorOptions = {}): Promise<Simulator<EchoBot>> {
  sim = await startSimulator({
    timeScale: 100,
    rateLimits: { enabled: false },
    users: [{ id: '1100000000000000300', username: 'sim-user', token: 'sim-user-token-0123456789' }, OTHER],
    ...init,
    createBot: (world) => new EchoBot(world),
  });
  return sim;
}

async function ready(token = sim.token) {
  const result = await TestGatewayClient.ready(sim.gatewayUrl, token);
  clients.push(result.client);
  return result;
}

async function connect(url = sim.gatewayUrl): Promise<TestGatewayClient> {
  const client = await TestGatewayClient.connect(url);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await sim.close();
});

describe('handshake', () => {
  it('sends HELLO with the scaled interval, then READY for a good token', async () => {
    await start();
    const client = await connect();
    const hello = await client.waitFor((p) => p.op === 10);
    expect(hello).toEqual({ op: 10, d: { heartbeat_interval: 413 }, s: null, t: null });
    client.identify(sim.token);
    const readyPayload = await client.waitForDispatch('READY');
    expect(readyPayload.s).toBe(1);
    expect(readyPayload.d).toMatchObject({
      v: 10,
      user: { id: sim.userId, username: 'sim-user' },
      resume_gateway_url: `ws://127.0.0.1:${sim.port}`,
      guilds: [{ id: sim.guildId }],
    });
    expect((readyPayload.d as { session_id: string }).session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.stats()).toMatchObject({ gatewayConnections: 1, gatewaySessions: 1 });
  });

  it('acknowledges heartbeats', async () => {
    await start();
    const { client } = await ready();
    client.send(1, client.lastSeq);
    expect(await client.waitFor((p) => p.op === 11)).toEqual({ op: 11, d: null, s: null, t: null });
  });

  it.each([
    ['a bad token', (c: TestGatewayClient) => c.identify('not-a-token-at-all'), 4004],
    ['a presence update before identify', (c: TestGatewayClient) => c.send(3, { status: 'online' }), 4003],
    ['an unknown opcode', (c: TestGatewayClient) => c.send(99, null), 4001],
    ['a payload that is not JSON', (c: TestGatewayClient) => c.socket.send('{op:'), 4002],
  ])('closes on %s with %i', async (_name, act, code) => {
    await start();
    const client = await connect();
    await client.waitFor((p) => p.op === 10);
    act(client);
    expect((await client.closed).code).toBe(code);
  });

  it('closes 4012 for an unsupported API version and 4005 on a second IDENTIFY', async () => {
    await start();
    const old = await connect(sim.gatewayUrl.replace('v=10', 'v=6'));
    expect((await old.closed).code).toBe(4012);
    const { client } = await ready();
    client.identify(sim.token);
    expect((await client.closed).code).toBe(4005);
  });

  it('closes 4009 and ends the session when heartbeats stop', async () => {
    await start({ timeScale: 1, gateway: { heartbeatIntervalMs: 60 } });
    const { client, sessionId } = await ready();
    expect((await client.closed).code).toBe(4009);
    const again = await connect();
    again.send(6, { token: sim.token, session_id: sessionId, seq: 1 });
    expect(await again.waitFor((p) => p.op === 9)).toMatchObject({ d: false });
  });

  it('swallows ACKs while a gateway-no-ack fault lasts (a zombie connection)', async () => {
    await start({ faults: [{ kind: 'gateway-no-ack', count: 1 }] });
    const { client } = await ready();
    client.send(1, 1);
    client.send(1, 1);
    await client.waitFor((p) => p.op === 11);
    expect(client.received.filter((p) => p.op === 11)).toHaveLength(1);
  });
});

describe('dispatches', () => {
  it('sends MESSAGE_CREATE (with the nonce), MESSAGE_UPDATE and MESSAGE_DELETE in seq order', async () => {
    await start();
    const { client } = await ready();
    const created = sim.world.postMessage(sim.channelId, { content: 'hello', nonce: '1300000000000000001' });
    sim.world.editMessage(sim.channelId, created.id, { content: 'hello (50%)' });
    sim.world.deleteMessage(sim.channelId, created.id);
    await client.waitForDispatch('MESSAGE_DELETE');
    const [create, update, remove] = client.dispatches().slice(1);
    expect(create).toMatchObject({
      t: 'MESSAGE_CREATE',
      s: 2,
      d: { id: created.id, content: 'hello', nonce: '1300000000000000001', guild_id: sim.guildId },
    });
    expect(update).toMatchObject({
      t: 'MESSAGE_UPDATE',
      s: 3,
      d: { id: created.id, content: 'hello (50%)', author: { bot: true } },
    });
    expect((update?.d as { edited_timestamp?: string } | undefined)?.edited_timestamp).toMatch(/\+00:00$/);
    expect(remove).toEqual({
      op: 0,
      t: 'MESSAGE_DELETE',
      s: 4,
      d: { id: created.id, channel_id: sim.channelId, guild_id: sim.guildId },
    });
  });

  it("sends INTERACTION_CREATE then INTERACTION_SUCCESS with the nonce, then the bot's message", async () => {
    await start();
    const { client } = await ready();
    const payload = imaginePayload(sim, 'a cat');
    expect((await api(sim, 'POST', '/interactions', { body: payload })).status).toBe(204);
    await client.waitForDispatch('MESSAGE_CREATE');
    const events = client.dispatches().slice(1);
    expect(events.map((p) => p.t)).toEqual(['INTERACTION_CREATE', 'INTERACTION_SUCCESS', 'MESSAGE_CREATE']);
    const interactionId = sim.bot.received[0]?.id;
    expect(events[0]?.d).toEqual({ id: interactionId, nonce: payload.nonce });
    expect(events[1]?.d).toEqual({ id: interactionId, nonce: payload.nonce });
    expect(events[2]?.d).toMatchObject({ nonce: payload.nonce });
  });

  it('sends INTERACTION_FAILURE after the 3 s deadline when the bot declines or another bot is addressed', async () => {
    await start();
    const { client } = await ready();
    sim.bot.decline = true;
    const declined = imaginePayload(sim, 'a cat');
    await api(sim, 'POST', '/interactions', { body: declined });
    const failure = await client.waitForDispatch('INTERACTION_FAILURE');
    expect(failure.d).toMatchObject({ nonce: declined.nonce, reason: 'declined by the test' });
    expect(client.dispatches('INTERACTION_SUCCESS')).toHaveLength(0);

    const niji = sim.commands.index().application_commands[0];
    const trap = imaginePayload(sim, 'a cat', { application_id: niji?.application_id });
    trap.data.id = niji?.id ?? '';
    trap.data.version = niji?.version ?? '';
    await api(sim, 'POST', '/interactions', { body: trap });
    await client.waitForDispatch('INTERACTION_FAILURE', (d) => d.nonce === trap.nonce);
    expect(sim.bot.received).toHaveLength(1);
  });

  it('delivers ephemeral messages to their user only, over the gateway only', async () => {
    await start();
    const mine = await ready();
    const theirs = await ready(OTHER.token);
    const notice = sim.world.postEphemeral(sim.channelId, sim.userId, {
      content: '',
      embeds: [{ title: 'Banned prompt detected' }],
      nonce: '1300000000000000002',
    });
    sim.world.editMessage(sim.channelId, notice.id, {
      embeds: [{ title: 'Banned prompt detected', description: 'edited' }],
    });
    sim.world.deleteMessage(sim.channelId, notice.id);
    sim.world.postMessage(sim.channelId, { content: 'public' });
    await mine.client.waitForDispatch('MESSAGE_CREATE', (d) => d.content === 'public');
    await theirs.client.waitForDispatch('MESSAGE_CREATE', (d) => d.content === 'public');
    expect(
      mine.client
        .dispatches()
        .slice(1)
        .map((p) => p.t),
    ).toEqual(['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE', 'MESSAGE_CREATE']);
    expect(mine.client.dispatches('MESSAGE_CREATE')[0]?.d).toMatchObject({
      id: notice.id,
      flags: 64,
      nonce: '1300000000000000002',
    });
    expect(
      theirs.client
        .dispatches()
        .slice(1)
        .map((p) => p.t),
    ).toEqual(['MESSAGE_CREATE']);
    const rest = (await api(sim, 'GET', `/channels/${sim.channelId}/messages`)).json as { id: string }[];
    expect(rest.map((m) => m.id)).not.toContain(notice.id);
    expect(sim.world.getMessage(sim.channelId, notice.id)).toBeUndefined();
  });
});

describe('resume and invalid session', () => {
  it('resumes after a resumable drop and replays exactly the missed dispatches, then RESUMED', async () => {
    await start();
    const { client, sessionId } = await ready();
    sim.world.postMessage(sim.channelId, { content: 'seen' });
    await client.waitForDispatch('MESSAGE_CREATE');
    const seq = client.lastSeq;
    expect(sim.faults.dropGateway({ resumable: true })).toBe(1);
    expect((await client.closed).code).toBe(4000);
    sim.world.postMessage(sim.channelId, { content: 'missed 1' });
    sim.world.postMessage(sim.channelId, { content: 'missed 2' });

    const resumed = await connect(`ws://127.0.0.1:${sim.port}/?v=10&encoding=json`);
    await resumed.waitFor((p) => p.op === 10);
    resumed.send(6, { token: sim.token, session_id: sessionId, seq });
    await resumed.waitForDispatch('RESUMED');
    expect(resumed.dispatches().map((p) => [p.t, p.s, (p.d as { content?: string }).content])).toEqual([
      ['MESSAGE_CREATE', seq + 1, 'missed 1'],
      ['MESSAGE_CREATE', seq + 2, 'missed 2'],
      ['RESUMED', seq + 3, undefined],
    ]);
    sim.world.postMessage(sim.channelId, { content: 'live' });
    expect((await resumed.waitForDispatch('MESSAGE_CREATE', (d) => d.content === 'live')).s).toBe(seq + 4);
  });

  it('drops with the gateway-drop fault in the middle of a stream, and the resume replays the dispatch it cut', async () => {
    await start({ faults: [{ kind: 'gateway-drop', afterDispatches: 1, closeCode: 1001 }] });
    const { client, sessionId } = await ready();
    sim.world.postMessage(sim.channelId, { content: 'first' });
    sim.world.postMessage(sim.channelId, { content: 'cut' });
    expect((await client.closed).code).toBe(1001);
    expect(client.dispatches().map((p) => p.t)).toEqual(['READY', 'MESSAGE_CREATE']);
    const resumed = await connect();
    resumed.send(6, { token: sim.token, session_id: sessionId, seq: client.lastSeq });
    expect(await resumed.waitForDispatch('MESSAGE_CREATE')).toMatchObject({ d: { content: 'cut' } });
  });

  it('sends INVALID_SESSION false on a non-resumable drop; the session cannot resume; identify works again', async () => {
    await start();
    const { client, sessionId } = await ready();
    expect(sim.faults.dropGateway({ resumable: false })).toBe(1);
    expect(await client.waitFor((p) => p.op === 9)).toEqual({ op: 9, d: false, s: null, t: null });
    client.identify(sim.token);
    const again = await client.waitFor(
      (p) => p.op === 0 && p.t === 'READY' && (p.d as { session_id: string }).session_id !== sessionId,
    );
    expect(again.s).toBe(1);
    const other = await connect();
    other.send(6, { token: sim.token, session_id: sessionId, seq: 1 });
    expect(await other.waitFor((p) => p.op === 9)).toMatchObject({ d: false });
  });

  it('refuses to resume a session its client closed with 1000, or with a seq from the future', async () => {
    await start();
    const first = await ready();
    await first.client.close(1000);
    const late = await connect();
    late.send(6, { token: sim.token, session_id: first.sessionId, seq: 1 });
    expect(await late.waitFor((p) => p.op === 9)).toMatchObject({ d: false });

    const second = await ready();
    second.client.socket.terminate();
    await second.client.closed;
    const future = await connect();
    future.send(6, { token: sim.token, session_id: second.sessionId, seq: 99 });
    expect(await future.waitFor((p) => p.op === 9)).toMatchObject({ d: false });
  });

  it('sends op 7 RECONNECT; the client closes and resumes', async () => {
    await start();
    const { client, sessionId } = await ready();
    expect(sim.faults.reconnectGateway()).toBe(1);
    expect(await client.waitFor((p) => p.op === 7)).toEqual({ op: 7, d: null, s: null, t: null });
    await client.close(4000);
    const resumed = await connect();
    resumed.send(6, { token: sim.token, session_id: sessionId, seq: client.lastSeq });
    expect(await resumed.waitForDispatch('RESUMED')).toBeDefined();
  });

  it('closes a lingering connection itself after op 7, keeping the session resumable', async () => {
    await start({ faults: [{ kind: 'gateway-reconnect' }] });
    const { client, sessionId } = await ready();
    sim.world.postMessage(sim.channelId, { content: 'after reconnect' });
    await client.waitFor((p) => p.op === 7);
    expect((await client.closed).code).toBe(4000);
    const resumed = await connect();
    resumed.send(6, { token: sim.token, session_id: sessionId, seq: 1 });
    expect(await resumed.waitForDispatch('MESSAGE_CREATE')).toMatchObject({
      d: { content: 'after reconnect' },
    });
  });
});
