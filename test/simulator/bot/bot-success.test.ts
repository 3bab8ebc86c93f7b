import { describe, expect, it } from 'vitest';
import { createMidjourneyBot } from '../../../src/simulator/bot/index.js';
import { decodePng } from '../../../src/util/png.js';
import { pixelAt } from '../../../src/util/png-images.js';
import { CHANNEL, customIds, FakeWorld, imagine, USER } from './fake-world.js';

const TIMING = { answerDelayMs: 1_000, waitingMs: 2_000, jobDurationMs: 7_000 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function setup(options = {}) {
  const world = new FakeWorld();
  const bot = createMidjourneyBot(world, { ...TIMING, ...options });
  return { world, bot };
}

describe('a successful /imagine', () => {
  it('posts waiting, edits progress, then posts the grid as a new message and deletes the progress', () => {
    const { world, bot } = setup();
    const interaction = imagine('a  red   fox --ar 3:2');
    bot.handleInteraction(interaction);
    world.clock.advance(20_000);

    const echo = '**a red fox --ar 3:2** - <@123456789012345678>';
    expect(world.summary()).toEqual([
      `post@1000 ${echo} (Waiting to start)`,
      `edit@3000 ${echo} (0%) (fast)`,
      `edit@4000 ${echo} (15%) (fast)`,
      `edit@5000 ${echo} (31%) (fast)`,
      `edit@6000 ${echo} (46%) (fast)`,
      `edit@7000 ${echo} (62%) (fast)`,
      `edit@8000 ${echo} (78%) (fast)`,
      `edit@9000 ${echo} (93%) (fast)`,
      `post@10000 ${echo} (fast)`,
      'delete@10000',
    ]);
    const [job] = bot.jobs();
    expect(job).toMatchObject({
      kind: 'imagine',
      outcome: 'success',
      state: 'completed',
      progress: 100,
      mode: 'fast',
    });
    expect(job?.id).toMatch(UUID);
    expect(job?.messageIds).toHaveLength(2);
    expect(job?.createdAt).toBe(1_700_000_000_000);
    expect(job?.finishedAt).toBe(1_700_000_010_000);
    expect(world.events[9]?.messageId).toBe(world.events[0]?.messageId);
  });

  it('carries the interaction nonce and metadata on the first message only', () => {
    const { world, bot } = setup();
    const interaction = imagine('lighthouse');
    bot.handleInteraction(interaction);
    world.clock.advance(20_000);
    const first = world.events[0]?.message;
    expect(first?.nonce).toBe(interaction.payload.nonce);
    expect(first?.type).toBe(20);
    expect(first?.interaction_metadata).toMatchObject({ id: interaction.id, type: 2, name: 'imagine' });
    expect(first?.interaction_metadata?.user.id).toBe(USER.id);
    const result = world.events.find((e) => e.kind === 'post' && e !== world.events[0])?.message;
    expect(result?.nonce).toBeUndefined();
    expect(result?.type).toBe(0);
    expect(result?.mentions.map((u) => u.id)).toEqual([USER.id]);
  });

  it('shows a preview on progress edits after 0% and none at 0%', () => {
    const { world, bot } = setup();
    bot.handleInteraction(imagine('lighthouse'));
    world.clock.advance(20_000);
    const edits = world.events.filter((e) => e.kind === 'edit');
    expect(edits[0]?.message?.attachments).toEqual([]);
    for (const edit of edits.slice(1)) {
      const [preview] = edit.message?.attachments ?? [];
      expect(preview?.filename).toBe('grid_0.png');
      const png = decodePng(world.file(preview!.url));
      expect([png.width, png.height]).toEqual([128, 128]);
    }
  });

  it('names the grid <username>_<slug>_<uuid>.png and serves a real 2x2 grid', () => {
    const { world, bot } = setup();
    bot.handleInteraction(imagine('https://example.com/a.png A Red Fox, at dawn! --v 6.1'));
    world.clock.advance(20_000);
    const job = bot.jobs()[0]!;
    const result = world.messages.get(job.resultMessageId!)!;
    const [grid] = result.attachments;
    expect(grid?.filename).toBe(`alice.w_a_red_fox_at_dawn_${job.id}.png`);
    expect(grid?.filename.split('_').at(-1)).toBe(`${job.id}.png`);
    expect(grid).toMatchObject({ content_type: 'image/png', width: 256, height: 256 });
    const png = decodePng(world.file(grid!.url));
    expect(grid?.size).toBe(world.file(grid!.url).length);
    expect([png.width, png.height]).toEqual([256, 256]);
    const quadrants = [
      pixelAt(png, 10, 10),
      pixelAt(png, 200, 10),
      pixelAt(png, 10, 200),
      pixelAt(png, 200, 200),
    ];
    expect(new Set(quadrants.map((c) => c.join(','))).size).toBe(4);
    // Each quadrant is flat, so a client can cut it into four 128x128 images.
    expect(pixelAt(png, 127, 127)).toEqual(quadrants[0]);
    expect(pixelAt(png, 128, 128)).toEqual(quadrants[3]);
  });

  it('puts U1–U4, reroll and V1–V4 with Midjourney custom_ids under the grid', () => {
    const { world, bot } = setup();
    bot.handleInteraction(imagine('lighthouse'));
    world.clock.advance(20_000);
    const job = bot.jobs()[0]!;
    const result = world.messages.get(job.resultMessageId!)!;
    expect(customIds(result)).toEqual([
      `MJ::JOB::upsample::1::${job.id}`,
      `MJ::JOB::upsample::2::${job.id}`,
      `MJ::JOB::upsample::3::${job.id}`,
      `MJ::JOB::upsample::4::${job.id}`,
      `MJ::JOB::reroll::0::${job.id}::SOLO`,
      `MJ::JOB::variation::1::${job.id}`,
      `MJ::JOB::variation::2::${job.id}`,
      `MJ::JOB::variation::3::${job.id}`,
      `MJ::JOB::variation::4::${job.id}`,
    ]);
    expect(result.components[0]?.components.map((b) => b.label ?? b.emoji?.name)).toEqual([
      'U1',
      'U2',
      'U3',
      'U4',
      '🔄',
    ]);
  });

  it('rewrites links to s.mj.run and collapses whitespace in the echo', () => {
    const { world, bot } = setup();
    bot.handleInteraction(imagine('  <https://example.com/cat.png>   a   cat\n\n in a hat  —stylize 200 '));
    world.clock.advance(20_000);
    const job = bot.jobs()[0]!;
    expect(job.echo).toMatch(/^<https:\/\/s\.mj\.run\/[0-9A-Za-z]{11}> a cat in a hat --stylize 200$/);
    expect(world.events[0]?.message?.content).toBe(`**${job.echo}** - <@${USER.id}> (Waiting to start)`);
  });

  it('writes relaxed, turbo and stealth modes into the content and scales the duration', () => {
    const { world, bot } = setup({ mode: 'relaxed', stealth: true, relaxedFactor: 2 });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(2_000 + 1_000 + 14_000);
    const texts = world.summary();
    expect(texts).toContain(`edit@5000 **fox** - <@${USER.id}> (15%) (relaxed, stealth)`);
    expect(texts.at(-2)).toBe(`post@17000 **fox** - <@${USER.id}> (relaxed, stealth)`);

    const turbo = setup();
    turbo.bot.handleInteraction(imagine('fox --turbo'));
    turbo.world.clock.advance(1_000 + 2_000 + 3_500);
    expect(turbo.world.summary().at(-2)).toBe(`post@6500 **fox --turbo** - <@${USER.id}> (turbo)`);
    expect(turbo.bot.jobs()[0]?.mode).toBe('turbo');
  });

  it('appends the configured echo suffix like /settings parameters', () => {
    const { world, bot } = setup({ echoSuffix: ' --v 6.1' });
    bot.handleInteraction(imagine('fox'));
    world.clock.advance(1_000);
    expect(world.events[0]?.message?.content).toBe(`**fox --v 6.1** - <@${USER.id}> (Waiting to start)`);
  });

  it('ignores interactions addressed to another application and keeps channels apart', () => {
    const { world, bot } = setup();
    const other = imagine('fox');
    other.payload.application_id = '1022952195194359889';
    bot.handleInteraction(other);
    world.clock.advance(20_000);
    expect(world.events).toEqual([]);
    expect(bot.jobs()).toEqual([]);
    expect(CHANNEL).toBe(imagine('x').payload.channel_id);
  });
});
