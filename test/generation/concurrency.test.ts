/**
 * Many jobs in one channel: one shared poll loop, local slots, and same-prompt jobs that must not
 * swap results. Real client, real simulator, loopback sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Midjourney } from '../../src/generation/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, imagineEachOwn, startFastSimulator, ticketBook } from './helpers/simulator.js';

let sim: Simulator | undefined;
let mj: Midjourney | undefined;

afterEach(async () => {
  await mj?.close();
  await sim?.close();
  mj = undefined;
  sim = undefined;
});

function pollTimes(s: Simulator): number[] {
  return s.requests.filter((r) => r.method === 'GET' && r.path.includes('after=')).map((r) => r.time);
}

describe('concurrency in one channel', () => {
  it('10 concurrent jobs share one poll loop: one GET per interval, not ten', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'poll', { pollMinMs: 150, pollMaxMs: 200 });
    const prompts = Array.from({ length: 10 }, (_, i) => `a harbour at night, number ${i + 1}`);
    const started = Date.now();
    await imagineEachOwn(sim, mj, prompts);
    const elapsed = Date.now() - started;

    const polls = pollTimes(sim);
    // One loop: a poll per interval (150–200 ms), plus at most one brought forward per later job
    // for its snapshot (the newest message before its send), which no longer takes a read of its own.
    const plainReads = sim.requests.filter(
      (r) => r.route === 'GET /channels/{channel_id}/messages' && !r.path.includes('after='),
    );
    expect(plainReads).toHaveLength(1);
    expect(polls.length).toBeLessThanOrEqual(Math.ceil(elapsed / 150) + 1 + (prompts.length - 1));
    // Ten pollers would have made ten times as many.
    expect(polls.length).toBeLessThan(elapsed / 20);
    expect(mj.stats()).toMatchObject({ jobsInFlight: 0, watcher: { pollingChannels: 0, jobs: 0 } });
  });

  it('keeps extra jobs in the local queue beyond concurrentJobs, so Midjourney never queues them', async () => {
    sim = await startFastSimulator({ bot: { fastSlots: 2, queueSize: 10 } });
    mj = clientFor(sim, 'gateway', { concurrentJobs: 2 });
    const client = mj;
    let maxInUse = 0;
    const queued: string[] = [];
    client.on('submitted', () => {
      maxInUse = Math.max(maxInUse, client.stats().slots.inUse);
    });
    client.on('queued', (job) => queued.push(job.prompt));
    const jobs = Array.from({ length: 5 }, (_, i) => client.imagine(`a kite, number ${i + 1}`));
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.stats()).toMatchObject({ slots: { limit: 2 }, jobsInFlight: 5 });
    await Promise.all(jobs);
    expect(maxInUse).toBeLessThanOrEqual(2);
    expect(queued).toEqual([]);
    expect(sim.jobs.every((j) => j.state === 'completed')).toBe(true);
  });

  it.each([
    'poll',
    'gateway',
  ] as const)('does not swap two concurrent jobs with the same prompt when the second finishes first (%s)', async (watch) => {
    sim = await startFastSimulator();
    // The first job takes twice as long: the second one's result comes first.
    sim.bot.script({ match: 'twin', outcome: 'success', durationMs: 90_000, times: 1 });
    mj = clientFor(sim, watch);
    const book = ticketBook();
    let firstSubmitted: () => void = () => undefined;
    const submitted = new Promise<void>((resolve) => {
      firstSubmitted = resolve;
    });
    const first = mj.imagine('twin lighthouses --ar 3:2', {
      onSubmit: (ticket) => {
        book.onSubmit(ticket);
        firstSubmitted();
      },
    });
    // The second is submitted once the first has its ticket: their order is known, not hoped for.
    await submitted;
    const second = mj.imagine('twin lighthouses --ar 3:2', { onSubmit: book.onSubmit });
    const [a, b] = await Promise.all([first, second]);
    const [ticketA, ticketB] = book.byPrompt.get('twin lighthouses --ar 3:2') ?? [];
    const recordA = sim.jobs.find((j) => j.nonce === ticketA?.nonce);
    const recordB = sim.jobs.find((j) => j.nonce === ticketB?.nonce);
    expect(recordB?.finishedAt).toBeLessThan(recordA?.finishedAt ?? 0);
    expect(a.messageId).toBe(recordA?.resultMessageId);
    expect(a.jobId).toBe(recordA?.id);
    expect(b.messageId).toBe(recordB?.resultMessageId);
    expect(b.jobId).toBe(recordB?.id);
  });
});
