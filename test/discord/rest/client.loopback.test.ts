import { createServer } from 'node:net';
import { buildConnector, Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { RestClient } from '../../../src/discord/rest/client.js';
import type { RestClientOptions } from '../../../src/discord/rest/client-options.js';
import {
  DiscordNetworkError,
  DiscordTimeoutError,
  isAmbiguousSubmission,
} from '../../../src/discord/rest/errors.js';
import type { InteractionPayload } from '../../../src/discord/types.js';
import { TOKEN } from './client-helpers.js';
import { CHANNEL_1, CHANNEL_2 } from './helpers.js';
import { type Handler, type LoopbackServer, sendJson, startLoopback } from './loopback-server.js';

let server: LoopbackServer | undefined;
let client: RestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setup(handler: Handler, options: Partial<RestClientOptions> = {}, spacing = 10) {
  server ??= await startLoopback(handler);
  client = new RestClient({
    token: TOKEN,
    baseUrl: server.baseUrl,
    retryBaseMs: 5,
    ...options,
    limiterOptions: { minSpacingMs: spacing, ...options.limiterOptions },
  });
  return { server, client };
}

const PAYLOAD = {
  type: 2,
  application_id: '936929561302675456',
  channel_id: CHANNEL_1,
  session_id: '0123456789abcdef0123456789abcdef',
  nonce: '1100000000000000001',
  data: { version: '1', id: '2', name: 'imagine', type: 1, options: [], attachments: [] },
} as InteractionPayload;

const snowflake = (i: number) => `3000000000000000${String(i).padStart(2, '0')}`;

describe('RestClient against a loopback server', () => {
  it('20 concurrent callers reach the server in FIFO order, starts at least the spacing apart', async () => {
    server = await startLoopback((req, res) =>
      sendJson(res, 200, req.url?.includes('@me') ? { id: '1' } : []),
    );
    // One connection, so the wire order is the order of starts even when a response is slow
    // under load (with several sockets, two in-flight requests can overtake each other).
    const pool = new Pool(new URL(server.baseUrl).origin, { connections: 1 });
    try {
      const { client } = await setup(() => {}, { dispatcher: pool }, 40);
      // Warm the keep-alive connection so the first gap is not a TCP handshake.
      await client.getCurrentUser();
      server.received.length = 0;
      const starts: number[] = [];
      client.limiter.on('request', (e) => starts.push(e.grantedAt));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          client.getMessages(i % 2 ? CHANNEL_1 : CHANNEL_2, { before: snowflake(i) }),
        ),
      );
      const order = server.received.map((r) => Number(r.url.slice(-2)));
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (let i = 1; i < starts.length; i += 1)
        expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(40);
      // On the wire the server shares this process's event loop, so single gaps jitter by a few
      // ms under load; the whole run still cannot be shorter than 19 spacings.
      expect(server.received.at(-1)!.at - server.received[0]!.at).toBeGreaterThanOrEqual(19 * 40 - 5);
    } finally {
      await client?.close();
      client = undefined;
      await pool.close();
    }
  });

  it('spaces the next request from when the previous one left, not from its grant (a slow connect)', async () => {
    server = await startLoopback((req, res) =>
      sendJson(res, 200, req.url?.includes('@me') ? { id: '1' } : []),
    );
    // Opening a connection takes 200 ms (a TLS handshake far away): the first request leaves
    // 200 ms after its grant. Spaced from the grant alone, the second (granted 100 ms after the
    // first, queued behind it on the one connection) would follow it onto the wire at once.
    const connector = buildConnector({});
    const slowConnect: buildConnector.connector = (options, callback) => {
      setTimeout(() => connector(options, callback), 200);
    };
    const pool = new Pool(new URL(server.baseUrl).origin, { connections: 1, connect: slowConnect });
    try {
      const { client } = await setup(() => {}, { dispatcher: pool }, 100);
      await Promise.all([client.getCurrentUser(), client.getMessages(CHANNEL_1, { limit: 1 })]);
      const [first, second] = server.received;
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(100 - 5);
    } finally {
      await client?.close();
      client = undefined;
      await pool.close();
    }
  });

  it('an exhausted bucket blocks only its own route', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url?.includes(CHANNEL_1)) {
        sendJson(res, 200, [], {
          'x-ratelimit-bucket': 'msgs',
          'x-ratelimit-limit': '1',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': '0.3',
        });
      } else sendJson(res, 200, []);
    });
    const label = (channel: string, i: number) => client.getMessages(channel, { after: snowflake(i) });
    await label(CHANNEL_1, 0);
    await Promise.all([label(CHANNEL_1, 1), label(CHANNEL_2, 2), label(CHANNEL_2, 3)]);
    const order = server.received.map((r) => Number(r.url.slice(-2)));
    expect(order).toEqual([0, 2, 3, 1]);
    expect(server.received[3]!.at - server.received[0]!.at).toBeGreaterThanOrEqual(295);
  });

  it('a route 429 waits retry_after, then succeeds', async () => {
    const { server, client } = await setup((_req, res, i) =>
      i === 0
        ? sendJson(
            res,
            429,
            { message: 'rate limited', retry_after: 0.15, global: false },
            { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
          )
        : res.writeHead(204).end(),
    );
    await client.createInteraction(PAYLOAD);
    expect(server.received).toHaveLength(2);
    expect(server.received[1]!.at - server.received[0]!.at).toBeGreaterThanOrEqual(148);
  });

  it('a global 429 pauses every route for retry_after', async () => {
    let answered = 0;
    const { server, client } = await setup(
      (req, res) =>
        answered++ === 1
          ? sendJson(
              res,
              429,
              { message: 'global', retry_after: 0.2, global: true },
              { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
            )
          : sendJson(res, 200, req.url?.includes('@me') ? { id: '1' } : []),
      {},
      100,
    );
    // Warm the connection; then the 429 comes back well within one spacing, before the next start.
    await client.getMessages(CHANNEL_2);
    server.received.length = 0;
    await Promise.all([
      client.getCurrentUser(),
      client.getMessages(CHANNEL_1),
      client.getMessages(CHANNEL_2),
    ]);
    const t429 = server.received[0]!.at;
    expect(server.received).toHaveLength(4);
    for (const later of server.received.slice(1)) expect(later.at - t429).toBeGreaterThanOrEqual(195);
    expect(client.limiter.stats().totals.rateLimited.global).toBe(1);
  });

  it('connection reset then success on a GET; a reset POST is ambiguous and sent once', async () => {
    const { server, client } = await setup((req, res, i) => {
      if (i === 0 || req.method === 'POST') req.socket.destroy();
      else sendJson(res, 200, { id: '1' });
    });
    await expect(client.getCurrentUser()).resolves.toMatchObject({ id: '1' });
    expect(server.received).toHaveLength(2);
    const error = await client.createInteraction(PAYLOAD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordNetworkError);
    expect(isAmbiguousSubmission(error)).toBe(true);
    expect(server.received.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('times out: a GET is retried, a POST is ambiguous and sent once', async () => {
    const { server, client } = await setup(() => {}, { timeoutMs: 100, retries: 1 });
    const started = performance.now();
    const get = await client.getCurrentUser().catch((e: unknown) => e);
    expect(get).toBeInstanceOf(DiscordTimeoutError);
    expect(get).toMatchObject({ attempts: 2, timeoutMs: 100, ambiguous: false, code: 'DISCORD_TIMEOUT' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    const post = await client.createInteraction(PAYLOAD, { timeoutMs: 80 }).catch((e: unknown) => e);
    expect(post).toMatchObject({ name: 'DiscordTimeoutError', attempts: 1, ambiguous: true, timeoutMs: 80 });
    expect(server.received.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
    expect(client.limiter.stats().inFlight).toBe(0);
  });

  it('an abort in flight rejects with the reason and frees the bucket for the next call', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url?.includes('before')) return; // never answered
      sendJson(res, 200, []);
    });
    const controller = new AbortController();
    const hanging = client.getMessages(CHANNEL_1, { before: snowflake(1) }, { signal: controller.signal });
    while (server.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(hanging).rejects.toBe(reason);
    expect(client.limiter.stats().inFlight).toBe(0);
    await expect(client.getMessages(CHANNEL_1)).resolves.toEqual([]);
    expect(client.limiter.stats().totals.retries).toBe(0);
  });

  it('a refused connection (nothing sent) is retried, also for a POST, then reported', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    client = new RestClient({
      token: TOKEN,
      baseUrl: `http://127.0.0.1:${port}/api/v10`,
      retries: 2,
      retryBaseMs: 5,
      limiterOptions: { minSpacingMs: 5 },
    });
    const error = await client.createInteraction(PAYLOAD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordNetworkError);
    expect(error).toMatchObject({ errorCode: 'ECONNREFUSED', sent: false, ambiguous: false, attempts: 3 });
    expect(client.limiter.stats().totals.retries).toBe(2);
  });
});

describe('RestClient.close', () => {
  it('is idempotent: closing twice resolves and the client sends nothing after', async () => {
    const { client: local, server: srv } = await setup((_req, res) => sendJson(res, 200, { id: '1' }));
    await local.getCurrentUser();
    await Promise.all([local.close(), local.close()]);
    await expect(local.close()).resolves.toBeUndefined();
    const before = srv.received.length;
    await expect(local.getCurrentUser()).rejects.toThrow();
    expect(srv.received.length).toBe(before);
  });
});
