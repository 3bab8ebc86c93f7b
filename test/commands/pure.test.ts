/** The pure parts: magic bytes, data: URLs, answer parsing, payloads, prompt composition, matching. */
import { describe, expect, it } from 'vitest';
import type { APIMessage, APIMessageInteractionMetadata } from '../../src/discord/types.js';
import { ValidationError } from '../../src/errors.js';
import { describeMatcher, isOurReply } from '../../src/generation/commands/answer-match.js';
import { composeImagePrompt, flattenRefs } from '../../src/generation/commands/image-prompt.js';
import { BLEND_DIMENSIONS } from '../../src/generation/commands/types.js';
import { loadImage } from '../../src/images/image-source.js';
import { sniffImageType } from '../../src/images/sniff.js';
import {
  parseDescribeAnswer,
  parseShortenAnswer,
  parseTokens,
} from '../../src/midjourney/command-answers.js';
import { buildCommandInteraction } from '../../src/midjourney/command-payloads.js';
import { dataUrl, redPng } from './helpers.js';

const bytes = (...values: (number | string)[]): Uint8Array =>
  Uint8Array.from(values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe('sniffImageType', () => {
  it.each([
    ['png', bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0), 'png'],
    ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe0), 'jpeg'],
    ['gif87a', bytes('GIF87a'), 'gif'],
    ['gif89a', bytes('GIF89a', 1), 'gif'],
    ['webp', bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '), 'webp'],
    ['riff but wave', bytes('RIFF', 0, 0, 0, 0, 'WAVE'), undefined],
    ['text', bytes('hello'), undefined],
    ['truncated png', bytes(0x89, 'PN'), undefined],
    ['empty', bytes(), undefined],
  ])('%s', (_name, input, expected) => {
    expect(sniffImageType(input)).toBe(expected);
  });
});

describe('loadImage', () => {
  it('reads data: URLs and names the file by its sniffed type', async () => {
    const image = await loadImage(dataUrl(redPng()));
    expect(image).toMatchObject({ type: 'png', mime: 'image/png', filename: 'image.png', source: 'data:' });
    const named = await loadImage({ bytes: redPng(), filename: '../../etc/My Cat!.jpeg' });
    expect(named.filename).toBe('My_Cat_.png');
  });

  it.each([
    ['data:image/png,notbase64', 'IMAGE_UNREADABLE'],
    ['data:image/png;base64,@@@@', 'IMAGE_UNREADABLE'],
    [`data:image/png;base64,${Buffer.from('text').toString('base64')}`, 'IMAGE_NOT_AN_IMAGE'],
    ['ftp://example.com/a.png', 'IMAGE_URL_FORBIDDEN'],
    ['gopher://example.com/a.png', 'IMAGE_URL_FORBIDDEN'],
    ['', 'IMAGE_UNREADABLE'],
  ])('refuses %s', async (input, code) => {
    await expect(loadImage(input)).rejects.toMatchObject({ code });
  });

  it('refuses URLs the policy forbids, without fetching them', async () => {
    for (const url of [
      'http://127.0.0.1/a.png',
      'http://10.0.0.1/a.png',
      'http://[::1]/a.png',
      'http://169.254.169.254/',
    ]) {
      await expect(loadImage(url)).rejects.toMatchObject({ code: 'IMAGE_URL_FORBIDDEN' });
    }
  });

  it('caps the size of every kind of input', async () => {
    const big = redPng();
    await expect(loadImage(big, { maxBytes: 10 })).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    await expect(loadImage(dataUrl(big), { maxBytes: 10 })).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
    });
  });
});

const message = (fields: Partial<APIMessage>): APIMessage =>
  ({
    id: '1200000000000000001',
    channel_id: '1100000000000000200',
    author: { id: '936929561302675456', username: 'Midjourney Bot', bot: true },
    content: '',
    attachments: [],
    embeds: [],
    components: [],
    flags: 0,
    ...fields,
  }) as APIMessage;

const buttonRow = (...ids: string[]) => ({
  type: 1 as const,
  components: ids.map((custom_id) => ({ type: 2 as const, style: 2, custom_id })),
});

describe('parseDescribeAnswer', () => {
  it('reads the four keycap-numbered prompts, the image and the buttons', () => {
    const answer = parseDescribeAnswer(
      message({
        embeds: [
          {
            description: '1️⃣ a cat, --ar 1:1\n\n2️⃣ a dog\n\n3️⃣ a bird --v 6\n\n4️⃣ a fish',
            image: { url: 'https://cdn.discordapp.com/attachments/1/2/cat.png' },
          },
        ],
        components: [
          buttonRow('MJ::Job::PicReader::1', 'MJ::Job::PicReader::2'),
          buttonRow('MJ::Picread::Retry', 'MJ::Job::PicReader::all'),
        ],
      }),
    );
    expect(answer).toEqual({
      prompts: ['a cat, --ar 1:1', 'a dog', 'a bird --v 6', 'a fish'],
      imageUrl: 'https://cdn.discordapp.com/attachments/1/2/cat.png',
      buttons: {
        1: 'MJ::Job::PicReader::1',
        2: 'MJ::Job::PicReader::2',
        all: 'MJ::Job::PicReader::all',
        retry: 'MJ::Picread::Retry',
      },
    });
  });

  it('is undefined while the reply is still empty, and for a notice', () => {
    expect(parseDescribeAnswer(message({}))).toBeUndefined();
    expect(
      parseDescribeAnswer(message({ embeds: [{ title: 'Banned image prompt', description: '1️⃣ x' }] })),
    ).toBeUndefined();
  });
});

