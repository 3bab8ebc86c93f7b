/**
 * What reaches Discord, and how often: ambiguous failures never double a paid job, an outdated
 * command is refreshed once, cancelling before the send sends nothing, and the account guards
 * refuse without sending. Real client, real simulator, loopback sockets.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DailyCapReachedError, type Midjourney } from '../../src/generation/index.js';
import { AccountError } from '../../src/midjourney/errors.js';
import type { Simulator } from '../../src/simulator/index.js';
import { type Clock, systemClock } from '../../src/util/clock.js';
import { clientFor, interactionPosts, startFastSimulator } from './helpers/simulator.js';

/** The system clock, counting the waits still pending. */
function countingClock(): Clock & { pending(): number } {
  let pending = 0;
  return {
    now: () => systemClock.now(),
    pending: () => pending,
    sleep: async (ms, signal) => {
      pending += 1;
      try {
        await systemClock.sleep(ms, signal);
      } finally {
        pending -= 1;
      }
    },
  };
}

let sim: Simulator | undefined;
let mj: Midjourney | undefined;

afterEach(async () => {
  await mj?.close();
  await sim?.close();
  mj = undefined;
  sim = undefined;
});

describe('no duplicate paid jobs', () => {
  it.each([
    'poll',
    'gateway',
  ] as const)('a POST reset after Discord processed it is looked for, found, and not sent again (%s)', async (watch) => {
    sim = await startFastSimulator();
    sim.faults.add({ kind: 'reset', route: 'POST /interactions', when: 'after-request' });
    mj = clientFor(sim, watch, { ambiguousGraceMs: 3_000 });
    const result = await mj.imagine('a windmill in fog');
    expect(sim.jobs).toHaveLength(1);
    expect(interactionPosts(sim)).toBe(1);
    expect(result.messageId).toBe(sim.jobs[0]?.resultMessageId);
  });

  it('never sends an ambiguous POST again: a 500 that ran nothing fails as SUBMISSION_UNCERTAIN, one POST', async () => {
    sim = await startFastSimulator();
    // A 500 from Discord's side: the interaction was not processed, but the client cannot know.
    sim.faults.add({ kind: 'status', route: 'POST /interactions', status: 500 });
    mj = clientFor(sim, 'poll', { ambiguousGraceMs: 300, notSeenTimeoutMs: 600 });
    await expect(mj.imagine('a windmill at noon')).rejects.toMatchObject({
      code: 'SUBMISSION_UNCERTAIN',
      retryable: false,
      cause: { status: 500 },
    });
    const posts = sim.requests.filter((r) => r.method === 'POST' && r.route.endsWith('/interactions'));
    expect(posts.map((p) => p.status)).toEqual([500]);
    expect(sim.jobs).toHaveLength(0);
  });
});

describe('outdated command version', () => {
  it('refreshes the command once and resends when Discord refuses the cached version', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway');
    await mj.imagine('a tram in the rain');
    sim.commands.bumpVersion();
    const result = await mj.imagine('a tram in the snow');
    const posts = sim.requests.filter((r) => r.method === 'POST' && r.route.endsWith('/interactions'));
    expect(posts.map((p) => p.status)).toEqual([204, 400, 204]);
    const versions = posts.map((p) => (p.body as { data: { version: string } }).data.version);
    expect(versions[1]).toBe(versions[0]);
    expect(versions[2]).toBe(sim.commands.get('imagine')?.version);
    expect(sim.requests.filter((r) => r.route.includes('application-command-index'))).toHaveLength(2);
    expect(result.prompt).toBe('a tram in the snow');
  });
});

describe('cancel', () => {
  it('before the send: rejects with the reason and sends nothing', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'poll');
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const job = mj.imagine('a ship in a bottle', {
      signal: controller.signal,
      onSubmit: () => controller.abort(reason),
    });
    await expect(job).rejects.toBe(reason);
    expect(interactionPosts(sim)).toBe(0);
    await expect(mj.imagine('x', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(interactionPosts(sim)).toBe(0);
  });

  it('while waiting for a slot: leaves the local queue without sending', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway', { concurrentJobs: 1 });
    const first = mj.imagine('a lantern');
    const controller = new AbortController();
    const second = mj.imagine('a second lantern', { signal: controller.signal });
    expect(mj.stats().queueDepth).toBe(1);
    controller.abort(new Error('not needed'));
    await expect(second).rejects.toThrow('not needed');
    await first;
    expect(interactionPosts(sim)).toBe(1);
  });

  it('after the send: stops watching and rejects with the reason', async () => {
    sim = await startFastSimulator();
    const clock = countingClock();
    mj = clientFor(sim, 'poll', { clock });
    const controller = new AbortController();
    const failed: unknown[] = [];
    mj.on('failed', (_job, error) => failed.push(error));
    const job = mj.imagine('a slow glacier', {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('enough')),
    });
    await expect(job).rejects.toThrow('enough');
    expect(failed).toHaveLength(1);
    const pollsAtCancel = mj.stats().watcher.polls;
    // The shared loop stopped with its last job: every wait of the client ended (no next poll is
    // scheduled), and no poll was started after the cancel.
    await vi.waitFor(() => expect(clock.pending()).toBe(0));
    await vi.waitFor(() => expect(mj?.stats().watcher.pollingChannels).toBe(0));
    expect(mj.stats().watcher.polls).toBe(pollsAtCancel);
    expect(mj.stats()).toMatchObject({ jobsInFlight: 0, watcher: { pollingChannels: 0 } });
  });

  it('close() rejects jobs in flight with an AbortError and refuses new ones', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway');
    const job = mj.imagine('a comet');
    await new Promise((resolve) => mj?.once('started', resolve));
    await mj.close();
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    await expect(mj.imagine('another comet')).rejects.toMatchObject({ code: 'GENERATOR_CLOSED' });
  });
});

describe('account safety', () => {
  it('halts after an account notice: later jobs reject at once with the same error, nothing sent', async () => {
    sim = await startFastSimulator({ bot: { accountState: 'blocked' } });
    mj = clientFor(sim, 'gateway');
    await expect(mj.imagine('a fox')).rejects.toBeInstanceOf(AccountError);
    const second = mj.imagine('a second fox');
    await expect(second).rejects.toBeInstanceOf(AccountError);
    await expect(second).rejects.toMatchObject({
      reason: 'blocked',
      prompt: 'a second fox',
      message: expect.stringContaining('halted'),
    });
    expect(interactionPosts(sim)).toBe(1);
    expect(mj.stats().account.halted).toBe(true);
  });

  it('refuses submissions over the daily cap without sending', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway', { dailyJobCap: 1 });
    await mj.imagine('a heron');
    await expect(mj.imagine('a second heron')).rejects.toBeInstanceOf(DailyCapReachedError);
    expect(interactionPosts(sim)).toBe(1);
  });

  it('keeps the configured gap between submissions', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway', { submitGapMinMs: 300, submitGapMaxMs: 400 });
    await Promise.all([mj.imagine('a bell one'), mj.imagine('a bell two'), mj.imagine('a bell three')]);
    const posts = sim.requests.filter((r) => r.method === 'POST').map((r) => r.time);
    const gaps = posts.slice(1).map((t, i) => t - (posts[i] ?? 0));
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(295);
  });
});
