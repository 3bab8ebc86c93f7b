/**
 * Every notice Midjourney answers with, without the `/imagine <prompt>` footer, reaches its own
 * job while three other jobs of the same user are in flight: within one poll interval of the
 * notice when polling (notices made public), within 50 ms over the gateway. The rest of each
 * message's evidence (interaction objects, nonce on later messages, reply reference) is drawn
 * from a seed: MJW_SIM_EVIDENCE_SEED replays a run, and a failure prints the seed it used.
 * Real client, real simulator, loopback sockets.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { WatchMode } from '../../src/config/index.js';
import type { Midjourney } from '../../src/generation/index.js';
import {
  AccountError,
  AppealNeededError,
  CreditsExhaustedError,
  DuplicateImagesError,
  HumanCheckError,
  InvalidRequestError,
  JobFailedError,
  OutputFilterError,
  PreModerationError,
  QueueFullError,
} from '../../src/midjourney/errors.js';
import type { JobOutcome, Simulator } from '../../src/simulator/index.js';
import { snowflakeTimestamp } from '../../src/util/snowflake.js';
import { clientFor, outcomeOf, startFastSimulator } from './helpers/simulator.js';

type ErrorClass = abstract new (...args: never[]) => Error;

const NOTICES: [JobOutcome, ErrorClass][] = [
  ['pre-moderation', PreModerationError],
  ['appeal-needed', AppealNeededError],
  ['queue-full', QueueFullError],
  ['invalid-parameter', InvalidRequestError],
  ['unrecognized-parameter', InvalidRequestError],
  ['invalid-link', InvalidRequestError],
  ['invalid-prompt', InvalidRequestError],
  ['empty-prompt', InvalidRequestError],
  ['invalid-request', InvalidRequestError],
  ['job-action-restricted', InvalidRequestError],
  ['credits-exhausted', CreditsExhaustedError],
  ['pending-mod-message', AccountError],
  ['blocked', AccountError],
  ['plan-cancelled', AccountError],
  ['subscription-required', AccountError],
  ['subscription-paused', AccountError],
  ['tos-not-accepted', AccountError],
  ['human-check', HumanCheckError],
  ['duplicate-images', DuplicateImagesError],
  ['failed-text', JobFailedError],
  // These two die after starting: the notice follows the job's progress message.
  ['output-filter', OutputFilterError],
  ['outage', JobFailedError],
];

const POLL_MAX_MS = 100;

/** The run's evidence seed: the environment's (to replay), else a fresh one. */
const SEED = Number(process.env.MJW_SIM_EVIDENCE_SEED ?? Math.floor(Math.random() * 2 ** 32));

/** Channel reads (`GET /messages?after=`) that arrived in [from, to]. */
function pollsBetween(sim: Simulator, from: number, to: number): number {
  return sim.requests.filter(
    (r) =>
      r.method === 'GET' &&
      r.path.includes('/messages?') &&
      r.path.includes('after=') &&
      r.time >= from &&
      r.time <= to,
  ).length;
}

describe.each([
  { watch: 'poll' as WatchMode },
  { watch: 'gateway' as WatchMode },
])('notices without the footer reach their own job ($watch)', ({ watch }) => {
  let sim: Simulator;
  let mj: Midjourney;
  let others: Promise<unknown>[];

  beforeAll(async () => {
    sim = await startFastSimulator({
      bot: {
        // Polls see notices only when they are public.
        publicNotices: watch === 'poll',
        evidence: { footer: false, seed: SEED },
        // The three other jobs stay in flight for the whole file.
        jobDurationMs: 6_000_000,
      },
    });
    for (const [outcome] of NOTICES) {
      // Long enough for a poll to see the progress message the dying jobs' notices refer to.
      sim.bot.script({ match: `case ${outcome}.`, outcome, durationMs: 30_000 });
    }
    mj = clientFor(sim, watch, {
      pollMinMs: POLL_MAX_MS / 2,
      pollMaxMs: POLL_MAX_MS,
      haltOnAccountNotice: false,
      jobTimeoutMs: 120_000,
      notSeenTimeoutMs: 0,
    });
    others = ['one', 'two', 'three'].map((n) => outcomeOf(mj.imagine(`a long voyage ${n}`)));
    const started = new Set<string>();
    await new Promise<void>((resolve) => {
      mj.on('started', (job) => {
        started.add(job.id);
        if (started.size === 3) resolve();
      });
    });
  });

  afterAll(async () => {
    await mj.close();
    await Promise.all(others);
    await sim.close();
  });

  it.each(NOTICES)('%s', async (outcome, expected) => {
    onTestFailed(() => {
      console.error(`evidence seed ${SEED}: replay with MJW_SIM_EVIDENCE_SEED=${SEED}`);
    });
    const prompt = `a lighthouse, case ${outcome}.`;
    const { error } = await outcomeOf(mj.imagine(prompt));
    const settledAt = Date.now();
    expect(error, String(error)).toBeInstanceOf(expected);
    expect(error).toMatchObject({ prompt });
    const record = sim.jobs.find((j) => j.prompt === prompt);
    const noticeId = record?.messageIds.at(-1);
    expect(noticeId).toBeDefined();
    const noticeAt = snowflakeTimestamp(noticeId ?? '0');
    if (watch === 'gateway') {
      expect(settledAt - noticeAt).toBeLessThan(50);
    } else {
      // Decided by the first read of the channel after the notice: one poll interval.
      expect(pollsBetween(sim, noticeAt, settledAt)).toBeLessThanOrEqual(1);
    }
    // The three others are untouched, still in flight.
    expect(mj.stats().jobsInFlight).toBe(3);
  });
});

describe.each(['poll', 'gateway'] as const)('identical prompts, one refused, no footer (%s)', (watch) => {
  it('gives the refusal to the job Midjourney refused and the results to the others', async () => {
    onTestFailed(() => {
      console.error(`evidence seed ${SEED}: replay with MJW_SIM_EVIDENCE_SEED=${SEED}`);
    });
    const sim = await startFastSimulator({
      bot: { publicNotices: watch === 'poll', evidence: { footer: false, seed: SEED } },
    });
    // Midjourney refuses the first of four identical prompts only (e.g. a momentary queue limit).
    sim.bot.script({ match: 'twin lighthouses', outcome: 'queue-full', times: 1 });
    const mj = clientFor(sim, watch, { notSeenTimeoutMs: 0, jobTimeoutMs: 10_000 });
    try {
      const outcomes = await Promise.all(
        [1, 2, 3, 4].map(() => outcomeOf(mj.imagine('twin lighthouses --ar 3:2'))),
      );
      const refused = sim.jobs.find((j) => j.outcome === 'queue-full');
      const [first, ...rest] = outcomes;
      expect(first?.error).toBeInstanceOf(QueueFullError);
      for (const other of rest) expect(other.error, String(other.error)).toBeUndefined();
      const ids = rest.map((o) => o.result?.jobId);
      expect(new Set(ids).size).toBe(3);
      expect(ids).not.toContain(refused?.id);
    } finally {
      await mj.close();
      await sim.close();
    }
  });
});
