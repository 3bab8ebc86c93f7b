import { describe, expect, it } from 'vitest';
import { createMidjourneyBot } from '../../../src/simulator/bot/index.js';
import { decodePng } from '../../../src/util/png.js';
import { pixelAt } from '../../../src/util/png-images.js';
import { customIds, FakeWorld, imagine, OTHER_USER, press, USER } from './fake-world.js';

const TIMING = { answerDelayMs: 1_000, waitingMs: 2_000, jobDurationMs: 7_000, upscaleDurationMs: 3_000 };

function finishedGrid() {
  const world = new FakeWorld();
  const bot = createMidjourneyBot(world, TIMING);
  bot.handleInteraction(imagine('red fox --ar 3:2'));
  world.clock.advance(20_000);
  const grid = bot.jobs()[0]!;
  const message = world.messages.get(grid.resultMessageId!)!;
  const before = world.events.length;
  return { world, bot, grid, message, since: () => world.events.slice(before) };
}

describe('buttons', () => {
  it('U2 posts "Image #2" with one image of the second quadrant, replying to the grid', () => {
    const { world, bot, grid, message, since } = finishedGrid();
    const interaction = press(`MJ::JOB::upsample::2::${grid.id}`, message.id);
    bot.handleInteraction(interaction);
    world.clock.advance(10_000);
    const events = since();
    expect(events.map((e) => `${e.kind}@${e.at}`)).toEqual(['post@24000']);
    const upscale = events[0]!.message!;
    expect(upscale.content).toBe(`**red fox --ar 3:2** - Image #2 <@${USER.id}>`);
    expect(upscale.nonce).toBe(interaction.payload.nonce);
    expect(upscale.type).toBe(19);
    expect(upscale.message_reference?.message_id).toBe(message.id);
    const job = bot.jobs()[1]!;
    expect(job).toMatchObject({ kind: 'upscale', parentId: grid.id, index: 2, state: 'completed' });
    expect(upscale.attachments[0]?.filename).toBe(`alice.w_red_fox_${job.id}.png`);

    const gridPng = decodePng(world.file(message.attachments[0]!.url));
    const single = decodePng(world.file(upscale.attachments[0]!.url));
    expect(pixelAt(single, 5, 5)).toEqual(pixelAt(gridPng, 200, 10));

    const ids = customIds(upscale);
    expect(ids).toEqual(
      expect.arrayContaining([
        `MJ::JOB::high_variation::1::${job.id}::SOLO`,
        `MJ::JOB::low_variation::1::${job.id}::SOLO`,
        `MJ::Outpaint::50::1::${job.id}::SOLO`,
        `MJ::Outpaint::75::1::${job.id}::SOLO`,
        `MJ::JOB::pan_left::1::${job.id}::SOLO`,
        `MJ::JOB::pan_down::1::${job.id}::SOLO`,
      ]),
    );
    expect(upscale.components.every((row) => row.components.length <= 5)).toBe(true);
  });

  it('V3 starts a variation job with its own progress and "Variations (Strong) by" content', () => {
    const { world, bot, grid, message, since } = finishedGrid();
    const interaction = press(`MJ::JOB::variation::3::${grid.id}`, message.id);
    bot.handleInteraction(interaction);
    world.clock.advance(20_000);
    const events = since();
    const head = `**red fox --ar 3:2** - Variations (Strong) by <@${USER.id}>`;
    expect(events[0]?.message?.content).toBe(`${head} (Waiting to start)`);
    expect(events[0]?.message?.nonce).toBe(interaction.payload.nonce);
    expect(events.find((e) => e.kind === 'edit')?.message?.content).toBe(`${head} (0%) (fast)`);
    const result = events.filter((e) => e.kind === 'post').at(-1)?.message;
    expect(result?.content).toBe(`${head} (fast)`);
    expect(result?.message_reference?.message_id).toBe(message.id);
    const job = bot.jobs()[1]!;
    expect(job).toMatchObject({ kind: 'variation', index: 3, parentId: grid.id });
    expect(customIds(result!)[0]).toBe(`MJ::JOB::upsample::1::${job.id}`);
  });

  it('reroll starts a new grid with a new UUID and the plain content', () => {
    const { world, bot, grid, message, since } = finishedGrid();
    bot.handleInteraction(press(`MJ::JOB::reroll::0::${grid.id}::SOLO`, message.id));
    world.clock.advance(20_000);
    const job = bot.jobs()[1]!;
    expect(job.kind).toBe('reroll');
    expect(job.id).not.toBe(grid.id);
    expect(
      since()
        .filter((e) => e.kind === 'post')
        .at(-1)?.message?.content,
    ).toBe(`**red fox --ar 3:2** - <@${USER.id}> (fast)`);
  });

  it.each([
    ['MJ::JOB::high_variation::1::<id>::SOLO', 'high_variation', 'Variations (Strong) by '],
    ['MJ::JOB::low_variation::1::<id>::SOLO', 'low_variation', 'Variations (Subtle) by '],
    ['MJ::Outpaint::50::1::<id>::SOLO', 'zoom', 'Zoom Out by '],
    ['MJ::JOB::pan_left::1::<id>::SOLO', 'pan', 'Pan Left by '],
    ['MJ::JOB::upsample_v6_2x_subtle::1::<id>::SOLO', 'upscale', 'Upscaled (Subtle) by '],
  ])('%s on an upscale starts a %s job', (template, kind, label) => {
    const { world, bot, grid, message } = finishedGrid();
    bot.handleInteraction(press(`MJ::JOB::upsample::1::${grid.id}`, message.id));
    world.clock.advance(5_000);
    const upscale = bot.jobs()[1]!;
    bot.handleInteraction(press(template.replace('<id>', upscale.id), upscale.resultMessageId!));
    world.clock.advance(20_000);
    const job = bot.jobs()[2]!;
    expect(job).toMatchObject({ kind, parentId: upscale.id, state: 'completed' });
    expect(world.messages.get(job.resultMessageId!)?.content).toBe(
      `**red fox --ar 3:2** - ${label}<@${USER.id}> (fast)`,
    );
  });

  it('refuses buttons on another user’s job, on unknown jobs, and actions it does not support', () => {
    const { world, bot, grid, message, since } = finishedGrid();
    bot.handleInteraction(press(`MJ::JOB::upsample::1::${grid.id}`, message.id, OTHER_USER));
    bot.handleInteraction(press('MJ::JOB::upsample::1::00000000-0000-4000-8000-000000000000', message.id));
    bot.handleInteraction(press(`MJ::BOOKMARK::${grid.id}`, message.id));
    world.clock.advance(1_000);
    const titles = since().map((e) => [e.kind, e.message?.embeds[0]?.title]);
    expect(titles).toEqual([
      ['ephemeral', 'Job action restricted'],
      ['ephemeral', 'Job action restricted'],
      ['ephemeral', 'Invalid request'],
    ]);
    expect(since()[0]?.userId).toBe(OTHER_USER.id);
    expect(bot.jobs()).toHaveLength(1);
  });

  it('button jobs take slots like any other job', () => {
    const world = new FakeWorld();
    const bot = createMidjourneyBot(world, { ...TIMING, fastSlots: 1 });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(20_000);
    const grid = bot.jobs()[0]!;
    bot.handleInteraction(press(`MJ::JOB::variation::1::${grid.id}`, grid.resultMessageId!));
    bot.handleInteraction(press(`MJ::JOB::variation::2::${grid.id}`, grid.resultMessageId!));
    expect(bot.load()).toEqual({ running: 1, queued: 1 });
  });
});
