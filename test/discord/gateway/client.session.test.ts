import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient } from '../../../src/discord/gateway/client.js';
import type { GatewayDispatch, ReconnectInfo } from '../../../src/discord/gateway/events.js';
import { FAKE_TOKEN, FakeGateway } from './fake-gateway.js';
import { makeClient, nextEvent, TrackingClock } from './helpers.js';

let gateway: FakeGateway;
let client: GatewayClient | undefined;

beforeEach(async () => {
  gateway = await FakeGateway.start();
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await gateway.close();
});

const message = (id: string) => ({ id, channel_id: '42', author: { id: '7' }, content: `message ${id}` });

function record(c: GatewayClient): { dispatches: GatewayDispatch[]; reconnects: ReconnectInfo[] } {
  const dispatches: GatewayDispatch[] = [];
  const reconnects: ReconnectInfo[] = [];
  c.on('dispatch', (event) => dispatches.push(event));
  c.on('reconnecting', (info) => reconnects.push(info));
  return { dispatches, reconnects };
}

describe('heartbeats', () => {
  it('beat with the last sequence number and measure the ACK latency', async () => {
    // Long enough for the two dispatches to arrive before the first beat, even on a loaded machine.
    gateway.heartbeatIntervalMs = 200;
    client = makeClient(gateway);
    await client.connect();
    gateway.dispatch('MESSAGE_CREATE', message('1'));
    gateway.dispatch('MESSAGE_CREATE', message('2'));
    const [latency] = await nextEvent(client, 'heartbeat');

    const [first] = gateway.sent(1);
    expect(first?.d).toBe(3);
    // random() = 0.5: the first beat waits half an interval after HELLO.
    expect(first!.at - gateway.sent(2)[0]!.at).toBeLessThan(200);
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(client.stats()).toMatchObject({ heartbeats: 1, heartbeatAcks: 1, lastLatencyMs: latency });
    await gateway.until(() => gateway.sent(1).length >= 3);
    expect(client.state).toBe('ready');
    expect(gateway.connections).toHaveLength(1);
  });

  it('beats at once when Discord asks (op 1)', async () => {
    client = makeClient(gateway);
    await client.connect();
    gateway.dispatch('MESSAGE_CREATE', message('1'));
    gateway.send(1, null);
    await gateway.until(() => gateway.sent(1).length === 1, 200);
    expect(gateway.sent(1)[0]?.d).toBe(2);
  });

  it('treat a missing ACK as a zombie: close with 4200 and RESUME with the right seq', async () => {
    gateway.heartbeatIntervalMs = 30;
    gateway.autoAck = false;
    client = makeClient(gateway);
    const { reconnects } = record(client);
    client.on('reconnecting', () => {
      gateway.autoAck = true;
    });
    await client.connect();
    gateway.dispatch('MESSAGE_CREATE', message('1'));
    gateway.dispatch('MESSAGE_CREATE', message('2'));
    await nextEvent(client, 'resumed');

    expect(await gateway.connections[0]!.closed).toBe(4200);
    expect(reconnects[0]).toMatchObject({ attempt: 1, resume: true });
    expect(reconnects[0]?.reason).toContain('zombie');
    expect(gateway.connections[1]?.path).toBe('/resume?v=10&encoding=json');
    expect(gateway.sent(6)[0]?.d).toMatchObject({ session_id: 'session-1', seq: 3 });
    expect(gateway.sent(2)).toHaveLength(1);
    expect(client.stats()).toMatchObject({ resumes: 1, reconnects: 1, identifies: 1 });
  });
});

