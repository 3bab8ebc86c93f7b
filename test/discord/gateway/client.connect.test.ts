import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../../src/discord/gateway/client.js';
import { GatewayError } from '../../../src/discord/gateway/errors.js';
import type { GatewayState } from '../../../src/discord/gateway/events.js';
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

describe('GatewayClient.connect', () => {
  it('identifies as a user client and resolves with READY', async () => {
    client = makeClient(gateway);
    const states: GatewayState[] = [];
    client.on('state', (state) => states.push(state));
    const ready = await client.connect();

    expect(ready.session_id).toBe('session-1');
    expect(client.sessionId).toBe('session-1');
    expect(client.state).toBe('ready');
    expect(client.sequence).toBe(1);
    expect(states).toEqual(['connecting', 'identifying', 'ready']);
    const [identify] = gateway.sent(2);
    expect(identify?.d).toEqual({
      token: FAKE_TOKEN,
      capabilities: 8_189,
      properties: { os: 'Windows', browser: 'Chrome', device: '' },
      compress: false,
    });
    expect(gateway.last.path).toBe('/?v=10&encoding=json');
    expect(client.stats()).toMatchObject({ connects: 1, identifies: 1, resumes: 0, reconnects: 0 });
  });

  it('rejects with GATEWAY_AUTH_FAILED on 4004 and never reconnects', async () => {
    const clock = new TrackingClock();
    client = makeClient(gateway, { token: 'wrong-token', clock });
    const fatal: unknown[] = [];
    client.on('fatal', (error) => fatal.push(error));
    const error = await client.connect().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GATEWAY_AUTH_FAILED', closeCode: 4004, retryable: false });
    expect(client.state).toBe('closed');
    // connect() reported it; `fatal` is for failures after the session was ready.
    expect(fatal).toEqual([]);
    // No reconnect was scheduled, and no timer is left that could start one.
    expect(client.stats().reconnects).toBe(0);
    expect(clock.pending).toBe(0);
    expect(gateway.connections).toHaveLength(1);
  });

  it('rejects with GATEWAY_TIMEOUT (phase hello) when HELLO never comes', async () => {
    gateway.sendHello = false;
    client = makeClient(gateway, { helloTimeoutMs: 50 });
    await expect(client.connect()).rejects.toMatchObject({
      code: 'GATEWAY_TIMEOUT',
      phase: 'hello',
      retryable: true,
    });
    expect(client.state).toBe('closed');
    await gateway.until(() => gateway.last.closeCode !== null);
  });

  it('rejects with GATEWAY_TIMEOUT (phase ready) when IDENTIFY is not answered', async () => {
    gateway.answerIdentify = false;
    client = makeClient(gateway, { readyTimeoutMs: 50 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'GATEWAY_TIMEOUT', phase: 'ready' });
  });

  it('rejects with GATEWAY_CONNECT_FAILED when nothing listens', async () => {
    const port = gateway.port;
    await gateway.close();
    client = makeClient(gateway, { url: `ws://127.0.0.1:${port}/?v=10&encoding=json` });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GATEWAY_CONNECT_FAILED', retryable: true });
    expect((error as GatewayError).cause).toBeInstanceOf(Error);
    gateway = await FakeGateway.start();
  });

  it('rejects with GATEWAY_CLOSED when the gateway closes during the handshake', async () => {
    gateway.identifyCloseCode = 4000;
    client = makeClient(gateway);
    await expect(client.connect()).rejects.toMatchObject({ code: 'GATEWAY_CLOSED', closeCode: 4000 });
  });

  it('stops on abort with the signal reason and closes the socket', async () => {
    gateway.answerIdentify = false;
    client = makeClient(gateway);
    const controller = new AbortController();
    const connecting = client.connect(controller.signal);
    await gateway.until(() => gateway.sent(2).length === 1);
    controller.abort(new Error('user cancelled'));
    await expect(connecting).rejects.toThrow('user cancelled');
    expect(client.state).toBe('closed');
    expect(await gateway.last.closed).toBe(1000);
  });

  it('refuses a second connect() while connected', async () => {
    client = makeClient(gateway);
    await client.connect();
    await expect(client.connect()).rejects.toMatchObject({ code: 'GATEWAY_INVALID_USE' });
  });

  it('shares one pending connect() between callers', async () => {
    client = makeClient(gateway);
    const [a, b] = await Promise.all([client.connect(), client.connect()]);
    expect(a).toBe(b);
    expect(gateway.connections).toHaveLength(1);
  });
});

describe('GatewayClient.close', () => {
  it('closes with 1000, stops every timer and leaves no socket', async () => {
    const clock = new TrackingClock();
    gateway.heartbeatIntervalMs = 30;
    client = makeClient(gateway, { clock });
    const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await client.connect();
    await gateway.until(() => gateway.sent(1).length >= 1);
    expect(clock.pending).toBeGreaterThan(0);

    await client.close();
    expect(client.state).toBe('closed');
    expect(await gateway.last.closed).toBe(1000);
    expect(clock.pending).toBe(0);
    expect(client.sessionId).toBeNull();
    // Heartbeats run on the injected clock: with nothing pending, none can follow.
    expect(gateway.connections).toHaveLength(1);
    await gateway.until(
      () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length <= before,
    );
  });

  it('can connect again after close() with a new session', async () => {
    client = makeClient(gateway);
    await client.connect();
    await client.close();
    const ready = await client.connect();
    expect(ready.session_id).toBe('session-2');
    expect(gateway.sent(6)).toHaveLength(0);
  });

  it('rejects a pending connect()', async () => {
    gateway.answerIdentify = false;
    client = makeClient(gateway);
    const connecting = client.connect();
    await gateway.until(() => gateway.sent(2).length === 1);
    await client.close();
    await expect(connecting).rejects.toMatchObject({ code: 'GATEWAY_CLOSED', retryable: false });
  });
});

describe('the token', () => {
  it('never appears in debug lines, errors or events', async () => {
    const seen: string[] = [];
    client = makeClient(gateway);
    client.on('debug', (line) => seen.push(line));
    client.on('error', (error) => seen.push(JSON.stringify(error), error.message));
    await client.connect();
    gateway.drop();
    await nextEvent(client, 'resumed');
    gateway.closeWith(4004);
    const [fatal] = await nextEvent(client, 'fatal');
    seen.push(JSON.stringify(fatal), fatal.message, String(fatal.stack));

    expect(seen.length).toBeGreaterThan(5);
    for (const line of seen) expect(line).not.toContain(FAKE_TOKEN);
  });
});
