/**
 * niji・journey per job: `imagine(prompt, { botType: 'niji' })` discovers and uses niji's own
 * `/imagine`, accepts only niji's messages, reports `botType` on the result, and buttons on a niji
 * result go back to niji. Jobs of both bots in one channel, with the same prompt, never swap
 * results. Real client, real simulator, loopback sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { Midjourney } from '../../src/generation/index.js';
import type { BotType } from '../../src/midjourney/constants.js';
import {
  MIDJOURNEY_IMAGINE_ID,
  NIJI_APPLICATION_ID,
  NIJI_IMAGINE_ID,
  type Simulator,
} from '../../src/simulator/index.js';
import { clientFor, interactionPosts, startFastSimulator, ticketBook } from './helpers/simulator.js';

const MJ = '936929561302675456';
let sim: Simulator | undefined;
let mj: Midjourney | undefined;

afterEach(async () => {
  await mj?.close();
  await sim?.close();
  mj = undefined;
  sim = undefined;
});

interface SentInteraction {
  type: number;
  application_id: string;
  nonce: string;
  data: { id?: string; custom_id?: string };
}

function interactions(s: Simulator): SentInteraction[] {
  return s.requests
    .filter((r) => r.method === 'POST' && r.route.endsWith('/interactions'))
    .map((r) => r.body as SentInteraction);
}

function indexReads(s: Simulator): number {
  return s.requests.filter((r) => r.route.includes('application-command-index')).length;
}

function authorOf(s: Simulator, messageId: string): string | undefined {
  return s.messages().find((m) => m.id === messageId)?.author.id;
}

describe.each(['poll', 'gateway'] as const)('niji・journey jobs (%s)', (watch) => {
  it("imagines with niji's own /imagine, discovered once, and reports the bot on the result", async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, watch);
    const book = ticketBook();
    const first = await mj.imagine('a fox spirit in the snow', { botType: 'niji', onSubmit: book.onSubmit });
    const second = await mj.imagine('a paper crane', { botType: 'niji', onSubmit: book.onSubmit });
    for (const result of [first, second]) {
      const ticket = book.byPrompt.get(result.prompt)?.[0];
      expect(ticket?.botType).toBe('niji');
      const record = sim.jobs.find((j) => j.nonce === ticket?.nonce);
      expect(record).toMatchObject({
        botType: 'niji',
        applicationId: NIJI_APPLICATION_ID,
        state: 'completed',
      });
      expect(result).toMatchObject({
        botType: 'niji',
        messageId: record?.resultMessageId,
        jobId: record?.id,
      });
      expect(authorOf(sim, result.messageId)).toBe(NIJI_APPLICATION_ID);
    }
    expect(interactions(sim).map((i) => [i.application_id, i.data.id])).toEqual([
      [NIJI_APPLICATION_ID, NIJI_IMAGINE_ID],
      [NIJI_APPLICATION_ID, NIJI_IMAGINE_ID],
    ]);
    // Cached per bot: niji's commands were looked up once; a Midjourney job then looks up its own.
    expect(indexReads(sim)).toBe(1);
    const plain = await mj.imagine('a harbour at dusk');
    expect(plain.botType).toBe('midjourney');
    expect(interactions(sim).at(-1)).toMatchObject({
      application_id: MJ,
      data: { id: MIDJOURNEY_IMAGINE_ID },
    });
    expect(indexReads(sim)).toBe(2);
    expect(sim.bot.jobs().map((j) => j.prompt)).toEqual(['a harbour at dusk']);
  });

  it('sends a button on a niji result to niji, whatever the options say', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, watch);
    const grid = await mj.imagine('a koi pond', { botType: 'niji' });
    const upscale = await mj.upscale(grid, 2, { botType: 'midjourney' });
    const press = interactions(sim).at(-1);
    expect(press).toMatchObject({ type: 3, application_id: NIJI_APPLICATION_ID });
    const record = sim.jobs.find((j) => j.nonce === press?.nonce);
    expect(record).toMatchObject({ botType: 'niji', kind: 'upscale', index: 2, parentId: grid.jobId });
    expect(upscale).toMatchObject({ kind: 'upscale', botType: 'niji', messageId: record?.resultMessageId });
    expect(authorOf(sim, upscale.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(sim.bot.jobs()).toEqual([]);
  });

  it('never swaps the results of a Midjourney and a niji job with the same prompt, run at once', async () => {
    // The Midjourney job is submitted first but answers late; niji posts its grid at once, with no
    // waiting or progress message, while neither job has shown anything: by prompt and submission
    // order (and without the nonce, in a poll) that grid would be the first job's.
    sim = await startFastSimulator({
      bot: { answerDelayMs: 60_000 },
      niji: { answerDelayMs: 1_500, waitingMs: 0, jobDurationMs: 2_000, faults: { skipProgress: true } },
    });
    mj = clientFor(sim, watch);
    const book = ticketBook();
    const prompt = 'twin lanterns over a river';
    let firstSent: () => void = () => undefined;
    const sent = new Promise<void>((resolve) => {
      firstSent = resolve;
    });
    const midjourney = mj.imagine(prompt, {
      onSubmit: (ticket) => {
        book.onSubmit(ticket);
        firstSent();
      },
    });
    await sent;
    const niji = mj.imagine(prompt, { botType: 'niji', onSubmit: book.onSubmit });
    const [a, b] = await Promise.all([midjourney, niji]);
    const [ticketA, ticketB] = book.byPrompt.get(prompt) ?? [];
    const recordA = sim.jobs.find((j) => j.nonce === ticketA?.nonce);
    const recordB = sim.jobs.find((j) => j.nonce === ticketB?.nonce);
    expect([recordA?.botType, recordB?.botType]).toEqual(['midjourney', 'niji']);
    expect(recordB?.finishedAt).toBeLessThan(recordA?.finishedAt ?? 0);
    expect(a).toMatchObject({
      botType: 'midjourney',
      messageId: recordA?.resultMessageId,
      jobId: recordA?.id,
    });
    expect(b).toMatchObject({ botType: 'niji', messageId: recordB?.resultMessageId, jobId: recordB?.id });
    expect(authorOf(sim, a.messageId)).toBe(MJ);
    expect(authorOf(sim, b.messageId)).toBe(NIJI_APPLICATION_ID);
  });
});

describe.each(['poll', 'gateway'] as const)('a crowd of both bots (%s)', (watch) => {
  it.each([
    3, 11,
  ])('never swaps 16 same-prompt jobs, alternating bots, evidence drawn from seed %i', async (seed) => {
    // Niji answers quicker and without progress messages on every other job: results interleave.
    sim = await startFastSimulator({
      bot: { evidence: { seed } },
      niji: { answerDelayMs: 500, jobDurationMs: 20_000, faults: { skipProgress: seed === 11 } },
    });
    mj = clientFor(sim, watch);
    const book = ticketBook();
    const prompt = 'a crowd of lanterns';
    const bots = Array.from({ length: 16 }, (_, i): BotType => (i % 2 === 0 ? 'midjourney' : 'niji'));
    const results = await Promise.all(
      bots.map((botType) => mj!.imagine(prompt, { botType, onSubmit: book.onSubmit })),
    );
    const tickets = book.byPrompt.get(prompt) ?? [];
    expect(tickets).toHaveLength(16);
    results.forEach((result, i) => {
      const botType = bots[i];
      const record = sim!.jobs.find((j) => j.resultMessageId === result.messageId);
      expect({ i, bot: record?.botType, result: result.botType }).toEqual({
        i,
        bot: botType,
        result: botType,
      });
      expect(authorOf(sim!, result.messageId)).toBe(botType === 'niji' ? NIJI_APPLICATION_ID : MJ);
      expect(result.jobId).toBe(record?.id);
    });
    // Every result once: no two jobs took the same message.
    expect(new Set(results.map((r) => r.messageId)).size).toBe(16);
  });
});

describe('niji・journey options', () => {
  it('refuses an unknown bot before sending anything', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'poll');
    const error = await mj.imagine('a cat', { botType: 'dalle' as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('Invalid job options');
    expect(String((error as ValidationError).problems)).toContain('botType: expected midjourney or niji');
    expect(interactionPosts(sim)).toBe(0);
  });

  it('refuses a ticket naming an unknown bot', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'poll');
    const ticket = {
      kind: 'imagine' as const,
      prompt: 'a cat',
      channelId: sim.channelId,
      nonce: '1300000000000000001',
      afterMessageId: null,
      submittedAt: Date.now(),
      botType: 'dalle' as never,
    };
    await expect(mj.resume(ticket)).rejects.toMatchObject({
      name: 'ValidationError',
      problems: ['botType: expected midjourney or niji, got "dalle"'],
    });
  });

  it("resumes a niji ticket in another client, taking niji's result and not Midjourney's", async () => {
    sim = await startFastSimulator({ niji: { faults: { skipProgress: true } } });
    mj = clientFor(sim, 'poll');
    const book = ticketBook();
    const prompt = 'a moonlit shrine';
    const [plain, original] = await Promise.all([
      mj.imagine(prompt, { onSubmit: book.onSubmit }),
      mj.imagine(prompt, { botType: 'niji', onSubmit: book.onSubmit }),
    ]);
    const ticket = book.byPrompt.get(prompt)?.find((t) => t.botType === 'niji');
    expect(ticket).toBeDefined();
    await mj.close();
    mj = clientFor(sim, 'poll');
    const resumed = await mj.resume(ticket!);
    expect(resumed).toMatchObject({ botType: 'niji', messageId: original.messageId });
    expect(resumed.messageId).not.toBe(plain.messageId);
  });
});
