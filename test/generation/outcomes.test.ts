/**
 * Every outcome end to end: the real client, over real sockets, against the simulator's
 * Midjourney bot, watching by gateway, by polling, and by polling with notices made public (as a
 * REST-only demo server would). All outcomes of one mode run at once in one channel, so the
 * correlation is exercised under concurrency too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchMode } from '../../src/config/index.js';
import { InferredPreModerationError, type Midjourney } from '../../src/generation/index.js';
import {
  AppealNeededError,
  CreditsExhaustedError,
  DuplicateImagesError,
  EphemeralModerationError,
  InvalidRequestError,
  JobFailedError,
  JobTimeoutError,
  OutputFilterError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
} from '../../src/midjourney/errors.js';
import type { ScriptRule, Simulator } from '../../src/simulator/index.js';
import { clientFor, outcomeOf, startFastSimulator } from './helpers/simulator.js';

type ErrorClass = abstract new (...args: never[]) => Error;
/**
 * One outcome, or the outcomes allowed when it depends on timing: a notice without a prompt is
 * matched by its interaction alone (correlation.ts, rule 5), so when another job of this run
 * still waited for its first message at that moment, it is held and never guessed.
 */
type Expected = 'success' | ErrorClass | readonly ErrorClass[];

interface Case {
  name: string;
  rule: Omit<ScriptRule, 'match'> | undefined;
  gateway: Expected;
  poll: Expected;
  /** Polling with every notice posted in the channel. */
  pollPublic: Expected;
}

const Inferred = InferredPreModerationError;

const CASES: Case[] = [
  { name: 'success', rule: undefined, gateway: 'success', poll: 'success', pollPublic: 'success' },
  {
    name: 'no progress',
    rule: { outcome: 'no-progress' },
    gateway: 'success',
    poll: 'success',
    pollPublic: 'success',
  },
  {
    name: 'banned prompt',
    rule: { outcome: 'pre-moderation' },
    gateway: PreModerationError,
    poll: Inferred,
    pollPublic: PreModerationError,
  },
  {
    name: 'stopped',
    rule: { outcome: 'post-moderation', stopAt: 62 },
    gateway: PostModerationError,
    poll: PostModerationError,
    pollPublic: PostModerationError,
  },
  {
    name: 'progress deleted',
    rule: { outcome: 'post-moderation', stopStyle: 'deleted' },
    gateway: PostModerationError,
    poll: PostModerationError,
    pollPublic: PostModerationError,
  },
  {
    name: 'result deleted',
    rule: { outcome: 'ephemeral-moderation', deleteAfterMs: 20_000 },
    gateway: EphemeralModerationError,
    poll: EphemeralModerationError,
    pollPublic: EphemeralModerationError,
  },
  {
    // A poller never sees an ephemeral result: only its progress message vanishing.
    name: 'result made ephemeral',
    rule: { outcome: 'ephemeral-moderation', ephemeralStyle: 'ephemeral' },
    gateway: EphemeralModerationError,
    poll: PostModerationError,
    pollPublic: PostModerationError,
  },
  {
    name: 'appeal',
    rule: { outcome: 'appeal-needed' },
    gateway: AppealNeededError,
    poll: Inferred,
    pollPublic: AppealNeededError,
  },
  {
    name: 'queue full',
    rule: { outcome: 'queue-full' },
    gateway: QueueFullError,
    poll: Inferred,
    pollPublic: QueueFullError,
  },
  {
    name: 'invalid parameter',
    rule: { outcome: 'invalid-parameter' },
    gateway: InvalidRequestError,
    poll: Inferred,
    pollPublic: InvalidRequestError,
  },
  {
    name: 'unrecognized parameter',
    rule: { outcome: 'unrecognized-parameter' },
    gateway: InvalidRequestError,
    poll: Inferred,
    pollPublic: InvalidRequestError,
  },
  {
    name: 'invalid link',
    rule: { outcome: 'invalid-link' },
    gateway: InvalidRequestError,
    poll: Inferred,
    pollPublic: InvalidRequestError,
  },
  // Account notices repeat no prompt: a poll can tie them to a job by their interaction only.
  {
    name: 'credits',
    rule: { outcome: 'credits-exhausted' },
    gateway: CreditsExhaustedError,
    poll: Inferred,
    pollPublic: [CreditsExhaustedError, Inferred],
  },
  {
    name: 'duplicate images',
    rule: { outcome: 'duplicate-images' },
    gateway: DuplicateImagesError,
    poll: Inferred,
    pollPublic: DuplicateImagesError,
  },
  // Dies mid-run: the poller sees the progress message vanish and nothing else.
  {
    name: 'output filter',
    rule: { outcome: 'output-filter' },
    gateway: OutputFilterError,
    poll: PostModerationError,
    pollPublic: OutputFilterError,
  },
  {
    name: 'outage',
    rule: { outcome: 'outage' },
    gateway: JobFailedError,
    poll: JobFailedError,
    pollPublic: JobFailedError,
  },
  {
    name: 'failed text',
    rule: { outcome: 'failed-text' },
    gateway: JobFailedError,
    poll: [JobFailedError, Inferred],
    pollPublic: [JobFailedError, Inferred],
  },
  {
    name: 'bot silent',
    rule: { outcome: 'never-answer' },
    gateway: JobTimeoutError,
    poll: Inferred,
    pollPublic: Inferred,
  },
  {
    name: 'not acknowledged',
    rule: { outcome: 'never-answer', acknowledge: false },
    gateway: JobFailedError,
    poll: Inferred,
    pollPublic: Inferred,
  },
];

