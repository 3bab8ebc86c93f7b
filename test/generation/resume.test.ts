/**
 * The restart rule in the library: `resume(ticket)` against the real simulator on 127.0.0.1, with
 * channel reads failing (503 on `GET /channels/{id}/messages`). A failed read is not evidence:
 * the job stays unresolved while reads fail and is decided from the first reads that succeed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RestClient } from '../../src/discord/rest/index.js';
import {
  InferredPreModerationError,
  ResumeUnresolvedError,
  SubmissionUncertainError,
} from '../../src/generation/errors.js';
import type { Midjourney, MidjourneyOptions } from '../../src/generation/index.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { JobNotFoundError } from '../../src/midjourney/errors.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, interactionPosts, startFastSimulator } from './helpers/simulator.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';
const GRACE_MS = 400;

let sim: Simulator | undefined;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await sim?.close();
  sim = undefined;
});

/** A client whose REST calls are not retried inside the client: every 503 is one failed poll. */
function client(
  s: Simulator,
  options: Partial<MidjourneyOptions> = {},
  watch: 'poll' | 'gateway' = 'poll',
): Midjourney {
  const rest = new RestClient({
    token: s.token,
    baseUrl: s.apiBaseUrl,
    retries: 0,
    limiterOptions: { minSpacingMs: 0 },
  });
  const mj = clientFor(s, watch, { rest, resumeGraceMs: GRACE_MS, ...options });
  closers.push(async () => {
    await mj.close();
    await rest.close();
  });
  return mj;
}

/** Reads of the channel answered 503 by the simulator so far. */
function failedReads(s: Simulator): number {
  return s.requests.filter((r) => r.route === MESSAGES && r.status === 503).length;
}

/** Waits (yielding, briefly) until `condition` holds. */
async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`until: ${what} never happened`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>): {
  settled: () => boolean;
  outcome: Promise<{ result?: T; error?: unknown }>;
} {
  let settled = false;
  const outcome = promise.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  void outcome.then(() => {
    settled = true;
  });
  return { settled: () => settled, outcome };
}

/** Sends a job, then "crashes" (closes the client) once Discord confirmed it: returns its ticket. */
async function sendThenCrash(s: Simulator, prompt: string): Promise<SubmissionTicket> {
  const crashed = clientFor(s, 'poll');
  let ticket: SubmissionTicket | undefined;
  const lost = crashed.imagine(prompt, {
    onSubmit: (t) => {
      ticket = t;
    },
  });
  await new Promise((resolve) => crashed.once('submitted', resolve));
  await crashed.close();
  await lost.catch(() => undefined);
  return ticket as SubmissionTicket;
}

function neverSent(s: Simulator, prompt: string): SubmissionTicket {
  return {
    kind: 'imagine',
    prompt,
    channelId: s.channelId,
    nonce: '1300000000000000001',
    afterMessageId: null,
    submittedAt: Date.now(),
  };
}

describe('resume: found', () => {
  it.each([
    'poll',
    'gateway',
  ] as const)('follows a job that ran, though every read of the grace window failed, once reads recover (%s)', async (watch) => {
    sim = await startFastSimulator();
    const ticket = await sendThenCrash(sim, 'a lighthouse behind failing reads');
    sim.faults.add({ kind: 'status', status: 503, route: MESSAGES, count: Infinity });
    const mj = client(sim, {}, watch);
    const resumed = track(mj.resume(ticket, { sendConfirmed: true }));
    const started = Date.now();
    // Well past the grace window, with reads failing all along: still unresolved.
    await until(
      () => failedReads(sim as Simulator) >= 3 && Date.now() - started > 3 * GRACE_MS,
      'failed reads',
    );
    expect(resumed.settled()).toBe(false);
    sim.faults.clear();
    const { result, error } = await resumed.outcome;
    expect(error).toBeUndefined();
    expect(result?.messageId).toBe(sim.jobs[0]?.resultMessageId);
    expect(interactionPosts(sim)).toBe(1);
  });
});

