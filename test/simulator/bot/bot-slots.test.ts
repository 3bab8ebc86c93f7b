import { describe, expect, it } from 'vitest';
import { createMidjourneyBot } from '../../../src/simulator/bot/index.js';
import { SlotPool } from '../../../src/simulator/bot/slots.js';
import { FakeWorld, imagine, OTHER_USER, USER } from './fake-world.js';

const TIMING = { answerDelayMs: 1_000, waitingMs: 2_000, jobDurationMs: 7_000 };

describe('SlotPool', () => {
  it('runs up to the slot count, queues up to the queue size, then refuses', () => {
    const pool = new SlotPool<string>({ fastSlots: 2, relaxedSlots: 1, queueSize: 2 });
    expect(['a', 'b', 'c', 'd', 'e'].map((job) => pool.acquire(job, 'fast'))).toEqual([
      'started',
      'started',
      'queued',
      'queued',
      'full',
    ]);
    expect(pool.position('d')).toBe(2);
    expect(pool.release('a')).toEqual(['c']);
    expect(pool.position('d')).toBe(1);
    expect(pool.release('zzz')).toEqual([]);
  });

  it('keeps relaxed slots apart from fast ones and starts queued jobs in order', () => {
    const pool = new SlotPool<string>({ fastSlots: 1, relaxedSlots: 1, queueSize: 5 });
    expect(pool.acquire('f1', 'fast')).toBe('started');
    expect(pool.acquire('t1', 'turbo')).toBe('queued');
    expect(pool.acquire('r1', 'relaxed')).toBe('started');
    expect(pool.acquire('r2', 'relaxed')).toBe('queued');
    expect(pool.release('r1')).toEqual(['r2']);
    expect(pool.release('f1')).toEqual(['t1']);
    expect([pool.runningCount, pool.queuedCount]).toEqual([2, 0]);
  });

  it('does not let a newcomer overtake a queued job of the same pool', () => {
    const pool = new SlotPool<string>({ fastSlots: 1, relaxedSlots: 1, queueSize: 5 });
    pool.acquire('a', 'fast');
    pool.acquire('b', 'fast');
    pool.release('b'); // b leaves the queue before starting
    expect(pool.acquire('c', 'fast')).toBe('queued');
  });
});

describe('slots in the bot', () => {
  it('keeps slots per user (account) and an account state per user when asked', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, { ...TIMING, fastSlots: 1, queueSize: 10 });
    bot.setAccountState('credits-exhausted', OTHER_USER.id);
    bot.handleInteraction(imagine('mine', USER));
    bot.handleInteraction(imagine('theirs', OTHER_USER));
    bot.handleInteraction(imagine('theirs relaxed --relax', OTHER_USER));
    world.clock.advance(1_500);
    // Each user runs one job in its own slot; the other user's fast job is refused for credits.
    expect(bot.jobs().map((j) => [j.prompt, j.outcome, j.state])).toEqual([
      ['mine', 'success', 'waiting'],
      ['theirs', 'credits-exhausted', 'rejected'],
      ['theirs relaxed --relax', 'success', 'waiting'],
    ]);
    expect(bot.load()).toEqual({ running: 2, queued: 0 });
    expect([bot.accountState(USER.id), bot.accountState(OTHER_USER.id)]).toEqual([
      'active',
      'credits-exhausted',
    ]);
    bot.setAccountState('active');
    expect(bot.accountState(OTHER_USER.id)).toBe('active');
  });

  it('queues the fourth job with "Job queued" and starts it when a slot frees', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, { ...TIMING, fastSlots: 3, queueSize: 10 });
    for (const prompt of ['one', 'two', 'three']) bot.handleInteraction(imagine(prompt));
    world.clock.advance(500);
    const fourth = imagine('four');
    bot.handleInteraction(fourth);
    expect(bot.load()).toEqual({ running: 3, queued: 1 });
    world.clock.advance(1_000);
    const queued = world.events.find((e) => e.message?.embeds[0]?.title === 'Job queued');
    expect(queued?.at).toBe(1_500);
    expect(queued?.kind).toBe('post');
    expect(queued?.message?.nonce).toBe(fourth.payload.nonce);
    expect(queued?.message?.embeds[0]?.footer?.text).toBe('/imagine four');
    expect(queued?.message?.embeds[0]?.color).toBe(16_776_960);
    expect(bot.jobs()[3]?.state).toBe('queued');

    world.clock.advance(30_000);
    // The first three finish at 10 s; the fourth starts 1 s later and takes 9 s.
    const waiting = world.events.find(
      (e) => e.message?.content === `**four** - <@${fourth.user.id}> (Waiting to start)`,
    );
    expect(waiting?.at).toBe(11_000);
    expect(waiting?.message?.nonce).toBe(fourth.payload.nonce);
    expect(bot.jobs()[3]).toMatchObject({ state: 'completed', startedAt: 1_700_000_011_000 });
    expect(bot.load()).toEqual({ running: 0, queued: 0 });
  });

  it('answers "Queue full" beyond the queue and never starts that job', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, { ...TIMING, fastSlots: 1, queueSize: 2 });
    for (const prompt of ['a', 'b', 'c', 'd']) bot.handleInteraction(imagine(prompt));
    world.clock.advance(60_000);
    const full = world.events.find((e) => e.message?.embeds[0]?.title === 'Queue full');
    expect(full?.kind).toBe('ephemeral');
    expect(full?.message?.embeds[0]?.description).toContain('2 jobs queued and 1 running');
    expect(bot.jobs().map((j) => [j.prompt, j.outcome, j.state])).toEqual([
      ['a', 'success', 'completed'],
      ['b', 'success', 'completed'],
      ['c', 'success', 'completed'],
      ['d', 'queue-full', 'rejected'],
    ]);
  });

  it('frees the slot of a job that is stopped by post-moderation', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, { ...TIMING, fastSlots: 1 });
    bot.script({ match: 'bad', outcome: 'post-moderation', stopAt: 30 });
    bot.handleInteraction(imagine('bad'));
    bot.handleInteraction(imagine('good'));
    world.clock.advance(60_000);
    expect(bot.jobs().map((j) => j.state)).toEqual(['stopped', 'completed']);
  });

  it('notices do not take a slot', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, { ...TIMING, fastSlots: 1, queueSize: 0 });
    bot.handleInteraction(imagine('fox --foo'));
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(60_000);
    expect(bot.jobs().map((j) => j.outcome)).toEqual(['unrecognized-parameter', 'success']);
  });
});