describe('resuming', () => {
  it('replays what was missed, in order, without duplicates', async () => {
    client = makeClient(gateway);
    const { dispatches, reconnects } = record(client);
    await client.connect();
    gateway.dispatch('MESSAGE_CREATE', message('1'));
    await gateway.until(() => client?.sequence === 2);
    gateway.drop();
    await gateway.until(() => gateway.connections[0]!.closeCode !== null);
    gateway.dispatch('MESSAGE_UPDATE', message('1'));
    gateway.dispatch('MESSAGE_DELETE', { id: '1', channel_id: '42' });
    const [info] = await nextEvent(client, 'resumed');

    expect(info.replayed).toBe(2);
    expect(dispatches.map((d) => `${d.seq}:${d.name}`)).toEqual([
      '1:READY',
      '2:MESSAGE_CREATE',
      '3:MESSAGE_UPDATE',
      '4:MESSAGE_DELETE',
      '5:RESUMED',
    ]);
    expect(reconnects).toEqual([expect.objectContaining({ attempt: 1, resume: true })]);
    expect(gateway.sent(6)[0]?.d).toMatchObject({ seq: 2 });
    expect(client.sessionId).toBe('session-1');
    expect(client.sequence).toBe(5);
  });

  it('resumes after a resumable close code (4000)', async () => {
    client = makeClient(gateway);
    await client.connect();
    gateway.closeWith(4000);
    await nextEvent(client, 'resumed');
    expect(gateway.sent(2)).toHaveLength(1);
    expect(gateway.sent(6)).toHaveLength(1);
  });

  it('identifies anew after a new-session close code (4009)', async () => {
    client = makeClient(gateway);
    const invalidated: string[] = [];
    client.on('sessionInvalidated', (reason) => invalidated.push(reason));
    await client.connect();
    gateway.closeWith(4009);
    const [ready] = await nextEvent(client, 'ready');
    expect(ready.session_id).toBe('session-2');
    expect(invalidated).toEqual([expect.stringContaining('4009 session timed out')]);
    expect(gateway.sent(6)).toHaveLength(0);
    expect(gateway.connections[1]?.path).toBe('/?v=10&encoding=json');
  });

  it('reconnects and resumes on op 7 RECONNECT', async () => {
    client = makeClient(gateway);
    await client.connect();
    gateway.send(7, null);
    await nextEvent(client, 'resumed');
    expect(await gateway.connections[0]!.closed).toBe(4200);
    expect(client.stats()).toMatchObject({ reconnects: 1, resumes: 1, identifies: 1 });
  });

  it('recovers from a timeout after the session was ready (error event, not a rejection)', async () => {
    client = makeClient(gateway, { helloTimeoutMs: 40 });
    const { reconnects } = record(client);
    await client.connect();
    gateway.sendHello = false;
    gateway.drop();
    const [error] = await nextEvent(client, 'error');
    expect(error).toMatchObject({ code: 'GATEWAY_TIMEOUT', phase: 'hello' });
    gateway.sendHello = true;
    await nextEvent(client, 'resumed');
    expect(reconnects.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('reports an undecodable frame and keeps the connection', async () => {
    client = makeClient(gateway);
    await client.connect();
    gateway.last.socket.send('not json');
    const [error] = await nextEvent(client, 'error');
    expect(error.code).toBe('GATEWAY_DECODE_FAILED');
    gateway.dispatch('MESSAGE_CREATE', message('1'));
    await gateway.until(() => client?.sequence === 2);
    expect(client.state).toBe('ready');
  });
});

describe('INVALID_SESSION', () => {
  it('d=false: waits the documented 1-5 s through the clock, then identifies a new session', async () => {
    const clock = new TrackingClock(100);
    // The documented default delay, compressed 100x by the clock; timeouts scaled to match.
    client = new GatewayClient({ url: gateway.url, token: FAKE_TOKEN, clock, random: () => 0.5 });
    const invalidated: string[] = [];
    client.on('sessionInvalidated', (reason) => invalidated.push(reason));
    await client.connect();
    gateway.send(9, false);
    const [ready] = await nextEvent(client, 'ready');

    expect(ready.session_id).toBe('session-2');
    expect(client.sessionId).toBe('session-2');
    expect(invalidated).toEqual(['INVALID_SESSION']);
    // 1 000 + 4 000 * random(0.5)
    expect(clock.sleeps).toContain(3_000);
    expect(gateway.sent(6)).toHaveLength(0);
    expect(gateway.sent(2)).toHaveLength(2);
    expect(client.stats().sessionsInvalidated).toBe(1);
  });

  it('d=true: sends RESUME again on the same connection', async () => {
    client = makeClient(gateway);
    await client.connect();
    gateway.dispatch('MESSAGE_CREATE', message('1'));
    gateway.send(9, true);
    await nextEvent(client, 'resumed');
    expect(gateway.sent(6)).toEqual([expect.objectContaining({ connection: 0 })]);
    expect(gateway.connections).toHaveLength(1);
  });
});

describe('giving up', () => {
  it('stops for good on a fatal close code after ready (4014) with a fatal event', async () => {
    const clock = new TrackingClock();
    client = makeClient(gateway, { clock });
    await client.connect();
    gateway.closeWith(4014);
    const [fatal] = await nextEvent(client, 'fatal');
    expect(fatal).toMatchObject({ code: 'GATEWAY_CLOSED', closeCode: 4014, retryable: false });
    expect(client.state).toBe('closed');
    // No reconnect was scheduled, and no timer is left that could start one.
    expect(client.stats().reconnects).toBe(0);
    expect(clock.pending).toBe(0);
    expect(gateway.connections).toHaveLength(1);
  });

  it('stops after reconnect.maxAttempts failed attempts with GATEWAY_RECONNECT_EXHAUSTED', async () => {
    client = makeClient(gateway, { reconnect: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });
    const { reconnects } = record(client);
    await client.connect();
    await gateway.close();
    const [fatal] = await nextEvent(client, 'fatal');

    expect(fatal).toMatchObject({ code: 'GATEWAY_RECONNECT_EXHAUSTED', attempts: 3, retryable: true });
    expect(reconnects.map((r) => r.attempt)).toEqual([1, 2, 3]);
    // Capped exponential backoff with jitter 0.5 and random() = 0.5: 75% of 5, 10, 20 ms.
    expect(reconnects.map((r) => r.delayMs)).toEqual([4, 8, 15]);
    expect(client.state).toBe('closed');
  });
});
