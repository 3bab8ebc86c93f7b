import { describe, expect, it } from 'vitest';
import { actionName } from '../../src/midjourney/actions.js';
import { type ParsedMessage, parseMessage } from '../../src/midjourney/parser.js';
import { ECHO, fixtureNames, JOB, JOB2, loadFixture, USER_ID } from './fixtures.js';

type Expected = Partial<ParsedMessage> & { actionKeys?: string[]; hasPreview?: boolean; hasImage?: boolean };

const GRID_ACTIONS = ['U1', 'U2', 'U3', 'U4', 'reroll', 'V1', 'V2', 'V3', 'V4'];
const UPSCALE_ACTIONS = [
  'upscale-subtle',
  'upscale-creative',
  'vary-strong',
  'vary-subtle',
  'vary-region',
  'zoom-2x',
  'zoom-1.5x',
  'zoom-custom',
  'pan-left',
  'pan-right',
  'pan-up',
  'pan-down',
  'bookmark',
];

const cases: [fixture: string, expected: Expected][] = [
  [
    'waiting',
    { state: 'waiting', prompt: ECHO, userId: USER_ID, nonce: '1265623712648101888', hasImage: false },
  ],
  [
    'progress',
    { state: 'progress', percent: 31, mode: 'fast', jobId: JOB, hasPreview: true, hasImage: false },
  ],
  [
    'progress-relaxed-stealth',
    { state: 'progress', percent: 78, mode: 'relax', stealth: true, hasPreview: true },
  ],
  [
    'done-grid',
    { state: 'done', prompt: ECHO, mode: 'fast', jobId: JOB, hasImage: true, actionKeys: GRID_ACTIONS },
  ],
  ['done-grid-turbo', { state: 'done', mode: 'turbo', prompt: `<https://s.mj.run/kZ8pX2aQe0c> ${ECHO}` }],
  ['stopped', { state: 'stopped', jobId: JOB, prompt: ECHO }],
  [
    'upscale',
    { state: 'upscale', variant: 'Image #2', imageIndex: 2, jobId: JOB2, actionKeys: UPSCALE_ACTIONS },
  ],
  [
    'upscale-website-link',
    { state: 'upscale', variant: 'Upscaled (Subtle)', mode: 'fast', jobId: JOB2, hasImage: true },
  ],
  ['upscale-legacy', { state: 'upscale', variant: 'Upscaled', mode: 'fast', jobId: JOB2 }],
  [
    'variation',
    { state: 'variation', variant: 'Variations (Strong)', mode: 'fast', actionKeys: GRID_ACTIONS },
  ],
  ['variation-progress', { state: 'progress', percent: 45, mode: 'relax', variant: 'Variations (Strong)' }],
  ['variation-waiting-legacy', { state: 'waiting', prompt: ECHO, userId: USER_ID }],
  ['zoom-out', { state: 'variation', variant: 'Zoom Out', jobId: JOB2 }],
  ['pan-left', { state: 'variation', variant: 'Pan Left' }],
  ['ephemeral-result', { state: 'done', ephemeral: true, flags: 64 }],
  ['banned-prompt-detected', { state: 'notice', ephemeral: true, actionKeys: ['appeal'] }],
  ['job-queued', { state: 'notice', nonce: '1265623712648101888' }],
  ['action-required-captcha', { state: 'notice', actionKeys: ['human-check'] }],
  ['failed-text', { state: 'notice', content: 'Failed to process your command :c' }],
  ['noise-displaying', { state: 'noise' }],
  ['noise-animating', { state: 'noise' }],
  ['unknown-plain', { state: 'notice' }],
];

