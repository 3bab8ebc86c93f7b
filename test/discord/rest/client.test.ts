import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { loadConfig } from '../../../src/config/index.js';
import { RestClient } from '../../../src/discord/rest/client.js';
import {
  CloudflareBanError,
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  isAmbiguousSubmission,
  RateLimitedError,
  TokenInvalidError,
} from '../../../src/discord/rest/errors.js';
import type { InteractionPayload } from '../../../src/discord/types.js';
import { ValidationError } from '../../../src/errors.js';
import { BASE, json, type MockSetup, mockClient, rateLimitReply, TOKEN } from './client-helpers.js';
import { CHANNEL_1, GUILD_1 } from './helpers.js';

let setup: MockSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

const USER = {
  id: '300000000000000001',
  username: 'me',
  global_name: null,
  discriminator: '0',
  avatar: null,
};
const PAYLOAD: InteractionPayload = {
  type: 2,
  application_id: '936929561302675456',
  guild_id: GUILD_1,
  channel_id: CHANNEL_1,
  session_id: '0123456789abcdef0123456789abcdef',
  nonce: '1100000000000000001',
  data: {
    version: '1237876415471554623',
    id: '938956540159881230',
    name: 'imagine',
    type: 1,
    options: [],
    attachments: [],
  },
};

describe('RestClient requests', () => {
  it('sends the token as given, a User-Agent and JSON, and parses the answer', async () => {
    setup = mockClient({ userAgent: 'test-agent/1' });
    setup.pool
      .intercept({
        path: `${BASE}/users/@me`,
        method: 'GET',
        headers: { authorization: TOKEN, 'user-agent': 'test-agent/1', accept: 'application/json' },
      })
      .reply(200, USER, json);
    await expect(setup.client.getCurrentUser()).resolves.toEqual(USER);
    setup.agent.assertNoPendingInterceptors();
  });

  it('builds the messages query and the command-index paths', async () => {
    setup = mockClient();
    setup.pool
      .intercept({
        path: `${BASE}/channels/${CHANNEL_1}/messages?limit=10&before=300000000000000009`,
        method: 'GET',
      })
      .reply(200, [], json);
    setup.pool
      .intercept({ path: `${BASE}/guilds/${GUILD_1}/application-command-index`, method: 'GET' })
      .reply(200, { applications: [], application_commands: [], version: '1' }, json);
    setup.pool
      .intercept({ path: `${BASE}/channels/${CHANNEL_1}/application-command-index`, method: 'GET' })
      .reply(200, { applications: [], application_commands: [], version: '2' }, json);
    await expect(
      setup.client.getMessages(CHANNEL_1, { limit: 10, before: '300000000000000009' }),
    ).resolves.toEqual([]);
    await expect(setup.client.getGuildApplicationCommandIndex(GUILD_1)).resolves.toMatchObject({
      version: '1',
    });
    await expect(setup.client.getChannelApplicationCommandIndex(CHANNEL_1)).resolves.toMatchObject({
      version: '2',
    });
    setup.agent.assertNoPendingInterceptors();
  });

  it('POST /interactions sends the payload as JSON and resolves on 204', async () => {
    setup = mockClient();
    let sent: unknown;
    setup.pool
      .intercept({
        path: `${BASE}/interactions`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      })
      .reply(204, (options) => {
        sent = JSON.parse(String(options.body));
        return '';
      });
    await expect(setup.client.createInteraction(PAYLOAD)).resolves.toBeUndefined();
    expect(sent).toEqual(PAYLOAD);
  });

  it('refuses bad arguments before sending, naming each problem', async () => {
    setup = mockClient();
    const error = await setup.client
      .getMessages('12', { limit: 0, before: '300000000000000009', after: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      'channelId: expected a Discord snowflake (17-20 digits), got "12"',
      'limit: expected an integer from 1 to 100, got 0',
      'before, after: only one of around, before, after may be given',
      'after: expected a Discord snowflake (17-20 digits), got "x"',
    ]);
    await expect(setup.client.createInteraction({ ...PAYLOAD, channel_id: 'nope' })).rejects.toThrow(
      /channel_id: expected a Discord snowflake/,
    );
    await expect(setup.client.getGuildApplicationCommandIndex('')).rejects.toThrow(/guildId/);
    expect(setup.client.limiter.stats().totals.requests).toBe(0);
  });
});

