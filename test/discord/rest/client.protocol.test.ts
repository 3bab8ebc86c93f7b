/** Malformed 2xx answers: typed, retried for GETs with backoff, ambiguous (never resent) for POST. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DiscordProtocolError,
  isAmbiguousSubmission,
  isDiscordProtocolError,
} from '../../../src/discord/rest/errors.js';
import { retryReason } from '../../../src/discord/rest/retry-policy.js';
import type { InteractionPayload } from '../../../src/discord/types.js';
import { BASE, json, type MockSetup, mockClient, TOKEN } from './client-helpers.js';
import { CHANNEL_1, GUILD_1 } from './helpers.js';

let setup: MockSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

const MESSAGES = `${BASE}/channels/${CHANNEL_1}/messages`;
const MESSAGE = {
  id: '1200000000000000001',
  channel_id: CHANNEL_1,
  author: { id: '936929561302675456', username: 'Midjourney Bot' },
  content: '**cat** - <@300000000000000001> (fast)',
  attachments: [],
  embeds: [],
  components: [],
};
const PAYLOAD: InteractionPayload = {
  type: 2,
  application_id: '936929561302675456',
  guild_id: GUILD_1,
  channel_id: CHANNEL_1,
  session_id: '0123456789abcdef0123456789abcdef',
  nonce: '1100000000000000001',
  data: { version: '1', id: '938956540159881230', name: 'imagine', type: 1, options: [], attachments: [] },
};

describe('a malformed answer to a GET', () => {
  it('a truncated JSON body on 200 is retried with backoff, then the good answer is used', async () => {
    setup = mockClient();
    const text = JSON.stringify([MESSAGE]);
    setup.pool.intercept({ path: MESSAGES, method: 'GET' }).reply(200, text.slice(0, 40), json).times(1);
    setup.pool.intercept({ path: MESSAGES, method: 'GET' }).reply(200, text, json).times(1);
    const retries: string[] = [];
    setup.client.limiter.on('retry', (e) => retries.push(`${e.reason} ${e.detail} ${e.delayMs}`));
    const messages = await setup.client.getMessages(CHANNEL_1);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ id: MESSAGE.id, mentions: [], flags: 0 });
    expect(retries).toEqual(['protocol protocol 200 4']);
    setup.agent.assertNoPendingInterceptors();
  });

  it.each([
    ['a JSON string where the list belongs', JSON.stringify('[{"id":"1"}]'), '(body): expected an array'],
    ['an object where the list belongs', '{"messages":[]}', '(body): expected an array, got an object'],
    ['a message without id', JSON.stringify([{ ...MESSAGE, id: undefined }]), '[0].id'],
    ['an empty 200', '', '(body): expected an array, got undefined'],
    ['an HTML page with 200', '<html>maintenance</html>', 'body is not JSON'],
  ])('%s: DiscordProtocolError once the retries run out', async (_label, body, problem) => {
    setup = mockClient({ retries: 2 });
    setup.pool.intercept({ path: MESSAGES, method: 'GET' }).reply(200, body, json).times(3);
    const error = await setup.client.getMessages(CHANNEL_1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordProtocolError);
    expect(isDiscordProtocolError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'DiscordProtocolError',
      code: 'DISCORD_PROTOCOL_ERROR',
      status: 200,
      method: 'GET',
      route: `/channels/${CHANNEL_1}/messages`,
      attempts: 3,
      retryable: true,
      ambiguous: false,
    });
    expect((error as DiscordProtocolError).problem).toContain(problem);
    expect(isAmbiguousSubmission(error)).toBe(false);
    expect(setup.client.limiter.stats().totals).toMatchObject({ requests: 3, retries: 2 });
    setup.agent.assertNoPendingInterceptors();
  });

  it('users/@me and the command index are checked too', async () => {
    setup = mockClient({ retries: 0 });
    setup.pool.intercept({ path: `${BASE}/users/@me`, method: 'GET' }).reply(200, '{"id":', json);
    setup.pool
      .intercept({ path: `${BASE}/guilds/${GUILD_1}/application-command-index`, method: 'GET' })
      .reply(200, { applications: [], application_commands: 'imagine' }, json);
    await expect(setup.client.getCurrentUser()).rejects.toMatchObject({ code: 'DISCORD_PROTOCOL_ERROR' });
    await expect(setup.client.getGuildApplicationCommandIndex(GUILD_1)).rejects.toMatchObject({
      code: 'DISCORD_PROTOCOL_ERROR',
      problem: 'application_commands: expected an array, got string "imagine"',
    });
  });

  it('never puts the token in the problem or the snippet', async () => {
    setup = mockClient({ retries: 0 });
    setup.pool.intercept({ path: `${BASE}/users/@me`, method: 'GET' }).reply(200, `"${TOKEN}"`, json);
    const error = (await setup.client.getCurrentUser().catch((e: unknown) => e)) as DiscordProtocolError;
    expect(JSON.stringify(error.toJSON())).not.toContain(TOKEN);
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('request() with a caller-supplied decoder', () => {
  it('a decoder that throws is a DiscordProtocolError naming its message', async () => {
    setup = mockClient({ retries: 0 });
    setup.pool.intercept({ path: `${BASE}/users/@me`, method: 'GET' }).reply(200, { id: '1' }, json);
    const error = await setup.client
      .request({
        method: 'GET',
        path: '/users/@me',
        decode: () => {
          throw new Error('not a bot account');
        },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'DISCORD_PROTOCOL_ERROR',
      problem: 'decoder threw: not a bot account',
    });
  });
});

describe('a malformed answer to POST /interactions', () => {
  it('is ambiguous: sent once, not retried, so the caller looks before resending', async () => {
    setup = mockClient();
    setup.pool
      .intercept({ path: `${BASE}/interactions`, method: 'POST' })
      .reply(200, '<html>ok</html>', { headers: { 'content-type': 'text/html' } })
      .times(1);
    const error = await setup.client.createInteraction(PAYLOAD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordProtocolError);
    expect(error).toMatchObject({ ambiguous: true, retryable: false, attempts: 1, method: 'POST' });
    expect(isAmbiguousSubmission(error)).toBe(true);
    expect(retryReason(error)).toBeUndefined();
    expect(setup.client.limiter.stats().totals).toMatchObject({ requests: 1, retries: 0 });
    setup.agent.assertNoPendingInterceptors();
  });

  it('a JSON object body on 200 is accepted (nothing in it is read)', async () => {
    setup = mockClient();
    setup.pool.intercept({ path: `${BASE}/interactions`, method: 'POST' }).reply(200, {}, json);
    await expect(setup.client.createInteraction(PAYLOAD)).resolves.toBeUndefined();
  });
});
