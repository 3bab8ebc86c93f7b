import { describe, expect, it } from 'vitest';
import { createMidjourneyBot } from '../../../src/simulator/bot/index.js';
import { FakeWorld, imagine, USER } from './fake-world.js';

const TIMING = { answerDelayMs: 1_000, waitingMs: 2_000, jobDurationMs: 7_000 };

function setup(options = {}) {
  const world = new FakeWorld();
  const bot = createMidjourneyBot(world, { ...TIMING, ...options });
  return { world, bot };
}

describe('faults', () => {
  it('a bot that never answers posts nothing and holds no slot', () => {
    const { world, bot } = setup({ faults: { neverAnswer: true }, fastSlots: 1 });
    bot.handleInteraction(imagine('fox'));
    bot.handleInteraction(imagine('cat'));
    world.clock.advance(120_000);
    expect(world.events).toEqual([]);
    expect(bot.jobs().map((j) => [j.outcome, j.state])).toEqual([
      ['never-answer', 'silent'],
      ['never-answer', 'silent'],
    ]);
    expect(bot.load()).toEqual({ running: 0, queued: 0 });
    bot.setFaults({ neverAnswer: false });
    bot.handleInteraction(imagine('owl'));
    world.clock.advance(1_000);
    expect(world.events).toHaveLength(1);
  });

  it('a bot that is down does not acknowledge: the world fails the interaction and no job exists', () => {
    const { world, bot } = setup({ faults: { botDown: true } });
    const interaction = imagine('fox');
    bot.handleInteraction(interaction);
    world.clock.advance(60_000);
    expect(world.failed).toEqual([
      { interactionId: interaction.id, reason: 'The application did not respond' },
    ]);
    expect(world.events).toEqual([]);
    expect(bot.jobs()).toEqual([]);
  });

  it('a scripted never-answer can also withhold the acknowledgement', () => {
    const { world, bot } = setup();
    bot.script({ match: /^acked/, outcome: 'never-answer' });
    bot.script({ match: 'unacked', outcome: 'never-answer', acknowledge: false });
    bot.handleInteraction(imagine('acked fox'));
    const unacked = imagine('unacked fox');
    bot.handleInteraction(unacked);
    world.clock.advance(60_000);
    expect(world.failed.map((f) => f.interactionId)).toEqual([unacked.id]);
    expect(bot.jobs().map((j) => j.state)).toEqual(['silent', 'silent']);
  });

  it('never answers one scripted job while others run', () => {
    const { world, bot } = setup();
    bot.script({ match: 'silent', outcome: 'never-answer' });
    bot.handleInteraction(imagine('silent fox'));
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    expect(bot.jobs().map((j) => j.state)).toEqual(['silent', 'completed']);
  });

  it('out of order: progress edits swap pairs and the progress message vanishes before the result', () => {
    const { world, bot } = setup({ faults: { outOfOrder: true } });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    const percents = world.events
      .filter((e) => e.kind === 'edit')
      .map((e) => Number(/\((\d+)%\)/.exec(e.message!.content)?.[1]));
    expect(percents).toEqual([15, 0, 46, 31, 78, 62, 93]);
    expect(world.summary().slice(-2)).toEqual(['delete@10000', `post@10500 **fox** - <@${USER.id}> (fast)`]);
    expect(bot.jobs()[0]?.state).toBe('completed');
  });

  it('skip progress: the result is the first and only message, carrying the nonce', () => {
    const { world, bot } = setup({ faults: { skipProgress: true } });
    const interaction = imagine('fox');
    bot.handleInteraction(interaction);
    world.clock.advance(30_000);
    expect(world.summary()).toEqual([`post@10000 **fox** - <@${USER.id}> (fast)`]);
    expect(world.events[0]?.message?.nonce).toBe(interaction.payload.nonce);
    expect(world.events[0]?.message?.attachments).toHaveLength(1);
  });

  it('no-progress can also be scripted per prompt', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'no-progress' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(30_000);
    expect(world.events.map((e) => e.kind)).toEqual(['post']);
  });

  it('stop() cancels every timer: nothing is posted afterwards and new interactions are ignored', () => {
    const { world, bot } = setup();
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(4_000);
    const before = world.events.length;
    expect(world.clock.pending).toBeGreaterThan(0);
    bot.stop();
    expect(world.clock.pending).toBe(0);
    bot.handleInteraction(imagine('cat'));
    world.clock.advance(60_000);
    expect(world.events).toHaveLength(before);
  });
});

describe('scripted rules and probabilities', () => {
  it('applies rules in order, consuming `times`', () => {
    const { world, bot } = setup();
    bot.script({ match: 'fox', outcome: 'post-moderation', times: 1 });
    bot.script({ match: /^fox/i, outcome: 'output-filter', times: 1 });
    for (let i = 0; i < 3; i++) bot.handleInteraction(imagine('Fox'));
    world.clock.advance(60_000);
    expect(bot.jobs().map((j) => j.outcome)).toEqual(['post-moderation', 'output-filter', 'success']);
  });

  it('does not let a caller mutate a rule after adding it', () => {
    const { world, bot } = setup();
    const rule = { match: 'fox', outcome: 'blocked' as const, times: 1 };
    bot.script(rule);
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(1_000);
    expect(rule.times).toBe(1);
    bot.clearScripts();
    bot.script({ match: 'fox', outcome: 'blocked' });
    bot.clearScripts();
    bot.handleInteraction(imagine('fox'));
    expect(bot.jobs()[1]?.outcome).toBe('success');
  });

  it('uses a scripted duration', () => {
    const { world, bot } = setup();
    bot.script({ match: 'slow', outcome: 'success', durationMs: 70_000 });
    bot.handleInteraction(imagine('slow fox'));
    world.clock.advance(100_000);
    expect(world.summary().at(-2)).toBe(`post@73000 **slow fox** - <@${USER.id}> (fast)`);
  });

  it('demo probabilities pick outcomes reproducibly from the seed', () => {
    const run = (seed: number) => {
      const { world, bot } = setup({
        seed,
        fastSlots: 100,
        probabilities: { 'post-moderation': 0.3, outage: 0.2 },
      });
      for (let i = 0; i < 40; i++) bot.handleInteraction(imagine(`fox ${i}`));
      world.clock.advance(1);
      return bot.jobs().map((j) => j.outcome);
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['success', 'post-moderation', 'outage']));
    expect(run(8)).not.toEqual(first);
  });

  it('job UUIDs are reproducible for a seed and distinct within a run', () => {
    const ids = (seed: number) => {
      const { bot } = setup({ seed });
      for (let i = 0; i < 5; i++) bot.handleInteraction(imagine('fox'));
      return bot.jobs().map((j) => j.id);
    };
    expect(ids(3)).toEqual(ids(3));
    expect(new Set(ids(3)).size).toBe(5);
  });
});