describe('RestClient errors without retry', () => {
  it('a 400 Invalid Form Body becomes DiscordAPIError with flattened field errors, sent once', async () => {
    setup = mockClient();
    setup.pool
      .intercept({ path: `${BASE}/interactions`, method: 'POST' })
      .reply(
        400,
        {
          code: 50035,
          message: 'Invalid Form Body',
          errors: {
            data: {
              _errors: [
                {
                  code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
                  message: 'This command is outdated, please try again in a few minutes',
                },
              ],
              options: {
                '0': {
                  value: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] },
                },
              },
            },
          },
        },
        json,
      )
      .times(1);
    const error = (await setup.client.createInteraction(PAYLOAD).catch((e: unknown) => e)) as DiscordAPIError;
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({
      name: 'DiscordAPIError',
      code: 'DISCORD_API_ERROR',
      status: 400,
      discordCode: 50035,
      method: 'POST',
      route: '/interactions',
      attempts: 1,
      ambiguous: false,
      retryable: false,
    });
    expect(error.fieldErrors).toEqual([
      'data: This command is outdated, please try again in a few minutes',
      'data.options[0].value: This field is required',
    ]);
    expect(error.issues[0]?.code).toBe('INTERACTION_APPLICATION_COMMAND_INVALID_VERSION');
    expect(error.message).toMatch(
      /^\[50035\] POST \/interactions: Invalid Form Body\n {2}data: This command/,
    );
    expect(setup.client.limiter.stats().totals.requests).toBe(1);
  });

  it.each([400, 403, 404, 405, 413, 422])('a %i is permanent: one request, no retry', async (status) => {
    setup = mockClient();
    setup.pool
      .intercept({ path: `${BASE}/channels/${CHANNEL_1}/messages`, method: 'GET' })
      .reply(status, { code: 10003, message: 'Unknown Channel' }, json)
      .times(1);
    await expect(setup.client.getMessages(CHANNEL_1)).rejects.toMatchObject({ status, attempts: 1 });
    expect(setup.client.limiter.stats().totals).toMatchObject({ requests: 1, retries: 0 });
  });

  it('a 401 throws TokenInvalidError and later calls fail fast without a request', async () => {
    setup = mockClient();
    setup.pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .reply(401, { message: '401: Unauthorized', code: 0 }, json)
      .times(1);
    await expect(setup.client.getCurrentUser()).rejects.toBeInstanceOf(TokenInvalidError);
    await expect(setup.client.getMessages(CHANNEL_1)).rejects.toBeInstanceOf(TokenInvalidError);
    expect(setup.client.limiter.stats().totals.requests).toBe(1);
  });

  it('a Cloudflare 429 (HTML, no Via) stops at once with CloudflareBanError', async () => {
    setup = mockClient();
    setup.pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .reply(429, '<html>error 1015</html>', {
        headers: { 'content-type': 'text/html', 'retry-after': '120' },
      })
      .times(1);
    const error = await setup.client.getCurrentUser().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareBanError);
    // Its Retry-After (120 s) is honoured, not a fixed hour.
    expect(error).toMatchObject({ code: 'CLOUDFLARE_BLOCKED', retryAfterMs: 120_000 });
    await expect(setup.client.getCurrentUser()).rejects.toBeInstanceOf(CloudflareBanError);
    expect(setup.client.limiter.stats().totals).toMatchObject({ requests: 1, retries: 0 });
  });
});

