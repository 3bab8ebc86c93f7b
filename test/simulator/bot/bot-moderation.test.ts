import { describe, expect, it } from 'vitest';
import { createMidjourneyBot } from '../../../src/simulator/bot/index.js';
import { customIds, FakeWorld, imagine, press, USER } from './fake-world.js';

const TIMING = { answerDelayMs: 1_000, waitingMs: 2_000, jobDurationMs: 7_000 };

function setup(options = {}) {
  const world = new FakeWorld();
  const bot = createMidjourneyBot(world, { ...TIMING, ...options });
  return { world, bot };
}

describe('pre-moderation', () => {
  it('posts nothing in the channel and answers with an ephemeral "Banned prompt detected" carrying the nonce', () => {
    const { world, bot } = setup({ bannedWords: ['gore'] });
    const interaction = imagine('a scene full of GORE, cinematic');
    bot.handleInteraction(interaction);
    world.clock.advance(30_000);
    expect(world.events.map((e) => e.kind)).toEqual(['ephemeral']);
    const [event] = world.events;
    expect(event?.at).toBe(1_000);
    expect(event?.userId).toBe(USER.id);
    const message = event?.message;
    expect(message?.flags).toBe(64);
    expect(message?.nonce).toBe(interaction.payload.nonce);
    expect(message?.embeds[0]).toMatchObject({ title: 'Banned prompt detected', color: 16_711_680 });
    expect(message?.embeds[0]?.description).toContain('against our community standards');
    expect(message?.embeds[0]?.description).toContain('`gore`');
    expect(message?.embeds[0]?.footer?.text).toBe('/imagine a scene full of GORE, cinematic');
    expect(world.channel()).toEqual([]);
    expect(bot.jobs()[0]).toMatchObject({ outcome: 'pre-moderation', state: 'rejected' });
  });

  it('matches whole words only', () => {
    const { world, bot } = setup({ bannedWords: ['gore'] });
    bot.handleInteraction(imagine('gorest of the forest, Al Gore-inspired'));
    world.clock.advance(1_000);
    expect(bot.jobs()[0]?.outcome).toBe('pre-moderation');
    const clean = setup({ bannedWords: ['gore'] });
    clean.bot.handleInteraction(imagine('gorest of the forest'));
    clean.world.clock.advance(1_000);
    expect(clean.bot.jobs()[0]?.outcome).toBe('success');
  });
});

describe('post-moderation', () => {
  it('shows progress up to 93% then ends (Stopped) without an image', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'post-moderation' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    const echo = `**fox** - <@${USER.id}>`;
    expect(world.summary().slice(-2)).toEqual([
      `edit@9000 ${echo} (93%) (fast)`,
      `edit@10000 ${echo} (Stopped)`,
    ]);
    const stopped = world.events.at(-1)?.message;
    expect(stopped?.attachments).toEqual([]);
    expect(world.channel()).toHaveLength(1);
    expect(bot.jobs()[0]).toMatchObject({ outcome: 'post-moderation', state: 'stopped', progress: 93 });
  });

  it('can stop at another percentage and delete the message instead', () => {
    const { world, bot } = setup();
    bot.script({ match: /fox/, outcome: 'post-moderation', stopAt: 50, stopStyle: 'deleted' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    const percents = world.events
      .filter((e) => e.kind === 'edit')
      .map((e) => /\((\d+)%\)/.exec(e.message!.content)?.[1]);
    expect(percents).toEqual(['0', '15', '31', '46', '50']);
    expect(world.events.at(-1)?.kind).toBe('delete');
    expect(world.channel()).toEqual([]);
    expect(bot.jobs()[0]?.state).toBe('deleted');
  });
});

describe('ephemeral moderation', () => {
  it('deletes the finished grid shortly after it appears', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'ephemeral-moderation', deleteAfterMs: 1_500 });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    const job = bot.jobs()[0]!;
    const resultPost = world.events.find((e) => e.messageId === job.resultMessageId && e.kind === 'post');
    const resultDelete = world.events.find((e) => e.messageId === job.resultMessageId && e.kind === 'delete');
    expect(resultPost?.at).toBe(10_000);
    expect(resultDelete?.at).toBe(11_500);
    expect(world.channel()).toEqual([]);
    expect(job.state).toBe('deleted');
  });

  it('or posts the result as an ephemeral message only the user sees', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'ephemeral-moderation', ephemeralStyle: 'ephemeral' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    const result = world.events.find((e) => e.kind === 'ephemeral');
    expect(result?.message?.flags).toBe(64);
    expect(result?.message?.attachments).toHaveLength(1);
    expect(world.channel()).toEqual([]);
  });
});

describe('appeal needed', () => {
  it('answers ephemerally with an Appeal button; pressing it runs the job', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'appeal-needed', times: 1 });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(1_000);
    const notice = world.events[0]?.message;
    expect(world.events[0]?.kind).toBe('ephemeral');
    expect(notice?.embeds[0]?.title).toBe('Action needed to continue');
    const original = bot.jobs()[0]!;
    expect(customIds(notice!)).toEqual([`MJ::Prompts::Appeal::${original.id}`]);

    const appeal = press(`MJ::Prompts::Appeal::${original.id}`, notice!.id);
    bot.handleInteraction(appeal);
    world.clock.advance(30_000);
    const rerun = bot.jobs()[1]!;
    expect(rerun).toMatchObject({
      parentId: original.id,
      outcome: 'success',
      state: 'completed',
      nonce: appeal.payload.nonce,
    });
    expect(world.messages.get(rerun.resultMessageId!)?.attachments[0]?.filename).toContain(rerun.id);
  });

  it('refuses the appeal again while the rule still matches', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'appeal-needed' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(1_000);
    const original = bot.jobs()[0]!;
    bot.handleInteraction(press(`MJ::Prompts::Appeal::${original.id}`, world.events[0]!.messageId));
    world.clock.advance(1_000);
    expect(bot.jobs()[1]?.outcome).toBe('appeal-needed');
  });
});

describe('jobs that die after starting', () => {
  it('output filter: the progress message goes and an ephemeral notice explains why', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'output-filter' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    expect(world.events.slice(-2).map((e) => e.kind)).toEqual(['delete', 'ephemeral']);
    expect(world.events.at(-1)?.message?.embeds[0]).toMatchObject({
      title: 'Request cancelled due to output filters',
      color: 16_711_680,
    });
    expect(world.channel()).toEqual([]);
    expect(bot.jobs()[0]?.state).toBe('failed');
  });

  it('outage: "Sorry! Could not complete the job!" in the channel, replying to the progress message', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'outage' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    const progressId = world.events[0]!.messageId;
    const notice = world.events.find((e) => e.kind === 'post' && e.messageId !== progressId)?.message;
    expect(notice?.embeds[0]).toMatchObject({
      title: 'Sorry! Could not complete the job!',
      color: 16_711_680,
    });
    expect(notice?.message_reference?.message_id).toBe(progressId);
    expect(world.channel().map((m) => m.embeds[0]?.title)).toEqual(['Sorry! Could not complete the job!']);
    expect(bot.jobs()[0]).toMatchObject({ state: 'failed', progress: 46 });
  });
});