const MODES: {
  mode: keyof Pick<Case, 'gateway' | 'poll' | 'pollPublic'>;
  watch: WatchMode;
  publicNotices: boolean;
}[] = [
  { mode: 'gateway', watch: 'gateway', publicNotices: false },
  { mode: 'poll', watch: 'poll', publicNotices: false },
  { mode: 'pollPublic', watch: 'poll', publicNotices: true },
];

describe.each(MODES)('every outcome, watching by $mode', ({ mode, watch, publicNotices }) => {
  let sim: Simulator;
  let mj: Midjourney;

  beforeAll(async () => {
    sim = await startFastSimulator({ bot: { publicNotices } });
    for (const c of CASES) if (c.rule) sim.bot.script({ match: `case ${c.name}.`, ...c.rule });
    mj = clientFor(sim, watch, { jobTimeoutMs: 3_000, notSeenTimeoutMs: 1_500 });
  });
  afterAll(async () => {
    await mj.close();
    await sim.close();
  });

  it.concurrent.each(CASES)('$name', async (c) => {
    const prompt = `a lighthouse, case ${c.name}. --ar 3:2`;
    const expected = c[mode];
    const { result, error } = await outcomeOf(mj.imagine(prompt));
    if (expected === 'success') {
      expect(error).toBeUndefined();
      const record = sim.jobs.find((j) => j.prompt === prompt);
      expect(result).toMatchObject({
        kind: 'imagine',
        prompt,
        jobId: record?.id,
        messageId: record?.resultMessageId,
      });
      expect(result?.imageUrl).toContain(record?.id);
      expect(Object.keys(result?.actions ?? {})).toEqual(
        expect.arrayContaining(['U1', 'U4', 'V1', 'V4', 'reroll']),
      );
      return;
    }
    const allowed = Array.isArray(expected) ? expected : [expected];
    expect(
      allowed.some((e) => error instanceof e),
      `${String(error)}`,
    ).toBe(true);
    expect(error).toMatchObject({ prompt });
    // The inferred outcome is only ever used where the notice could not be seen.
    if (expected === PreModerationError) expect(error).not.toBeInstanceOf(InferredPreModerationError);
  });
});