describe('RestClient retries', () => {
  it('5xx then 200: retried after a full-jitter backoff', async () => {
    setup = mockClient();
    const path = `${BASE}/channels/${CHANNEL_1}/messages`;
    setup.pool.intercept({ path, method: 'GET' }).reply(502, 'Bad Gateway').times(1);
    setup.pool
      .intercept({ path, method: 'GET' })
      .reply(503, { code: 0, message: 'unavailable' }, json)
      .times(1);
    setup.pool.intercept({ path, method: 'GET' }).reply(200, [], json);
    await expect(setup.client.getMessages(CHANNEL_1)).resolves.toEqual([]);
    // random() = 0.5 of min(max, 8 * 2^n)
    expect(setup.delays).toEqual([4, 8]);
    expect(setup.client.limiter.stats().totals).toMatchObject({ requests: 3, retries: 2 });
  });

  it('5xx beyond the retry limit throws the last error carrying the attempts', async () => {
    setup = mockClient({ retries: 2, random: () => 1, retryBaseMs: 4, retryMaxDelayMs: 6 });
    setup.pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .reply(500, 'oops')
      .times(3);
    const error = await setup.client.getCurrentUser().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordHTTPError);
    expect(error).toMatchObject({
      status: 500,
      attempts: 3,
      ambiguous: false,
      retryable: true,
      bodySnippet: 'oops',
    });
    expect(setup.delays).toEqual([4, 6]); // capped by retryMaxDelayMs
    setup.agent.assertNoPendingInterceptors();
  });

  it('a 500 on POST /interactions is ambiguous and not retried', async () => {
    setup = mockClient();
    setup.pool
      .intercept({ path: `${BASE}/interactions`, method: 'POST' })
      .reply(500, 'oops')
      .times(1);
    const error = await setup.client.createInteraction(PAYLOAD).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DiscordHTTPError', ambiguous: true, retryable: false, attempts: 1 });
    expect(isAmbiguousSubmission(error)).toBe(true);
  });

  it('a connect error on POST /interactions (nothing sent) is retried', async () => {
    setup = mockClient();
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    setup.pool
      .intercept({ path: `${BASE}/interactions`, method: 'POST' })
      .replyWithError(refused)
      .times(1);
    setup.pool.intercept({ path: `${BASE}/interactions`, method: 'POST' }).reply(204, '');
    await expect(setup.client.createInteraction(PAYLOAD)).resolves.toBeUndefined();
    expect(setup.client.limiter.stats().totals.retries).toBe(1);
  });

  it('a reset after sending a POST is ambiguous: DiscordNetworkError, not retried', async () => {
    setup = mockClient();
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    setup.pool
      .intercept({ path: `${BASE}/interactions`, method: 'POST' })
      .replyWithError(reset)
      .times(1);
    const error = await setup.client.createInteraction(PAYLOAD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordNetworkError);
    expect(error).toMatchObject({ errorCode: 'UND_ERR_SOCKET', sent: true, ambiguous: true, attempts: 1 });
    expect(isAmbiguousSubmission(error)).toBe(true);
  });

  it('a reset on a GET is retried', async () => {
    setup = mockClient();
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    setup.pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .replyWithError(reset)
      .times(1);
    setup.pool.intercept({ path: `${BASE}/users/@me`, method: 'GET' }).reply(200, USER, json);
    await expect(setup.client.getCurrentUser()).resolves.toEqual(USER);
  });

  it('a route 429 waits retry_after in the limiter, then succeeds', async () => {
    setup = mockClient();
    const path = `${BASE}/interactions`;
    setup.pool.intercept({ path, method: 'POST' }).reply(rateLimitReply(0.05)).times(1);
    setup.pool.intercept({ path, method: 'POST' }).reply(204, '');
    const started = performance.now();
    await setup.client.createInteraction(PAYLOAD);
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
    expect(setup.client.limiter.stats().totals).toMatchObject({
      requests: 2,
      retries: 1,
      rateLimited: { user: 1 },
    });
    expect(setup.delays).toEqual([0]);
  });

  it('429s beyond rateLimitRetries throw RateLimitedError with the attempts', async () => {
    setup = mockClient({ rateLimitRetries: 2 });
    setup.pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .reply(rateLimitReply(0.01))
      .times(3);
    const error = await setup.client.getCurrentUser().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      attempts: 3,
      retryAfterMs: 10,
      scope: 'user',
      global: false,
    });
    setup.agent.assertNoPendingInterceptors();
  });

  it('a 429 longer than the total wait budget is not waited for', async () => {
    setup = mockClient({ rateLimitMaxWaitMs: 60_000 });
    setup.pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .reply(rateLimitReply(64.57))
      .times(1);
    const started = performance.now();
    await expect(setup.client.getCurrentUser()).rejects.toMatchObject({
      name: 'RateLimitedError',
      retryAfterMs: 64_570,
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('an abort while queued rejects with the caller reason', async () => {
    setup = mockClient({ limiterOptions: { minSpacingMs: 5_000 } });
    setup.pool.intercept({ path: `${BASE}/users/@me`, method: 'GET' }).reply(200, USER, json);
    await setup.client.getCurrentUser();
    const controller = new AbortController();
    const pending = setup.client.getCurrentUser({ signal: controller.signal });
    const reason = new Error('shutdown');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(setup.client.limiter.stats().queueDepth).toBe(0);
  });

  it('an urgent call goes before queued calls that are not', async () => {
    setup = mockClient({ limiterOptions: { minSpacingMs: 50 } });
    const { pool, client } = setup;
    pool
      .intercept({ path: `${BASE}/users/@me`, method: 'GET' })
      .reply(200, USER, json)
      .times(2);
    pool
      .intercept({ path: `${BASE}/channels/${CHANNEL_1}/messages?limit=1`, method: 'GET' })
      .reply(200, [], json);
    const order: string[] = [];
    const first = client.getCurrentUser().then(() => order.push('first'));
    const queued = client.getCurrentUser().then(() => order.push('queued'));
    const urgent = client
      .getMessages(CHANNEL_1, { limit: 1 }, { urgent: true })
      .then(() => order.push('urgent'));
    await Promise.all([first, queued, urgent]);
    expect(order).toEqual(['first', 'urgent', 'queued']);
  });
});

describe('RestClient options', () => {
  it('validates every option by name', () => {
    try {
      new RestClient({ token: '', baseUrl: 'ftp://x', timeoutMs: 0, retries: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems).toEqual([
        'token: required (the Discord user token)',
        'baseUrl: expected an http(s) URL, got ftp:',
        'timeoutMs: expected a number from 1 to 600000, got 0',
        'retries: expected a number from 0 to 100, got -1',
      ]);
    }
  });

  it('keeps the 350 ms floor against Discord and allows less on loopback only', () => {
    expect(() => new RestClient({ token: TOKEN, limiterOptions: { minSpacingMs: 50 } })).toThrow(
      /minSpacingMs/,
    );
    const local = new RestClient({
      token: TOKEN,
      baseUrl: 'http://127.0.0.1:9/api/v10',
      limiterOptions: { minSpacingMs: 50 },
    });
    expect(local.limiter.options.minSpacingMs).toBe(50);
    void local.close();
  });

  it('builds from the config: token, base URL, spacing, timeout and threshold', async () => {
    const config = loadConfig({
      envFile: false,
      env: {
        DISCORD_TOKEN: TOKEN,
        DISCORD_GUILD_ID: GUILD_1,
        DISCORD_CHANNEL_ID: CHANNEL_1,
        DISCORD_API_BASE_URL: 'http://127.0.0.1:9/api/v10',
        MJ_MIN_REQUEST_SPACING_MS: '20',
        MJ_REQUEST_TIMEOUT_MS: '5000',
        MJ_INVALID_REQUEST_THRESHOLD: '77',
      },
    });
    const client = RestClient.fromConfig(config);
    expect(client.options).toMatchObject({ baseUrl: 'http://127.0.0.1:9/api/v10', timeoutMs: 5_000 });
    expect(client.limiter.options).toMatchObject({ minSpacingMs: 20, invalidRequestThreshold: 77 });
    expect(JSON.stringify(client.options)).not.toContain(TOKEN);
    await client.close();
    expect(() => RestClient.fromConfig(loadConfig({ envFile: false, env: {} }))).toThrow(ConfigError);
  });

  it('shares one limiter between clients of the same token', async () => {
    setup = mockClient();
    const second = new RestClient({
      token: TOKEN,
      limiter: setup.client.limiter,
      dispatcher: setup.agent,
      baseUrl: 'https://discord.test/api/v10',
    });
    expect(second.limiter).toBe(setup.client.limiter);
    await second.close();
  });
});
