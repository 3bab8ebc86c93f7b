/** Contract tests of the simulated Discord's REST endpoints: shapes, errors, ids, pagination. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { APIApplicationCommandIndex, APIMessage } from '../../src/discord/types.js';
import {
  NIJI_APPLICATION_ID,
  type Simulator,
  SimulatorUnknownChannelError,
  startSimulator,
} from '../../src/simulator/index.js';
import { isSnowflake, snowflakeTimestamp } from '../../src/util/snowflake.js';
import { EchoBot } from './helpers/echo-bot.js';
import { api } from './helpers/http.js';

const MJ = '936929561302675456';
let sim: Simulator<EchoBot>;

beforeEach(async () => {
  sim = await startSimulator({
    createBot: (world) => new EchoBot(world),
    rateLimits: { enabled: false },
    extraChannelIds: ['1100000000000000201'],
  });
});
afterEach(() => sim.close());

function post(count: number, channelId = sim.channelId): APIMessage[] {
  return Array.from({ length: count }, (_, i) =>
    sim.world.postMessage(channelId, { content: `message ${i}` }),
  );
}

describe('GET /users/@me', () => {
  it('names the account behind the token, with Discord headers', async () => {
    const res = await api(sim, 'GET', '/users/@me');
    expect(res.status).toBe(200);
    expect(res.headers.via).toBe('1.1 google');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toMatchObject({
      id: sim.userId,
      username: 'sim-user',
      discriminator: '0',
      avatar: null,
    });
  });

  it.each([
    ['a wrong token', 'not-the-token-at-all'],
    ['no token', null],
  ])('answers 401 with Discord body for %s, counted as invalid', async (_name, token) => {
    const res = await api(sim, 'GET', '/users/@me', { token });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ message: '401: Unauthorized', code: 0 });
    expect(sim.stats().invalidRequests).toBe(1);
  });

  it('answers unknown routes 404 and wrong methods 405 in Discord form', async () => {
    expect((await api(sim, 'GET', '/nope')).json).toEqual({ message: '404: Not Found', code: 0 });
    const wrong = await api(sim, 'DELETE', '/users/@me');
    expect(wrong.status).toBe(405);
    expect(wrong.json).toEqual({ message: '405: Method Not Allowed', code: 0 });
  });
});

describe('GET /channels/{id}/messages', () => {
  it('returns full message objects newest first, with real snowflakes and Discord timestamps', async () => {
    const before = Date.now();
    const posted = post(3);
    sim.world.postMessage(sim.channelId, { content: `**cat** - <@${sim.userId}> (fast)`, flags: 0 });
    const res = await api(sim, 'GET', `/channels/${sim.channelId}/messages`);
    expect(res.status).toBe(200);
    const list = res.json as APIMessage[];
    expect(list.map((m) => m.content)).toEqual([
      `**cat** - <@${sim.userId}> (fast)`,
      'message 2',
      'message 1',
      'message 0',
    ]);
    const ids = list.map((m) => BigInt(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));
    for (const m of list) {
      expect(isSnowflake(m.id)).toBe(true);
      expect(snowflakeTimestamp(m.id)).toBeGreaterThanOrEqual(before - 1);
      expect(snowflakeTimestamp(m.id)).toBeLessThanOrEqual(Date.now());
    }
    const [newest] = list as [APIMessage];
    expect(newest).toMatchObject({
      channel_id: sim.channelId,
      guild_id: sim.guildId,
      type: 0,
      author: { id: MJ, username: 'Midjourney Bot', bot: true },
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      flags: 0,
      pinned: false,
      mentions: [{ id: sim.userId, username: 'sim-user' }],
    });
    expect(newest.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(newest).not.toHaveProperty('nonce');
    expect(posted).toHaveLength(3);
  });

  it('defaults to 50 and accepts 1 to 100', async () => {
    post(60);
    expect(((await api(sim, 'GET', `/channels/${sim.channelId}/messages`)).json as unknown[]).length).toBe(
      50,
    );
    expect(
      ((await api(sim, 'GET', `/channels/${sim.channelId}/messages?limit=100`)).json as unknown[]).length,
    ).toBe(60);
    expect(
      ((await api(sim, 'GET', `/channels/${sim.channelId}/messages?limit=1`)).json as unknown[]).length,
    ).toBe(1);
  });

  it.each([
    ['limit=0', 'limit', 'NUMBER_TYPE_MIN', 'int value should be greater than or equal to 1.'],
    ['limit=101', 'limit', 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 100.'],
    ['limit=ten', 'limit', 'NUMBER_TYPE_COERCE', 'Value "ten" is not int.'],
    ['before=latest', 'before', 'NUMBER_TYPE_COERCE', 'Value "latest" is not snowflake.'],
  ])('refuses %s with 50035 and the errors tree', async (query, field, code, message) => {
    const res = await api(sim, 'GET', `/channels/${sim.channelId}/messages?${query}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: { [field]: { _errors: [{ code, message }] } },
    });
  });

  it('pages with before, after and around exactly like the store', async () => {
    const posted = post(7);
    const id = (i: number): string => (posted[i] as APIMessage).id;
    const contents = async (query: string): Promise<string[]> =>
      ((await api(sim, 'GET', `/channels/${sim.channelId}/messages?${query}`)).json as APIMessage[]).map(
        (m) => m.content,
      );
    expect(await contents(`limit=2&before=${id(3)}`)).toEqual(['message 2', 'message 1']);
    expect(await contents(`limit=2&after=${id(3)}`)).toEqual(['message 5', 'message 4']);
    expect(await contents(`limit=3&around=${id(3)}`)).toEqual(['message 4', 'message 3', 'message 2']);
  });

  it('keeps channels apart and answers an unknown channel 404 10003', async () => {
    post(2, '1100000000000000201');
    expect((await api(sim, 'GET', `/channels/${sim.channelId}/messages`)).json).toEqual([]);
    expect(((await api(sim, 'GET', '/channels/1100000000000000201/messages')).json as unknown[]).length).toBe(
      2,
    );
    const unknown = await api(sim, 'GET', '/channels/1100000000000000999/messages');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ message: 'Unknown Channel', code: 10003 });
  });

  it('refuses a bot message to a channel the guild does not have', () => {
    expect(() => sim.world.postMessage('1100000000000000999', { content: 'lost' })).toThrow(
      SimulatorUnknownChannelError,
    );
    expect(sim.world.editMessage(sim.channelId, '1100000000000000999', { content: 'x' })).toBeUndefined();
  });

  it('shows edits with edited_timestamp and forgets deleted messages', async () => {
    const [first, second] = post(2) as [APIMessage, APIMessage];
    sim.world.editMessage(sim.channelId, first.id, { content: 'edited' });
    expect(sim.world.deleteMessage(sim.channelId, second.id)).toBe(true);
    expect(sim.world.deleteMessage(sim.channelId, second.id)).toBe(false);
    const list = (await api(sim, 'GET', `/channels/${sim.channelId}/messages`)).json as APIMessage[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: first.id, content: 'edited' });
    expect(list[0]?.edited_timestamp).toMatch(/\+00:00$/);
    expect(sim.messages().map((m) => m.content)).toEqual(['edited']);
  });
});

describe('application-command index', () => {
  it("lists another bot's imagine first: only filtering by application id finds Midjourney's", async () => {
    for (const path of [
      `/guilds/${sim.guildId}/application-command-index`,
      `/channels/${sim.channelId}/application-command-index`,
    ]) {
      const index = (await api(sim, 'GET', path)).json as APIApplicationCommandIndex;
      const imagines = index.application_commands.filter((c) => c.name === 'imagine');
      expect(imagines[0]?.application_id).toBe(NIJI_APPLICATION_ID);
      const mine = index.application_commands.find((c) => c.name === 'imagine' && c.application_id === MJ);
      expect(mine).toMatchObject({
        id: '938956540159881230',
        version: sim.commands.get('imagine')?.version,
        type: 1,
      });
      expect(mine?.options).toEqual([expect.objectContaining({ type: 3, name: 'prompt', required: true })]);
      expect(index.applications.map((a) => a.id)).toContain(MJ);
      expect(index.application_commands.filter((c) => c.application_id === MJ).map((c) => c.name)).toEqual(
        expect.arrayContaining(['imagine', 'describe', 'blend', 'info', 'settings', 'fast', 'relax']),
      );
    }
  });

  it("changes imagine's version and the index version on bumpVersion", async () => {
    const path = `/guilds/${sim.guildId}/application-command-index`;
    const before = (await api(sim, 'GET', path)).json as APIApplicationCommandIndex;
    const version = sim.commands.bumpVersion();
    const after = (await api(sim, 'GET', path)).json as APIApplicationCommandIndex;
    const imagine = (i: APIApplicationCommandIndex) =>
      i.application_commands.find((c) => c.name === 'imagine' && c.application_id === MJ);
    expect(imagine(after)?.version).toBe(version);
    expect(imagine(after)?.version).not.toBe(imagine(before)?.version);
    expect(after.version).not.toBe(before.version);
  });

  it("serves the older command search with the same trap: the first imagine is not Midjourney's", async () => {
    const res = await api(
      sim,
      'GET',
      `/channels/${sim.channelId}/application-commands/search?type=1&query=imag&limit=10&include_applications=true`,
    );
    const body = res.json as APIApplicationCommandIndex;
    expect(body.application_commands.map((c) => [c.name, c.application_id])).toEqual([
      ['imagine', NIJI_APPLICATION_ID],
      ['imagine', MJ],
    ]);
    expect(body.applications.map((a) => a.id).sort()).toEqual([MJ, NIJI_APPLICATION_ID].sort());
    const limited = await api(
      sim,
      'GET',
      `/channels/${sim.channelId}/application-commands/search?query=imagine&limit=0`,
    );
    expect(limited.json).toMatchObject({
      code: 50035,
      errors: { limit: { _errors: [{ code: 'NUMBER_TYPE_MIN' }] } },
    });
  });

  it('answers an unknown guild 404 10004 and an unknown channel 404 10003', async () => {
    expect((await api(sim, 'GET', '/guilds/1100000000000000999/application-command-index')).json).toEqual({
      message: 'Unknown Guild',
      code: 10004,
    });
    expect((await api(sim, 'GET', '/channels/1100000000000000999/application-command-index')).json).toEqual({
      message: 'Unknown Channel',
      code: 10003,
    });
  });
});

describe('the request log', () => {
  it('records method, route, path, time and status in arrival order, and never the token', async () => {
    const start = Date.now();
    await api(sim, 'GET', '/users/@me');
    await api(sim, 'GET', `/channels/${sim.channelId}/messages?limit=5&token=${sim.token}`);
    await api(sim, 'GET', '/users/@me', { token: 'wrong-token-value' });
    expect(sim.requests.map((r) => [r.method, r.route, r.status])).toEqual([
      ['GET', 'GET /users/@me', 200],
      ['GET', 'GET /channels/{channel_id}/messages', 200],
      ['GET', 'GET /users/@me', 401],
    ]);
    expect(sim.requests[0]?.time).toBeGreaterThanOrEqual(start);
    expect(sim.requests[1]?.path).toContain('/api/v10/channels/');
    expect(sim.requests[0]?.userId).toBe(sim.userId);
    expect(JSON.stringify(sim.requests)).not.toContain(sim.token);
    sim.clearRequests();
    expect(sim.requests).toHaveLength(0);
  });
});
