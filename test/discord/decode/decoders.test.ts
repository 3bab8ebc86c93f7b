import { describe, expect, it } from 'vitest';
import {
  decodeApplicationCommandIndex,
  decodeBody,
  decodeInteractionResponse,
  decodeMessage,
  decodeMessageList,
  decodeUser,
  decodeWith,
} from '../../../src/discord/decode/index.js';
import { parseMessage } from '../../../src/midjourney/parser.js';
import { fixtureNames, loadFixture } from '../../midjourney/fixtures.js';

const USER = {
  id: '300000000000000001',
  username: 'me',
  global_name: null,
  discriminator: '0',
  avatar: null,
};

function message(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '1200000000000000001',
    channel_id: '100000000000000001',
    type: 0,
    author: USER,
    content: 'hello',
    timestamp: '2024-01-01T00:00:00.000000+00:00',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    flags: 0,
    pinned: false,
    ...extra,
  };
}

describe('decodeMessage on recorded Midjourney messages', () => {
  it.each(fixtureNames())('%s decodes, keeps every field, and parses the same', (name) => {
    const fixture = loadFixture(name);
    const decoded = decodeWith(decodeMessage, fixture);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toMatchObject(JSON.parse(JSON.stringify(fixture)) as object);
    expect(parseMessage(decoded.value)).toEqual(parseMessage(loadFixture(name)));
  });
});

describe('decodeMessage: strict where the worker relies on a field', () => {
  it.each([
    ['a string', 'oops', '(body): expected an object, got string "oops"'],
    ['no id', message({ id: undefined }), 'id: expected a snowflake string, got undefined'],
    ['a non-numeric id', message({ id: 'abc' }), 'id: expected a snowflake string, got string "abc"'],
    ['no author', message({ author: null }), 'author: expected an object, got null'],
    [
      'an author without id',
      message({ author: { username: 'x' } }),
      'author.id: expected a snowflake string',
    ],
    ['content not a string', message({ content: 42 }), 'content: expected a string, got number'],
    ['attachments a string', message({ attachments: 'x' }), 'attachments: expected an array'],
    [
      'an attachment without url',
      message({ attachments: [{ id: '1', filename: 'a.png' }] }),
      'attachments[0].url',
    ],
    ['embeds an object', message({ embeds: {} }), 'embeds: expected an array, got an object'],
    ['flags a string', message({ flags: '64' }), 'flags: expected a number'],
  ])('%s is refused', (_label, value, problem) => {
    const decoded = decodeWith(decodeMessage, value);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.problem).toContain(problem);
  });

  it('names the failing message in a list by index', () => {
    const decoded = decodeWith(decodeMessageList, [message(), message({ channel_id: 7 })]);
    expect(decoded).toEqual({
      ok: false,
      problem: '[1].channel_id: expected a snowflake string, got number',
    });
  });

  it('refuses a string where the list belongs (it would be spread into characters)', () => {
    expect(decodeBody(decodeMessageList, '"[{\\"id\\":1}"').ok).toBe(false);
    expect(decodeBody(decodeMessageList, '[{"id":"12000000').ok).toBe(false);
    expect(decodeBody(decodeMessageList, '')).toMatchObject({ ok: false });
  });
});

describe('decodeMessage: tolerant of shapes it does not know', () => {
  it('keeps unknown fields, fills missing optional ones with Discord empties', () => {
    const decoded = decodeWith(decodeMessage, {
      id: '1200000000000000001',
      channel_id: '100000000000000001',
      author: { id: '300000000000000001' },
      poll: { question: 'x' },
    });
    expect(decoded).toEqual({
      ok: true,
      value: expect.objectContaining({
        poll: { question: 'x' },
        content: '',
        attachments: [],
        embeds: [],
        components: [],
        mentions: [],
        flags: 0,
        type: 0,
        author: expect.objectContaining({ id: '300000000000000001', username: '' }),
      }),
    });
  });

  it('drops the parts of unknown components and embeds that do not fit, never the message', () => {
    const decoded = decodeWith(
      decodeMessage,
      message({
        components: [
          'x',
          { type: 17, accent_color: 3, items: [] },
          {
            type: 1,
            components: [
              { type: 3, custom_id: 9, options: [] },
              'y',
              { type: 2, custom_id: 'MJ::JOB::reroll::0::a' },
            ],
          },
        ],
        embeds: [
          7,
          { title: 3, description: 'd', footer: 'f', image: { url: 1 }, color: 'red', fields: 'z' },
        ],
        mentions: [{ id: '300000000000000001' }, 'x', { username: 'no id' }],
        interaction_metadata: 'nope',
        referenced_message: { id: 'broken' },
        message_reference: { message_id: 5, channel_id: '100000000000000001' },
        nonce: { x: 1 },
      }),
    );
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const m = decoded.value;
    expect(m.components).toEqual([
      { type: 17, accent_color: 3, items: [], components: [] },
      {
        type: 1,
        components: [
          { type: 3, options: [] },
          { type: 2, custom_id: 'MJ::JOB::reroll::0::a' },
        ],
      },
    ]);
    expect(m.embeds).toEqual([{ description: 'd' }]);
    expect(m.mentions).toEqual([{ id: '300000000000000001' }]);
    expect(m.referenced_message).toBeNull();
    expect(m.message_reference).toEqual({ channel_id: '100000000000000001' });
    expect('interaction_metadata' in m).toBe(false);
    expect('nonce' in m).toBe(false);
    expect(parseMessage(m).actions).toEqual({ reroll: 'MJ::JOB::reroll::0::a' });
  });
});

describe('the other endpoints', () => {
  it('users/@me needs an id', () => {
    expect(decodeWith(decodeUser, USER)).toEqual({ ok: true, value: USER });
    expect(decodeBody(decodeUser, '{"id":"3000000')).toMatchObject({ ok: false });
    expect(decodeWith(decodeUser, { username: 'me' })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^id:/),
    });
  });

  it('the command index needs application_commands with id, application, version and name', () => {
    const command = {
      id: '938956540159881230',
      application_id: '936929561302675456',
      version: '1',
      name: 'imagine',
    };
    const ok = decodeWith(decodeApplicationCommandIndex, { application_commands: [command], extra: true });
    expect(ok).toEqual({
      ok: true,
      value: {
        applications: [],
        application_commands: [{ ...command, description: '', type: 1 }],
        version: '',
        extra: true,
      },
    });
    for (const bad of [
      'x',
      {},
      { application_commands: 'x' },
      { application_commands: [{ ...command, version: '' }] },
    ]) {
      expect(decodeWith(decodeApplicationCommandIndex, bad).ok).toBe(false);
    }
  });

  it('an interaction answer is empty (204) or an object', () => {
    expect(decodeBody(decodeInteractionResponse, '')).toEqual({ ok: true, value: undefined });
    expect(decodeBody(decodeInteractionResponse, '{}')).toEqual({ ok: true, value: undefined });
    expect(decodeBody(decodeInteractionResponse, '<html>')).toMatchObject({ ok: false });
    expect(decodeBody(decodeInteractionResponse, '[1]')).toMatchObject({ ok: false });
  });
});
