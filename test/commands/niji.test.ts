/**
 * `/describe` and `/blend` with `botType: 'niji'` from the library against the simulator over real
 * sockets: sent to niji・journey's own commands (looked up in its application), answered only by
 * niji's bot user, reported with `botType`; a niji describe's prompt button, its form and the grid
 * go to niji; a Midjourney describe and a niji describe of one image at once never swap; an
 * unknown bot is refused before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { Midjourney } from '../../src/generation/index.js';
import type { BlendOptions, DescribeOptions, DescribeResult } from '../../src/index.js';
import type { BotType } from '../../src/midjourney/constants.js';
import { NIJI_APPLICATION_ID, type Simulator } from '../../src/simulator/index.js';
import { clientFor, startFastSimulator } from '../generation/helpers/simulator.js';
import { gridPng, redPng } from './helpers.js';

const MJ = '936929561302675456';
const NIJI_DESCRIBE_ID = '1092683500743831652';
const NIJI_BLEND_ID = '1061216934374424697';
const MJ_DESCRIBE_ID = '1092492867185950852';

let sim: Simulator;
let mj: Midjourney;

beforeAll(async () => {
  sim = await startFastSimulator();
  mj = clientFor(sim, 'gateway');
});

afterAll(async () => {
  await mj?.close();
  await sim?.close();
});

interface SentInteraction {
  type: number;
  application_id: string;
  nonce: string;
  data: { id?: string; name?: string; custom_id?: string };
}

function interactions(): SentInteraction[] {
  return sim.requests
    .filter((r) => r.method === 'POST' && r.route === 'POST /interactions')
    .map((r) => r.body as SentInteraction);
}

function indexReads(): number {
  return sim.requests.filter((r) => r.route.includes('application-command-index')).length;
}

function authorOf(messageId: string): string | undefined {
  return sim.messages().find((m) => m.id === messageId)?.author.id;
}

describe('types', () => {
  it('describe and blend take a botType; a describe result says its bot', () => {
    expectTypeOf<Parameters<Midjourney['describe']>[1]>().toEqualTypeOf<DescribeOptions | undefined>();
    expectTypeOf<DescribeOptions['botType']>().toEqualTypeOf<BotType | undefined>();
    expectTypeOf<BlendOptions['botType']>().toEqualTypeOf<BotType | undefined>();
    expectTypeOf<DescribeResult['botType']>().toEqualTypeOf<BotType | undefined>();
  });
});

describe('niji・journey /describe and /blend', () => {
  it("describes with niji's own /describe and returns niji's four prompts", async () => {
    sim.clearRequests();
    const result = await mj.describe(redPng(), { botType: 'niji' });
    expect(result).toMatchObject({ kind: 'describe', botType: 'niji' });
    expect(result.prompts).toHaveLength(4);
    expect(authorOf(result.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(interactions().map((i) => [i.application_id, i.data.id, i.data.name])).toEqual([
      [NIJI_APPLICATION_ID, NIJI_DESCRIBE_ID, 'describe'],
    ]);
    // niji's commands were looked up for it (and are cached for the blend below).
    expect(indexReads()).toBe(1);
  });

  it("blends with niji's own /blend into a grid niji posted, whose buttons go back to niji", async () => {
    sim.clearRequests();
    const grid = await mj.blend([redPng(), gridPng()], { botType: 'niji', dimensions: 'landscape' });
    expect(grid).toMatchObject({ kind: 'blend', botType: 'niji' });
    expect(grid.echoedPrompt).toMatch(/--ar 3:2$/);
    expect(authorOf(grid.messageId)).toBe(NIJI_APPLICATION_ID);
    const record = sim.jobs.find((j) => j.id === grid.jobId);
    expect(record).toMatchObject({ kind: 'blend', botType: 'niji', applicationId: NIJI_APPLICATION_ID });
    expect(interactions().map((i) => [i.application_id, i.data.id])).toEqual([
      [NIJI_APPLICATION_ID, NIJI_BLEND_ID],
    ]);
    expect(indexReads()).toBe(0);
    const upscaled = await mj.upscale(grid, 1);
    expect(upscaled.botType).toBe('niji');
    expect(authorOf(upscaled.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(interactions().at(-1)?.application_id).toBe(NIJI_APPLICATION_ID);
  });

  it("imagines a niji describe's prompt through niji's button and form", async () => {
    const described = await mj.describe(redPng(), { botType: 'niji' });
    sim.clearRequests();
    const result = await mj.imagineFrom(described, 3);
    expect(result.botType).toBe('niji');
    expect(result.echoedPrompt).toBe(described.prompts[2]);
    expect(authorOf(result.messageId)).toBe(NIJI_APPLICATION_ID);
    const sent = interactions();
    expect(sent.map((i) => [i.type, i.application_id])).toEqual([
      [3, NIJI_APPLICATION_ID],
      [5, NIJI_APPLICATION_ID],
    ]);
    expect(sent[0]?.data.custom_id).toBe('MJ::Job::PicReader::3');
  });

  it('runs a Midjourney and a niji describe of one image at once in one channel without swapping', async () => {
    sim.clearRequests();
    const image = gridPng();
    const bots: BotType[] = ['midjourney', 'niji', 'midjourney', 'niji'];
    const results = await Promise.all(bots.map((botType) => mj.describe(image, { botType })));
    const authors = results.map((r) => authorOf(r.messageId));
    expect(authors).toEqual([MJ, NIJI_APPLICATION_ID, MJ, NIJI_APPLICATION_ID]);
    expect(results.map((r) => r.botType)).toEqual(bots);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(4);
    // Each answer is the reply to its own interaction (its bot's command, its nonce).
    const sent = interactions();
    expect(sent.map((i) => i.data.id).sort()).toEqual(
      [MJ_DESCRIBE_ID, MJ_DESCRIBE_ID, NIJI_DESCRIBE_ID, NIJI_DESCRIBE_ID].sort(),
    );
    for (const result of results) {
      const reply = sim.messages().find((m) => m.id === result.messageId);
      const nonce = reply?.nonce === undefined ? undefined : String(reply.nonce);
      if (nonce === undefined) continue;
      const own = sent.find((i) => i.nonce === nonce);
      expect(own?.application_id).toBe(result.botType === 'niji' ? NIJI_APPLICATION_ID : MJ);
    }
  });

  it('refuses an unknown bot before anything is sent', async () => {
    sim.clearRequests();
    const badDescribe = await mj
      .describe(redPng(), { botType: 'dall-e' as BotType })
      .catch((e: unknown) => e);
    const badBlend = await mj
      .blend([redPng(), gridPng()], { botType: 'NIJI_JOURNEY' as BotType })
      .catch((e: unknown) => e);
    for (const error of [badDescribe, badBlend]) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/botType: expected midjourney or niji/);
    }
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