describe('parseShortenAnswer', () => {
  it('reads the weighted tokens and the shortened prompts (the shape midjourney-proxy documents)', () => {
    const description =
      '## Important tokens\n**appdash** **appdash**, in the ~~style~~ of ~~expert~~ **draftsmanship**, commission for, ~~dadaistic~~, **toonami**\n## Shortened prompts\n1️⃣ appdash appdash, draftsmanship, commission for, ethereal, toonami\n\n2️⃣ appdash appdash, draftsmanship, commission, toonami\n\n3️⃣ appdash appdash, draftsmanship, toonami\n\n4️⃣ appdash appdash, toonami\n\n5️⃣ appdash';
    const answer = parseShortenAnswer(
      message({ embeds: [{ description }], components: [buttonRow('MJ::Job::PromptAnalyzer::1')] }),
    );
    expect(answer?.prompts).toHaveLength(5);
    expect(answer?.prompts[4]).toBe('appdash');
    expect(answer?.tokens.filter((t) => t.weight === 'important').map((t) => t.text)).toEqual([
      'appdash',
      'appdash',
      'draftsmanship',
      'toonami',
    ]);
    expect(answer?.tokens.filter((t) => t.weight === 'dropped').map((t) => t.text)).toEqual([
      'style',
      'expert',
      'dadaistic',
    ]);
    expect(answer?.buttons).toEqual({ 1: 'MJ::Job::PromptAnalyzer::1' });
  });

  it('splits tokens with their marks', () => {
    expect(parseTokens('~~a~~ **red** fox,')).toEqual([
      { text: 'a', weight: 'dropped' },
      { text: 'red', weight: 'important' },
      { text: 'fox,', weight: 'neutral' },
    ]);
  });
});

describe('buildCommandInteraction', () => {
  const command = {
    id: '1092492867185950852',
    application_id: '936929561302675456',
    version: '1237876415471554624',
    name: 'describe',
    description: '',
    type: 1,
    options: [{ type: 11, name: 'image', description: '', required: true }],
  };
  const base = {
    channelId: '1100000000000000200',
    guildId: '1100000000000000100',
    sessionId: 'abc',
    nonce: '1300000000000000001',
  };

  it('points the attachment option at data.attachments', () => {
    const payload = buildCommandInteraction({
      ...base,
      command,
      options: [{ type: 11, name: 'image', value: '0' }],
      attachments: [{ id: '0', filename: 'cat.png', uploaded_filename: 'uuid/cat.png' }],
    });
    expect(payload.data).toMatchObject({
      id: command.id,
      version: command.version,
      name: 'describe',
      options: [{ type: 11, name: 'image', value: '0' }],
      attachments: [{ id: '0', filename: 'cat.png', uploaded_filename: 'uuid/cat.png' }],
    });
    expect(payload.guild_id).toBe(base.guildId);
  });

  it('refuses an unknown option, a missing required one, or an option without its file', () => {
    const build = (options: { type: number; name: string; value: string }[]) => () =>
      buildCommandInteraction({ ...base, command, options, attachments: [] });
    expect(build([{ type: 3, name: 'link', value: 'x' }])).toThrow(ValidationError);
    expect(build([])).toThrow(/image is required/);
    expect(build([{ type: 11, name: 'image', value: '0' }])).toThrow(/points at no attachment/);
  });
});

describe('image prompts', () => {
  it('puts image prompts first and references after their parameters', () => {
    const { inputs, split } = flattenRefs({ images: ['a', 'b'], sref: ['c'], cref: ['d'], oref: 'e' });
    expect(inputs).toEqual(['a', 'b', 'c', 'd', 'e']);
    const urls = split(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(composeImagePrompt('  a fox --ar 3:2 ', urls)).toBe(
      'u1 u2 a fox --ar 3:2 --sref u3 --cref u4 --oref u5',
    );
    expect(composeImagePrompt('a fox', split([]))).toBe('a fox');
  });

  it('names the blend dimensions as /blend takes them', () => {
    expect(BLEND_DIMENSIONS).toEqual({ portrait: '--ar 2:3', square: '--ar 1:1', landscape: '--ar 3:2' });
  });
});

describe('answer matching', () => {
  const ctx = { nonce: '1300000000000000001', userId: '1100000000000000001' };
  const reply = (name: string, userId: string, nonce?: string) =>
    message({
      interaction_metadata: {
        id: '1',
        type: 2,
        name,
        user: { id: userId, username: 'u' },
      } as APIMessageInteractionMetadata,
      ...(nonce === undefined ? {} : { nonce }),
    });

  it.each([
    ['our reply', reply('describe', ctx.userId), true],
    ['our reply with our nonce', reply('describe', ctx.userId, ctx.nonce), true],
    ['another nonce', reply('describe', ctx.userId, '1300000000000000002'), false],
    ['another user', reply('describe', '1100000000000000002'), false],
    ['another command', reply('shorten', ctx.userId), false],
  ])('%s', (_name, m, expected) => {
    expect(isOurReply(m, 'describe', ctx)).toBe(expected);
  });

  it('turns a notice on our reply into its typed error', () => {
    const notice = reply('describe', ctx.userId);
    notice.embeds = [{ title: 'Banned image prompt', description: 'Sorry!', color: 16711680 }];
    const verdict = describeMatcher.read({}, [notice], {
      ...ctx,
      prompt: 'cat.png',
      channelId: '1100000000000000200',
      submittedAt: 0,
      now: 1,
    });
    expect(verdict.kind).toBe('error');
    expect(verdict.kind === 'error' && (verdict.error as { code?: string }).code).toBe('PRE_MODERATION');
  });
});
