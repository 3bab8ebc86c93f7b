import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/simulator/bot/index.js';
import { createMidjourneyBot } from '../../../src/simulator/bot/index.js';
import { command, customIds, FakeWorld, imagine, press, USER } from './fake-world.js';

const TIMING = { answerDelayMs: 1_000, waitingMs: 2_000, jobDurationMs: 7_000 };

function answer(prompt: string, options = {}, state?: AccountState) {
  const world = new FakeWorld();
  const bot = createMidjourneyBot(world, { ...TIMING, ...options });
  if (state) bot.setAccountState(state);
  const interaction = imagine(prompt);
  bot.handleInteraction(interaction);
  world.clock.advance(30_000);
  return { world, bot, interaction, event: world.events[0], embed: world.events[0]?.message?.embeds[0] };
}

describe('invalid requests', () => {
  it.each([
    ['fox --foo', 'Invalid parameter', 'Unrecognized parameter(s): `--foo`'],
    ['fox --foo 1 --bar', 'Invalid parameter', 'Unrecognized parameter(s): `--foo`, `--bar`'],
    ['fox --ar 3-2', 'Invalid parameter', 'Invalid value `3-2` for parameter `--ar`'],
    ['fox --ar', 'Invalid parameter', 'parameter `--ar`: a value is required'],
    ['fox --v 9', 'Invalid parameter', 'Invalid value `9` for parameter `--v`'],
    ['fox --chaos 101', 'Invalid parameter', 'parameter `--chaos`'],
    ['https://images.invalid/cat.png fox', 'Invalid link', '`https://images.invalid/cat.png`'],
    ['ftp://example.com/cat.png fox', 'Invalid link', '`ftp://example.com/cat.png`'],
    ['https://example.com/cat.png', 'Invalid prompt', 'needs some text'],
    ['   ', 'Empty prompt', 'empty'],
  ])('%s -> %s', (prompt, title, description) => {
    const { event, embed, interaction, world } = answer(prompt);
    expect(event?.kind).toBe('ephemeral');
    expect(event?.at).toBe(1_000);
    expect(event?.message?.nonce).toBe(interaction.payload.nonce);
    expect(embed?.title).toBe(title);
    expect(embed?.color).toBe(16_711_680);
    expect(embed?.description).toContain(description);
    expect(world.events).toHaveLength(1);
  });

  it('accepts every documented parameter with a valid value', () => {
    const { bot } = answer(
      'fox --ar 16:9 --v 6.1 --q .5 --s 250 --c 20 --seed 42 --stop 80 --no trees, rocks --style raw --tile --w 100 --iw 2 --r 2',
    );
    expect(bot.jobs()[0]?.outcome).toBe('success');
  });
});

describe('account states', () => {
  it.each([
    ['pending-mod-message', 'Pending mod message'],
    ['blocked', 'Blocked'],
    ['plan-cancelled', 'Plan Cancelled'],
    ['subscription-required', 'Subscription required'],
    ['subscription-paused', 'Subscription paused'],
    ['tos-not-accepted', 'Tos not accepted'],
  ] as const)('%s answers "%s" and starts nothing', (state, title) => {
    const { event, embed, bot, world } = answer('fox', {}, state);
    expect(event?.kind).toBe('ephemeral');
    expect(embed).toMatchObject({ title, color: 16_711_680 });
    expect(world.events).toHaveLength(1);
    expect(bot.jobs()[0]).toMatchObject({ outcome: state, state: 'rejected' });
  });

  it('checks the account before the prompt', () => {
    const { embed } = answer('fox --foo', {}, 'blocked');
    expect(embed?.title).toBe('Blocked');
  });

  it('credits exhausted refuses fast jobs but lets relaxed ones run', () => {
    const fast = answer('fox', {}, 'credits-exhausted');
    expect(fast.embed?.title).toBe('Credits exhausted');
    const relaxed = answer('fox --relax', {}, 'credits-exhausted');
    expect(relaxed.bot.jobs()[0]).toMatchObject({ outcome: 'success', mode: 'relaxed' });
  });

  it('human check shows the captcha buttons; pressing one reactivates the account', () => {
    const { world, bot, embed, event } = answer('fox', {}, 'human-check');
    expect(embed?.title).toBe('Action required to continue');
    const ids = customIds(event!.message!);
    expect(ids.some((id) => id.startsWith('MJ::Captcha::'))).toBe(true);
    expect(ids.some((id) => id.startsWith('MJ::iframe::'))).toBe(true);
    bot.handleInteraction(press(ids[0]!, event!.messageId));
    world.clock.advance(1_000);
    expect(bot.accountState()).toBe('active');
    expect(world.events.at(-1)?.message?.content).toContain('verified');
  });
});

describe('other notices', () => {
  it.each([
    ['duplicate-images', 'Duplicate images detected', true],
    ['queue-full', 'Queue full', true],
    ['invalid-request', 'Invalid request', true],
    ['job-action-restricted', 'Job action restricted', true],
  ] as const)('scripted %s -> "%s"', (outcome, title, ephemeral) => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, TIMING);
    bot.script({ match: 'fox', outcome });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(1_000);
    expect(world.events[0]?.message?.embeds[0]?.title).toBe(title);
    expect(world.events[0]?.kind).toBe(ephemeral ? 'ephemeral' : 'post');
  });

  it('plain-text failure: "Failed to process your command :c" in the channel with the nonce', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, TIMING);
    bot.script({ match: 'fox', outcome: 'failed-text' });
    const interaction = imagine('fox');
    bot.handleInteraction(interaction);
    world.clock.advance(30_000);
    expect(world.summary()).toEqual(['post@1000 Failed to process your command :c']);
    expect(world.events[0]?.message?.nonce).toBe(interaction.payload.nonce);
    expect(bot.jobs()[0]?.state).toBe('rejected');
  });

  it('publicNotices posts notices in the channel for REST-only demos', () => {
    const { event } = answer('fox --foo', { publicNotices: true });
    expect(event?.kind).toBe('post');
    expect(event?.message?.flags).toBe(0);
  });
});

describe('other commands', () => {
  it('/relax and /fast switch the user’s mode with an ephemeral confirmation', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, TIMING);
    bot.handleInteraction(command('relax'));
    world.clock.advance(1_000);
    // Per account, as Midjourney's speed is: the bot's default stays.
    expect(bot.settingsOf(USER.id).mode).toBe('relaxed');
    expect(bot.options.mode).toBe('fast');
    expect(world.events[0]).toMatchObject({ kind: 'ephemeral' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(1_000);
    expect(world.events.at(-1)?.message?.content).toContain('(Waiting to start)');
    expect(bot.jobs()[0]?.mode).toBe('relaxed');
  });

  it('answers an unknown command with the plain-text failure', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, TIMING);
    bot.handleInteraction(command('tune'));
    world.clock.advance(1_000);
    expect(world.summary()).toEqual(['post@1000 Failed to process your command :c']);
  });
});