describe('resume: the session lookup fails', () => {
  it('asks for the user again instead of failing a job that may have run, and follows it', async () => {
    sim = await startFastSimulator();
    const ticket = await sendThenCrash(sim, 'a lighthouse behind a failing user lookup');
    // The new process's first lookups of GET /users/@me fail (no retries inside this client).
    sim.faults.add({ kind: 'status', status: 504, route: 'GET /users/@me', count: 3 });
    const mj = client(sim);
    const { result, error } = await track(mj.resume(ticket, { sendConfirmed: true, timeoutMs: 10_000 }))
      .outcome;
    expect(error).toBeUndefined();
    expect(result?.messageId).toBe(sim.jobs[0]?.resultMessageId);
    expect(sim.requests.filter((r) => r.route === 'GET /users/@me' && r.status === 504)).toHaveLength(3);
    expect(interactionPosts(sim)).toBe(1);
  });
});

describe('resume: not found after successful reads', () => {
  it('unconfirmed send: SubmissionUncertainError, never "safe to resend" (the POST may have been pending)', async () => {
    sim = await startFastSimulator();
    const mj = client(sim);
    const ticket = neverSent(sim, 'a job whose send was never confirmed');
    const error = await mj.resume(ticket, { sendConfirmed: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmissionUncertainError);
    expect(error).toMatchObject({
      code: 'SUBMISSION_UNCERTAIN',
      retryable: false,
      safeToResend: false,
      nonce: ticket.nonce,
    });
    expect((error as Error).message).toMatch(/may have run/);
    expect(interactionPosts(sim)).toBe(0);
  });

  it('a send proved never attempted: JobNotFoundError, safe to submit again', async () => {
    sim = await startFastSimulator();
    const mj = client(sim);
    const ticket = neverSent(sim, 'a job stopped before its send');
    const error = await mj.resume(ticket, { sendConfirmed: false, neverSent: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobNotFoundError);
    expect(error).toMatchObject({ code: 'JOB_NOT_FOUND', retryable: true, nonce: ticket.nonce });
    expect(interactionPosts(sim)).toBe(0);
  });

  it.each([
    ['confirmed', { sendConfirmed: true }],
    ['unknown (the default)', {}],
  ] as const)('%s send: InferredPreModerationError, not retryable, never "safe to resend"', async (_, options) => {
    sim = await startFastSimulator();
    const mj = client(sim);
    const error = await mj.resume(neverSent(sim, 'a job Discord accepted'), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferredPreModerationError);
    expect(error).not.toBeInstanceOf(JobNotFoundError);
    expect(error).toMatchObject({ code: 'PRE_MODERATION', inferred: true, retryable: false });
    expect(interactionPosts(sim)).toBe(0);
  });
});

describe('resume: reads failed', () => {
  it('is not reported as not found while reads fail, and is decided once they recover', async () => {
    sim = await startFastSimulator();
    sim.faults.add({ kind: 'status', status: 503, route: MESSAGES, count: Infinity });
    const mj = client(sim);
    const resumed = track(
      mj.resume(neverSent(sim, 'a job behind failing reads'), { sendConfirmed: false, neverSent: true }),
    );
    const started = Date.now();
    await until(
      () => failedReads(sim as Simulator) >= 3 && Date.now() - started > 3 * GRACE_MS,
      'failed reads',
    );
    expect(resumed.settled()).toBe(false);
    const faultsCleared = Date.now();
    sim.faults.clear();
    const { error } = await resumed.outcome;
    expect(error).toBeInstanceOf(JobNotFoundError);
    // The verdict came from a read that succeeded after the faults were gone.
    const ok = sim.requests.filter((r) => r.route === MESSAGES && r.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.every((r) => r.time >= faultsCleared)).toBe(true);
    expect(interactionPosts(sim)).toBe(0);
  });

  it('ends in ResumeUnresolvedError (not "safe to resend") when reads fail until the deadline', async () => {
    sim = await startFastSimulator();
    sim.faults.add({ kind: 'status', status: 503, route: MESSAGES, count: Infinity });
    const mj = client(sim);
    const ticket = neverSent(sim, 'a job behind reads that never recover');
    const error = await mj
      .resume(ticket, { sendConfirmed: false, timeoutMs: 1_500 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeUnresolvedError);
    expect(error).toMatchObject({ code: 'RESUME_UNRESOLVED', safeToResend: false, nonce: ticket.nonce });
    expect((error as ResumeUnresolvedError).failedReads).toBeGreaterThan(0);
    expect(interactionPosts(sim)).toBe(0);
  });
});
