/**
 * `seed()` of a niji・journey result from the library against the simulator over real sockets:
 * the ✉️ goes on the result, the seed is read from the DM channel with niji's bot (its own channel,
 * not Midjourney's, even when Midjourney's is configured as `dmChannelId`) and only from niji's DM
 * naming the job; a Midjourney seed and a niji seed asked at once never swap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { Midjourney } from '../../src/generation/index.js';
import type { BotType } from '../../src/midjourney/constants.js';
import { NIJI_APPLICATION_ID, type Simulator, seedOf } from '../../src/simulator/index.js';
import { clientFor, startFastSimulator } from '../generation/helpers/simulator.js';

const MJ = '936929561302675456';

let sim: Simulator;
let mj: Midjourney;

beforeAll(async () => {
  sim = await startFastSimulator();
  mj = clientFor(sim, 'poll');
});

afterAll(async () => {
  await mj?.close();
  await sim?.close();
});

/** The author of a DM the client read, looked up in the simulator's DM channel. */
function dmAuthor(channelId: string, messageId: string): string | undefined {
  return sim.messages(channelId).find((m) => m.id === messageId)?.author.id;
}

describe('seed of a niji・journey result', () => {
  it("reads the seed from niji's DM, in the DM channel opened with niji's bot", async () => {
    const grid = await mj.imagine('a paper lantern for a seed', { botType: 'niji' });
    expect(grid.botType).toBe('niji');
    sim.clearRequests();
    const seed = await mj.seed(grid);
    expect(seed).toMatchObject({ jobId: grid.jobId, seed: String(seedOf(grid.jobId)) });
    expect(sim.jobs.find((j) => j.id === grid.jobId)?.botType).toBe('niji');
    expect(dmAuthor(seed.dmChannelId, seed.messageId)).toBe(NIJI_APPLICATION_ID);
    const opened = sim.requests.filter((r) => r.route === 'POST /users/@me/channels');
    expect(opened.map((r) => r.body)).toEqual([{ recipient_id: NIJI_APPLICATION_ID }]);

    const other = await mj.imagine('a paper lantern for a seed');
    const mjSeed = await mj.seed(other);
    expect(mjSeed.seed).toBe(String(seedOf(other.jobId)));
    expect(dmAuthor(mjSeed.dmChannelId, mjSeed.messageId)).toBe(MJ);
    expect(mjSeed.dmChannelId).not.toBe(seed.dmChannelId);
  });

  it('does not swap a Midjourney seed and a niji seed asked at once', async () => {
    const bots: BotType[] = ['midjourney', 'niji', 'midjourney', 'niji'];
    const grids = await Promise.all(bots.map((botType) => mj.imagine('twin lanterns', { botType })));
    expect(grids.map((g) => g.botType)).toEqual(bots);
    const seeds = await Promise.all(grids.map((grid) => mj.seed(grid)));
    expect(seeds.map((s) => s.jobId)).toEqual(grids.map((g) => g.jobId));
    expect(seeds.map((s) => s.seed)).toEqual(grids.map((g) => String(seedOf(g.jobId))));
    expect(seeds.map((s) => dmAuthor(s.dmChannelId, s.messageId))).toEqual([
      MJ,
      NIJI_APPLICATION_ID,
      MJ,
      NIJI_APPLICATION_ID,
    ]);
    // The seeds differ per job, so a swap could not pass the comparison above.
    expect(new Set(seeds.map((s) => s.seed)).size).toBe(4);
  });

  it("opens niji's DM channel even when Midjourney's is configured as dmChannelId", async () => {
    const mjDm = (await mj.seed(await mj.imagine('a configured lantern'))).dmChannelId;
    const configured = clientFor(sim, 'poll', { dmChannelId: mjDm });
    try {
      const grid = await configured.imagine('a configured lantern', { botType: 'niji' });
      sim.clearRequests();
      const seed = await configured.seed(grid);
      expect(seed.seed).toBe(String(seedOf(grid.jobId)));
      expect(seed.dmChannelId).not.toBe(mjDm);
      expect(sim.requests.filter((r) => r.route === 'POST /users/@me/channels')).toHaveLength(1);
      // Midjourney's path is unchanged: the configured channel, nothing opened.
      sim.clearRequests();
      const mjGrid = await configured.imagine('a configured lantern');
      expect((await configured.seed(mjGrid)).dmChannelId).toBe(mjDm);
      expect(sim.requests.filter((r) => r.route === 'POST /users/@me/channels')).toEqual([]);
    } finally {
      await configured.close();
    }
  });

  it('refuses an unknown bot before anything is sent', async () => {
    const grid = await mj.imagine('a lantern of no bot');
    sim.clearRequests();
    const error = await mj.seed({ ...grid, botType: 'dall-e' as BotType }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/botType: expected midjourney or niji/);
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
