/**
 * The headers an account sends: MJ_USER_AGENT and MJ_REST_HEADERS reach Discord on every call
 * (checked on the wire of a loopback server), the client's own headers cannot be replaced, and a
 * bad header is refused with the option or variable named.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { withAccountIdentity } from '../../../src/accounts/from-config.js';
import { parseAccounts } from '../../../src/config/accounts.js';
import { ConfigError } from '../../../src/config/errors.js';
import { loadConfig } from '../../../src/config/index.js';
import { RestClient } from '../../../src/discord/rest/client.js';
import { ValidationError } from '../../../src/errors.js';
import { extraHeaderProblems } from '../../../src/util/extra-headers.js';
import { TOKEN } from './client-helpers.js';
import { type LoopbackServer, startLoopback } from './loopback-server.js';

const USER = {
  id: '300000000000000001',
  username: 'me',
  global_name: null,
  discriminator: '0',
  avatar: null,
};
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const SUPER = Buffer.from(JSON.stringify({ os: 'Linux', browser: 'Chrome' })).toString('base64');

let server: LoopbackServer | undefined;
let client: RestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

/** A loopback Discord that answers /users/@me and keeps every request's headers. */
async function recordingServer(): Promise<{ headers: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  server = await startLoopback((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(USER));
  });
  return { headers: seen };
}

const ENV = {
  DISCORD_TOKEN: TOKEN,
  DISCORD_GUILD_ID: '100000000000000001',
  DISCORD_CHANNEL_ID: '100000000000000002',
};

describe('the headers an account sends', () => {
  it('sends MJ_USER_AGENT and MJ_REST_HEADERS on every call, the token unchanged', async () => {
    const { headers } = await recordingServer();
    const config = loadConfig({
      envFile: false,
      env: {
        ...ENV,
        DISCORD_API_BASE_URL: server!.baseUrl,
        MJ_USER_AGENT: BROWSER,
        MJ_REST_HEADERS: JSON.stringify({ 'X-Discord-Locale': 'en-US', 'X-Super-Properties': SUPER }),
      },
    });
    expect(config.userAgent).toBe(BROWSER);
    expect(config.restHeaders).toEqual({ 'X-Discord-Locale': 'en-US', 'X-Super-Properties': SUPER });
    client = RestClient.fromConfig(config);
    await client.getCurrentUser();
    await client.getCurrentUser();
    expect(headers).toHaveLength(2);
    for (const h of headers) {
      expect(h).toMatchObject({
        authorization: TOKEN,
        'user-agent': BROWSER,
        'x-discord-locale': 'en-US',
        'x-super-properties': SUPER,
        accept: 'application/json',
      });
    }
  });

  it("sends the library's User-Agent and nothing more when unset", async () => {
    const { headers } = await recordingServer();
    const config = loadConfig({ envFile: false, env: { ...ENV, DISCORD_API_BASE_URL: server!.baseUrl } });
    expect(config.userAgent).toBeUndefined();
    expect(config.restHeaders).toBeUndefined();
    client = RestClient.fromConfig(config);
    await client.getCurrentUser();
    expect(headers[0]?.['user-agent']).toMatch(/^midjourney-worker\//);
    expect(Object.keys(headers[0] ?? {}).filter((name) => name.startsWith('x-'))).toEqual([]);
  });

  it.each([
    [{ Authorization: 'Bot other' }, '"Authorization" is set by the client'],
    [{ 'user-agent': 'x' }, 'use the userAgent option / MJ_USER_AGENT'],
    [{ 'Content-Type': 'text/plain' }, '"Content-Type" is set by the client'],
    [{ 'X-Bad Name': 'x' }, '"X-Bad Name" is not a valid header name'],
    [{ 'X-Split': 'a\r\nAuthorization: stolen' }, 'the value of "X-Split" holds a line break'],
    [{ 'X-Number': 5 }, 'the value of "X-Number" must be a string'],
    [{ 'X-A': '1', 'x-a': '2' }, '"x-a" is given twice'],
  ])('refuses %j on the client, naming it', (headers, problem) => {
    expect(extraHeaderProblems(headers).join('\n')).toContain(problem);
    let error: unknown;
    try {
      new RestClient({ token: TOKEN, headers: headers as Record<string, string> });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message + JSON.stringify(error)).toContain('headers');
  });

  it.each([
    ['MJ_REST_HEADERS', '{"X-Discord-Locale": ', 'MJ_REST_HEADERS: expected a JSON object'],
    ['MJ_REST_HEADERS', '["en-US"]', 'MJ_REST_HEADERS: expected an object of header names'],
    ['MJ_REST_HEADERS', '{"Authorization":"x"}', 'MJ_REST_HEADERS: "Authorization" is set by the client'],
  ])('refuses a bad %s in the configuration: %s', (name, value, problem) => {
    expect(() => loadConfig({ envFile: false, env: { ...ENV, [name]: value } })).toThrow(ConfigError);
    try {
      loadConfig({ envFile: false, env: { ...ENV, [name]: value } });
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toContain(problem);
    }
  });

  it('an accounts file gives each account its own identity over the shared one', async () => {
    const { headers } = await recordingServer();
    const config = loadConfig({
      envFile: false,
      env: {
        DISCORD_API_BASE_URL: server!.baseUrl,
        MJ_USER_AGENT: 'shared/1',
        MJ_REST_HEADERS: '{"X-A":"shared"}',
      },
    });
    const account = (id: string, extra: Record<string, unknown>) => ({
      id,
      token: `${TOKEN}${id}`,
      guildId: '100000000000000001',
      channelId: '100000000000000002',
      ...extra,
    });
    const [own, plain] = parseAccounts(
      [account('own', { userAgent: BROWSER, headers: { 'X-Discord-Locale': 'fr' } }), account('plain', {})],
      config,
    );
    for (const a of [own!, plain!]) {
      const rest = RestClient.fromConfig({
        ...withAccountIdentity(config, a),
        credentials: { token: a.token, guildId: a.guildId, channelId: a.channelId },
      });
      await rest.getCurrentUser();
      await rest.close();
    }
    expect(headers[0]).toMatchObject({ 'user-agent': BROWSER, 'x-discord-locale': 'fr' });
    expect(headers[0]?.['x-a']).toBeUndefined();
    expect(headers[1]).toMatchObject({ 'user-agent': 'shared/1', 'x-a': 'shared' });
    expect(() =>
      parseAccounts(
        [account('bad', { headers: { Authorization: 'x' }, userAgent: 'a\nb' })],
        config,
        'accounts.json',
      ),
    ).toThrow(
      /accounts\.json: account "bad" \(#1\): userAgent: [\s\S]*account "bad" \(#1\): headers: "Authorization" is set by the client/,
    );
  });
});
