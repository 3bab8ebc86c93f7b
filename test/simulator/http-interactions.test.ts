/** Contract tests of POST /interactions: Discord's validation, 204, and the hand-off to the bot. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { NIJI_APPLICATION_ID, type Simulator, startSimulator } from '../../src/simulator/index.js';
import { ECHO_BUTTON, EchoBot } from './helpers/echo-bot.js';
import { buttonPayload, imaginePayload } from './helpers/fixtures.js';
import { api, call, until } from './helpers/http.js';

const OTHER = { id: '1100000000000000301', username: 'other-user', token: 'other-user-token-0123456789' };
let sim: Simulator<EchoBot>;

beforeEach(async () => {
  sim = await startSimulator({
    createBot: (world) => new EchoBot(world),
    rateLimits: { enabled: false },
    timeScale: 100,
    users: [{ id: '1100000000000000300', username: 'sim-user', token: 'sim-user-token-0123456789' }, OTHER],
  });
});
afterEach(() => sim.close());

const interact = (body: unknown, token = sim.token) => api(sim, 'POST', '/interactions', { body, token });

describe('POST /interactions: application commands', () => {
  it('accepts a well-formed /imagine with 204 and no body, then hands it to the bot', async () => {
    const payload = imaginePayload(sim, 'a red fox');
    const res = await interact(payload);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.via).toBe('1.1 google');
    const received = await until(() => sim.bot.received[0]);
    expect(received.payload).toEqual(payload);
    expect(received.user.id).toBe(sim.userId);
    expect(received.id).toMatch(/^\d{17,20}$/);
    const message = await until(() => sim.messages()[0]);
    expect(message.content).toBe(`**a red fox** - <@${sim.userId}> (fast)`);
    expect(sim.requests.at(-1)).toMatchObject({ route: 'POST /interactions', status: 204, body: payload });
  });

  it("reads multipart/form-data with payload_json, as Discord's own client sends it", async () => {
    const form = new FormData();
    form.set('payload_json', JSON.stringify(imaginePayload(sim, 'multipart cat')));
    const request = new Request('http://x', { method: 'POST', body: form });
    const res = await call(`${sim.apiBaseUrl}/interactions`, 'POST', {
      token: sim.token,
      body: Buffer.from(await request.arrayBuffer()).toString('latin1'),
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
    });
    expect(res.status).toBe(204);
    expect(await until(() => sim.bot.received[0])).toBeDefined();
  });

  it.each([
    [
      'session_id missing',
      { session_id: undefined },
      { session_id: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } },
    ],
    [
      'application_id not a snowflake',
      { application_id: 'mj' },
      {
        application_id: {
          _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Value "mj" is not snowflake.' }],
        },
      },
    ],
    [
      'a nonce longer than 25',
      { nonce: '1'.repeat(26) },
      { nonce: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }] } },
    ],
    [
      'type 4',
      { type: 4 },
      { type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (2, 3, 5).' }] } },
    ],
    [
      'data missing',
      { data: undefined },
      { data: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } },
    ],
  ])('refuses %s with 50035 Invalid Form Body and the nested errors', async (_name, overrides, errors) => {
    const res = await interact(imaginePayload(sim, 'cat', overrides));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ message: 'Invalid Form Body', code: 50035, errors });
    expect(sim.bot.received).toHaveLength(0);
  });

  it('reports every problem of an option at its path in the tree', async () => {
    const payload = imaginePayload(sim, 'cat');
    payload.data.options = [{ type: 3, name: 'prompt' } as never];
    const res = await interact(payload);
    expect(res.json).toMatchObject({
      code: 50035,
      errors: { data: { options: { 0: { value: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } } } } },
    });
  });

  it('refuses a body that is not JSON with 50109, and one without a content type as empty', async () => {
    const broken = await call(`${sim.apiBaseUrl}/interactions`, 'POST', {
      token: sim.token,
      body: '{"type": 2,',
    });
    expect(broken.json).toEqual({ message: 'The request body contains invalid JSON.', code: 50109 });
    const untyped = await call(`${sim.apiBaseUrl}/interactions`, 'POST', {
      token: sim.token,
      body: JSON.stringify(imaginePayload(sim, 'cat')),
      headers: { 'content-type': 'text/plain' },
    });
    expect(untyped.status).toBe(400);
    expect(Object.keys((untyped.json as { errors: object }).errors)).toEqual(
      expect.arrayContaining(['type', 'application_id', 'channel_id', 'session_id', 'data']),
    );
  });

  it.each([
    [
      'an unknown channel',
      { channel_id: '1100000000000000999' },
      404,
      { message: 'Unknown Channel', code: 10003 },
    ],
    ['an unknown guild', { guild_id: '1100000000000000999' }, 404, { message: 'Unknown Guild', code: 10004 }],
    [
      'an unknown application',
      { application_id: '1100000000000000998' },
      404,
      { message: 'Unknown Application', code: 10002 },
    ],
  ])('answers %s like Discord', async (_name, overrides, status, body) => {
    const res = await interact(imaginePayload(sim, 'cat', overrides));
    expect([res.status, res.json]).toEqual([status, body]);
  });

  it('answers an unknown command id 404 10063 and a missing required option with 50035', async () => {
    const unknown = imaginePayload(sim, 'cat');
    unknown.data.id = '1100000000000000997';
    expect((await interact(unknown)).json).toEqual({ message: 'Unknown application command', code: 10063 });
    const noPrompt = imaginePayload(sim, 'cat');
    noPrompt.data.options = [];
    expect((await interact(noPrompt)).json).toMatchObject({
      code: 50035,
      errors: {
        data: {
          _errors: [
            {
              code: 'INTERACTION_APPLICATION_COMMAND_INVALID',
              message: 'Required option "prompt" is missing',
            },
          ],
        },
      },
    });
  });

  it('refuses a cached version after bumpVersion exactly as Discord does, and accepts the new one', async () => {
    const stale = imaginePayload(sim, 'cat');
    sim.commands.bumpVersion();
    const refused = await interact(stale);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        data: {
          _errors: [
            {
              code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
              message: 'This command is outdated, please try again in a few minutes',
            },
          ],
        },
      },
    });
    expect((await interact(imaginePayload(sim, 'cat'))).status).toBe(204);
  });

  it("accepts another bot's imagine (the trap) but the Midjourney bot never hears of it", async () => {
    const index = sim.commands.index();
    const niji = index.application_commands.find(
      (c) => c.application_id === NIJI_APPLICATION_ID && c.name === 'imagine',
    );
    const payload = imaginePayload(sim, 'cat', { application_id: NIJI_APPLICATION_ID });
    payload.data.id = niji?.id ?? '';
    payload.data.version = niji?.version ?? '';
    expect((await interact(payload)).status).toBe(204);
    // Interactions reach the bot in order: once a Midjourney imagine sent after it has arrived,
    // the Niji one would have too.
    const ours = imaginePayload(sim, 'dog');
    expect((await interact(ours)).status).toBe(204);
    await until(() => (sim.bot.received.length > 0 ? true : undefined));
    expect(sim.bot.received.map((i) => i.payload.nonce)).toEqual([ours.nonce]);
  });
});

describe('POST /interactions: buttons', () => {
  async function echoMessage(): Promise<APIMessage> {
    await interact(imaginePayload(sim, 'cat'));
    return until(() => sim.messages()[0]);
  }

  it("accepts a press on a button of the bot's message", async () => {
    const message = await echoMessage();
    const res = await interact(buttonPayload(sim, message.id, ECHO_BUTTON));
    expect(res.status).toBe(204);
    const pressed = await until(() => sim.bot.received[1]);
    expect(pressed.payload).toMatchObject({
      type: 3,
      message_id: message.id,
      data: { custom_id: ECHO_BUTTON },
    });
  });

  it('answers a deleted or unknown message 404 10008 Unknown Message', async () => {
    const message = await echoMessage();
    sim.world.deleteMessage(sim.channelId, message.id);
    for (const id of [message.id, '1100000000000000996']) {
      const res = await interact(buttonPayload(sim, id, ECHO_BUTTON));
      expect([res.status, res.json]).toEqual([404, { message: 'Unknown Message', code: 10008 }]);
    }
  });

  it('refuses a custom_id the message does not have, or a message of another application', async () => {
    const message = await echoMessage();
    const failed = {
      code: 50035,
      errors: {
        data: { _errors: [{ code: 'COMPONENT_VALIDATION_FAILED', message: 'Component validation failed' }] },
      },
    };
    expect((await interact(buttonPayload(sim, message.id, 'MJ::JOB::upsample::9::nope'))).json).toMatchObject(
      failed,
    );
    expect(
      (await interact(buttonPayload(sim, message.id, ECHO_BUTTON, { application_id: NIJI_APPLICATION_ID })))
        .json,
    ).toMatchObject(failed);
  });

  it('lets only its user press a button on an ephemeral message', async () => {
    const notice = sim.world.postEphemeral(sim.channelId, sim.userId, {
      content: '',
      embeds: [{ title: 'Action needed to continue' }],
      components: [
        {
          type: 1,
          components: [{ type: 2, style: 1, label: 'Appeal', custom_id: 'MJ::Prompts::Appeal::1' }],
        },
      ],
    });
    expect(notice.flags & 64).toBe(64);
    expect(
      (await interact(buttonPayload(sim, notice.id, 'MJ::Prompts::Appeal::1', { message_flags: 64 }))).status,
    ).toBe(204);
    const other = await interact(buttonPayload(sim, notice.id, 'MJ::Prompts::Appeal::1'), OTHER.token);
    expect(other.json).toEqual({ message: 'Unknown Message', code: 10008 });
  });
});