describe('parseMessage over recorded message shapes', () => {
  it.each(cases)('%s', (fixture, expected) => {
    const message = loadFixture(fixture);
    const parsed = parseMessage(message);
    const { actionKeys, hasPreview, hasImage, ...fields } = expected;
    expect(parsed).toMatchObject(fields);
    expect(parsed.messageId).toBe(message.id);
    if (actionKeys) expect(Object.keys(parsed.actions)).toEqual(actionKeys);
    if (hasPreview !== undefined) expect(parsed.previewUrl !== undefined).toBe(hasPreview);
    if (hasImage !== undefined) expect(parsed.imageUrl !== undefined).toBe(hasImage);
  });

  it('parses every fixture, and every notice fixture is neither a job state nor unknown', () => {
    for (const name of fixtureNames()) {
      const parsed = parseMessage(loadFixture(name));
      expect(parsed.fromMidjourney, name).toBe(true);
      expect(parsed.state, name).not.toBe('unknown');
      if (parsed.embeds.length > 0) expect(parsed.state, name).toBe('notice');
    }
  });

  it('keeps the preview apart from the result: a progress image is never the imageUrl', () => {
    const progress = parseMessage(loadFixture('progress'));
    expect(progress.previewUrl).toMatch(/_grid_0\.webp\?/);
    expect(progress.imageUrl).toBeUndefined();
    expect(progress.imageUrls).toEqual([]);
    const done = parseMessage(loadFixture('done-grid'));
    expect(done.imageUrl).toMatch(new RegExp(`${JOB}\\.png\\?ex=`));
    expect(done.imageUrls).toEqual([done.imageUrl]);
    expect(done.previewUrl).toBeUndefined();
  });

  it('maps buttons to custom_ids, skipping link buttons', () => {
    const parsed = parseMessage(loadFixture('upscale'));
    expect(parsed.actions['vary-strong']).toBe(`MJ::JOB::high_variation::1::${JOB2}::SOLO`);
    expect(parsed.actions['zoom-2x']).toBe(`MJ::Outpaint::50::1::${JOB2}::SOLO`);
    expect(parsed.actions['pan-down']).toBe(`MJ::JOB::pan_down::1::${JOB2}::SOLO`);
    expect(Object.values(parsed.actions).every((id) => id.startsWith('MJ::'))).toBe(true);
  });

  it('reads the job id from the website link when no attachment or button carries it', () => {
    const message = loadFixture('upscale-website-link');
    message.components = [];
    expect(parseMessage(message).jobId).toBe(JOB2);
  });

  it('reads the job id from a cdn.midjourney.com path and from a custom_id', () => {
    const message = loadFixture('done-grid');
    message.attachments[0]!.filename = 'grid_0.png';
    message.attachments[0]!.url = `https://cdn.midjourney.com/${JOB2}/0_0.png`;
    expect(parseMessage(message).jobId).toBe(JOB2);
    message.attachments = [];
    expect(parseMessage(message).jobId).toBe(JOB);
  });

  it('takes the user from the mention, <@!id> form included', () => {
    const message = loadFixture('done-grid');
    message.content = '**cat** - <@!42424242424242424> (fast)';
    message.mentions = [];
    expect(parseMessage(message)).toMatchObject({
      userId: '42424242424242424',
      prompt: 'cat',
      state: 'done',
    });
  });

  it('keeps a prompt that itself contains " - " and "**"', () => {
    const message = loadFixture('done-grid');
    message.content = '**cat - **bold** dog** - <@1> (relaxed)';
    expect(parseMessage(message)).toMatchObject({
      prompt: 'cat - **bold** dog',
      mode: 'relax',
      state: 'done',
    });
  });

  it('marks messages from other authors and honours custom bot ids', () => {
    const message = loadFixture('done-grid');
    message.author = { ...message.author, id: '555555555555555555' };
    expect(parseMessage(message).fromMidjourney).toBe(false);
    expect(parseMessage(message, { botIds: ['555555555555555555'] }).fromMidjourney).toBe(true);
  });

  it('calls an empty message without embeds unknown', () => {
    const message = loadFixture('noise-displaying');
    message.content = '';
    expect(parseMessage(message).state).toBe('unknown');
  });

  it('clamps a percent above 100 and treats (paused) as waiting', () => {
    const message = loadFixture('progress');
    message.content = '**cat** - <@1> (140%) (fast)';
    expect(parseMessage(message).percent).toBe(100);
    message.content = '**cat** - <@1> (paused)';
    expect(parseMessage(message).state).toBe('waiting');
  });
});

describe('actionName', () => {
  it.each([
    ['MJ::JOB::upsample::3::abc', 'U3'],
    ['MJ::JOB::variation::1::abc', 'V1'],
    ['MJ::JOB::reroll::0::abc::SOLO', 'reroll'],
    ['MJ::JOB::low_variation::1::abc::SOLO', 'vary-subtle'],
    ['MJ::Outpaint::75::1::abc::SOLO', 'zoom-1.5x'],
    ['MJ::JOB::upsample_v5_2x::1::abc::SOLO', 'upscale-2x'],
    ['MJ::JOB::upsample_v7_2x_creative::1::abc::SOLO', 'upscale-creative'],
    ['MJ::JOB::animate_high::1::abc::SOLO', 'animate_high'],
    ['MJ::Something::new', 'MJ::Something::new'],
  ])('%s -> %s', (customId, name) => {
    expect(actionName(customId)).toBe(name);
  });
});
