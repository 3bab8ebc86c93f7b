/**
 * Following jobs to their end whatever happens on the way: deadlines, "Job queued", a gateway that
 * is down or drops, and resuming a job after a crash. Real client, real simulator, loopback sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Midjourney } from '../../src/generation/index.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { JobNotFoundError, JobQueuedError, JobTimeoutError } from '../../src/midjourney/errors.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, interactionPosts, startFastSimulator } from './helpers/simulator.js';

let sim: Simulator | undefined;
const clients: Midjourney[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim?.close();
  sim = undefined;
});

function client(...args: Parameters<typeof clientFor>): Midjourney {
  const mj = clientFor(...args);
  clients.push(mj);
  return mj;
}

describe('deadlines', () => {
  it.each([
    'poll',
    'gateway',
  ] as const)('rejects with JobTimeoutError at the deadline when the bot goes silent (%s)', async (watch) => {
    sim = await startFastSimulator();
    sim.bot.script({ match: 'silent', outcome: 'never-answer' });
    const mj = client(sim, watch, { notSeenTimeoutMs: 0 });
    const started = Date.now();
    const error = await mj.imagine('a silent moon', { timeoutMs: 600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 600, prompt: 'a silent moon', retryable: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('Job queued', () => {
  it('reports "Job queued" as an event and keeps watching until the job runs', async () => {
    sim = await startFastSimulator({ bot: { fastSlots: 1, queueSize: 5 } });
    const mj = client(sim, 'gateway', { concurrentJobs: 3 });
    const queued: string[] = [];
    mj.on('queued', (job, notice) => queued.push(`${job.prompt}: ${notice}`));
    const results = await Promise.all([mj.imagine('queued owl one'), mj.imagine('queued owl two')]);
    expect(queued).toEqual([expect.stringMatching(/^queued owl two: Job queued/)]);
    expect(results.map((r) => r.jobId)).toEqual(sim.jobs.map((j) => j.id));
  });

  it('rejects with JobQueuedError when asked to', async () => {
    sim = await startFastSimulator({ bot: { fastSlots: 1, queueSize: 5 } });
    const mj = client(sim, 'gateway', { concurrentJobs: 3 });
    const first = mj.imagine('queued heron one');
    await new Promise((resolve) => mj.once('submitted', resolve));
    await expect(mj.imagine('queued heron two', { throwOnQueued: true })).rejects.toBeInstanceOf(
      JobQueuedError,
    );
    await first;
  });
});

describe('gateway fallback', () => {
  it('watches by polling when the gateway cannot be reached', async () => {
    sim = await startFastSimulator();
    const mj = client(sim, 'gateway', { gatewayUrl: 'ws://127.0.0.1:9/?v=10&encoding=json' });
    const result = await mj.imagine('a lighthouse without a gateway');
    expect(result.jobId).toBe(sim.jobs[0]?.id);
    expect(sim.requests.some((r) => r.method === 'GET' && r.path.includes('after='))).toBe(true);
    expect(mj.stats().watcher.gatewayLive).toBe(false);
  });

  it('finishes a job whose gateway connection drops mid-way', async () => {
    sim = await startFastSimulator();
    const mj = client(sim, 'gateway');
    const job = mj.imagine('a lighthouse in a storm');
    await new Promise((resolve) => mj.once('started', resolve));
    expect(sim.faults.dropGateway({ resumable: false })).toBe(1);
    const result = await job;
    expect(result.messageId).toBe(sim.jobs[0]?.resultMessageId);
  });
});

describe('resume', () => {
  it.each([
    'poll',
    'gateway',
  ] as const)('follows a job submitted before a crash to its end, sending nothing (%s)', async (watch) => {
    sim = await startFastSimulator();
    const crashed = client(sim, watch);
    let ticket: SubmissionTicket | undefined;
    const lost = crashed.imagine('a lighthouse before the crash', {
      onSubmit: (t) => {
        ticket = t;
      },
    });
    await new Promise((resolve) => crashed.once('submitted', resolve));
    await crashed.close();
    await expect(lost).rejects.toMatchObject({ name: 'AbortError' });
    expect(ticket).toBeDefined();

    const revived = client(sim, watch);
    const result = await revived.resume(ticket as SubmissionTicket);
    expect(result.messageId).toBe(sim.jobs[0]?.resultMessageId);
    expect(interactionPosts(sim)).toBe(1);
  });

  it('finds a job that already finished while the worker was down', async () => {
    sim = await startFastSimulator();
    const first = client(sim, 'poll');
    let ticket: SubmissionTicket | undefined;
    const done = await first.imagine('a lighthouse finished long ago', {
      onSubmit: (t) => {
        ticket = t;
      },
    });
    const revived = client(sim, 'gateway');
    const again = await revived.resume(ticket as SubmissionTicket);
    expect(again.messageId).toBe(done.messageId);
  });

  it('rejects with JobNotFoundError when nothing of a send proved never attempted appears within the grace period', async () => {
    sim = await startFastSimulator();
    const mj = client(sim, 'poll', { resumeGraceMs: 400 });
    const ticket: SubmissionTicket = {
      kind: 'imagine',
      prompt: 'a job that was never sent',
      channelId: sim.channelId,
      nonce: '1300000000000000001',
      afterMessageId: null,
      submittedAt: Date.now(),
    };
    const error = await mj.resume(ticket, { sendConfirmed: false, neverSent: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobNotFoundError);
    expect(error).toMatchObject({ code: 'JOB_NOT_FOUND', retryable: true, nonce: ticket.nonce });
    expect(interactionPosts(sim)).toBe(0);
  });

  it('refuses a malformed ticket with a ValidationError naming the fields', async () => {
    sim = await startFastSimulator();
    const mj = client(sim, 'poll');
    const bad = {
      kind: 'imagine',
      prompt: '',
      channelId: 'x',
      nonce: 'y',
      afterMessageId: null,
      submittedAt: 0,
    };
    await expect(mj.resume(bad as SubmissionTicket)).rejects.toMatchObject({
      name: 'ValidationError',
      problems: [
        'prompt: expected a non-empty string',
        'channelId: expected a snowflake',
        'nonce: expected a snowflake',
      ],
    });
  });
});
