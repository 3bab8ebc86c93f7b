/**
 * Buttons on a result go through the same pipeline as `/imagine`: upscale ("Image #n"),
 * variation, reroll, with the same result and error types. Real client, real simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchMode } from '../../src/config/index.js';
import { type GenerationResult, type Midjourney, UnknownActionError } from '../../src/generation/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, startFastSimulator } from './helpers/simulator.js';

describe.each(['poll', 'gateway'] as WatchMode[])('actions, watching by %s', (watch) => {
  let sim: Simulator;
  let mj: Midjourney;
  let grid: GenerationResult;

  beforeAll(async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, watch);
    grid = await mj.imagine('a paper boat --ar 3:2');
  });
  afterAll(async () => {
    await mj.close();
    await sim.close();
  });

  it('upscales two images of one grid at once, each getting its own "Image #n"', async () => {
    const [u2, u4] = await Promise.all([mj.upscale(grid, 2), mj.upscale(grid, 4)]);
    for (const [result, index] of [
      [u2, 2],
      [u4, 4],
    ] as const) {
      const record = sim.jobs.find((j) => j.kind === 'upscale' && j.index === index);
      expect(result).toMatchObject({
        kind: 'upscale',
        prompt: grid.prompt,
        messageId: record?.resultMessageId,
      });
      expect(result.imageUrl).not.toBe('');
    }
    const posts = sim.requests
      .filter((r) => r.method === 'POST' && r.route.endsWith('/interactions'))
      .slice(-2);
    expect(posts.map((p) => p.body)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 3,
          message_id: grid.messageId,
          message_flags: grid.messageFlags,
          data: { component_type: 2, custom_id: grid.actions.U2 },
        }),
      ]),
    );
  });

  it('makes variations and rerolls, each a new grid with its own buttons', async () => {
    const [variation, reroll] = await Promise.all([mj.variation(grid, 3), mj.reroll(grid)]);
    expect(variation.kind).toBe('variation');
    expect(reroll.kind).toBe('reroll');
    for (const result of [variation, reroll]) {
      const record = sim.jobs.find((j) => j.resultMessageId === result.messageId);
      expect(record?.parentId).toBe(grid.jobId);
      expect(result.jobId).toBe(record?.id);
      expect(Object.keys(result.actions)).toEqual(expect.arrayContaining(['U1', 'V1', 'reroll']));
    }
  });

  it('refuses a button the result does not carry, and an image index outside 1–4, sending nothing', async () => {
    const before = sim.requests.length;
    await expect(mj.act(grid, 'zoom-2x')).rejects.toBeInstanceOf(UnknownActionError);
    await expect(mj.act(grid, 'zoom-2x')).rejects.toThrow(/available: U1, U2, U3, U4/);
    await expect(mj.upscale(grid, 5)).rejects.toMatchObject({ name: 'ValidationError' });
    expect(sim.requests.length).toBe(before);
  });
});
