/**
 * The orchestrator's settings: every field documented with its default, one defaults object,
 * validation that names the option and its accepted range. Config (src/config) supplies the
 * account-level values; the rest are tuning knobs with safe defaults.
 */
import type { Config, WatchMode } from '../config/index.js';
import { MIDJOURNEY_APPLICATION_ID, NIJI_APPLICATION_ID } from '../config/index.js';
import type { Snowflake } from '../discord/types.js';
import { DEFAULT_BANNED_WORDS } from '../midjourney/constants.js';
import type { PrecheckOptions } from '../midjourney/precheck.js';
import { isSnowflake } from '../util/snowflake.js';
import { GenerationOptionsError } from './errors.js';

export interface GenerationSettings {
  /** The channel jobs are sent to and watched in. Required. */
  channelId: Snowflake;
  /** The guild of the channel (omit for a DM channel). */
  guildId: Snowflake | undefined;
  /** The bot whose `/imagine` is used and whose messages count. Default Midjourney's `936929561302675456`. */
  applicationId: Snowflake;
  /**
   * The niji・journey bot: jobs run with `botType: 'niji'` use its `/imagine` and only its messages
   * count for them. Default `1022952195194359889`.
   */
  nijiApplicationId: Snowflake;
  /** How jobs are watched: `poll` (REST) or `gateway` (real time, polling as fallback). Default `poll`. */
  watch: WatchMode;
  /** Shortest wait between two polls of a channel (ms). Default 3_000. */
  pollMinMs: number;
  /** Longest wait between two polls (ms); each wait is uniform in [min, max]. Default 5_000. */
  pollMaxMs: number;
  /**
   * Polling: shortest wait between a poll and the read brought forward when a result's
   * confirmation window ends (ms); at most `pollMinMs`. Default 2_000: with the default window
   * (3 s) a result is reported at most 5 s after it was posted, the poll interval's upper bound,
   * instead of up to `pollMinMs` after a poll that saw it late in its window (up to 6 s).
   */
  confirmReadGapMs: number;
  /** Hard deadline of a job from its submission (ms). Default 600_000 (10 min). */
  jobTimeoutMs: number;
  /** After "Job queued", the deadline becomes at least this far away (ms). Default: `jobTimeoutMs`. */
  queuedTimeoutMs: number;
  /** Jobs in flight at once; more wait in a local queue. Default 3 (Basic/Standard plans). */
  concurrentJobs: number;
  /** Minimum gap between two submissions (ms); 0 = none beyond the 350 ms request floor. Default 0. */
  submitGapMinMs: number;
  /** Maximum gap (ms); the gap is uniform in [min, max]. Default: `submitGapMinMs`. */
  submitGapMaxMs: number;
  /** Submissions allowed in any rolling 24 h; 0 = unlimited. Default 0. */
  dailyJobCap: number;
  /**
   * After an account-fatal notice (blocked, subscription, ToS, pending mod message, human check)
   * refuse every later submission at once. Default true: such an account needs a person, and
   * submitting more only adds risk.
   */
  haltOnAccountNotice: boolean;
  /**
   * How long a finished result must stay visible before success is reported, and how long a
   * deleted progress message waits for its result before it counts as post-moderation (ms).
   * Midjourney's ephemeral moderation deletes results within seconds. Default 3_000.
   */
  confirmWindowMs: number;
  /**
   * Polling only (ephemeral notices invisible): a job with no message at all after this long is
   * rejected with an inferred PreModerationError (ms); 0 disables. Default 60_000.
   */
  notSeenTimeoutMs: number;
  /**
   * After an ambiguous send failure (never sent again, send-rule.ts), how much longer than
   * `notSeenTimeoutMs` the job is looked for before it rejects with `SubmissionUncertainError`
   * (ms): Discord may act on a held request late. Default 30_000.
   */
  ambiguousGraceMs: number;
  /**
   * `resume()`: how long a job's messages may still appear; only complete, successful reads that
   * start after this window may call it not found (restart-rule.ts) (ms). Default 60_000.
   */
  resumeGraceMs: number;
  /**
   * At a job's deadline, how long failing reads of the channel are tried again before the job ends
   * without its outcome (ms): a read that failed is no evidence that nothing came, and the result
   * may be there. Real time (the REST client's own retries), not Midjourney's. Default 30_000.
   */
  deadlineReadGraceMs: number;
  /** Gateway: how long a result fitting several same-prompt jobs waits for the deciding deletion (ms). Default 1_500. */
  deferMs: number;
  /** Messages per poll request (Discord allows 1–100). Default 100. */
  pageLimit: number;
  /** Requests one poll may make when more than a page arrived (busy channels). Default 3. */
  maxPagesPerPoll: number;
  /** Local prompt pre-check before spending a call (see src/midjourney/precheck.ts); false = off. Default false. */
  precheck: PrecheckOptions | false;
}

export const DEFAULT_GENERATION_SETTINGS: Readonly<
  Omit<GenerationSettings, 'channelId' | 'guildId' | 'queuedTimeoutMs' | 'submitGapMaxMs'>
> = Object.freeze({
  applicationId: MIDJOURNEY_APPLICATION_ID,
  nijiApplicationId: NIJI_APPLICATION_ID,
  watch: 'poll',
  pollMinMs: 3_000,
  pollMaxMs: 5_000,
  confirmReadGapMs: 2_000,
  jobTimeoutMs: 600_000,
  concurrentJobs: 3,
  submitGapMinMs: 0,
  dailyJobCap: 0,
  haltOnAccountNotice: true,
  confirmWindowMs: 3_000,
  notSeenTimeoutMs: 60_000,
  ambiguousGraceMs: 30_000,
  resumeGraceMs: 60_000,
  deadlineReadGraceMs: 30_000,
  deferMs: 1_500,
  pageLimit: 100,
  maxPagesPerPoll: 3,
  precheck: false,
});

/** The settings a Config implies (account, pacing, watch mode); `undefined` where it has none. */
export function settingsFromConfig(config: Config): Partial<GenerationSettings> {
  return {
    ...(config.credentials
      ? { channelId: config.credentials.channelId, guildId: config.credentials.guildId }
      : {}),
    applicationId: config.applicationId,
    nijiApplicationId: config.nijiApplicationId,
    watch: config.watch,
    ...(config.precheck?.enabled
      ? { precheck: { bannedWords: [...DEFAULT_BANNED_WORDS, ...config.precheck.bannedWords] } }
      : {}),
    pollMinMs: config.pollMinMs,
    pollMaxMs: config.pollMaxMs,
    confirmReadGapMs: config.confirmReadGapMs,
    jobTimeoutMs: config.jobTimeoutMs,
    concurrentJobs: config.concurrentJobs,
    submitGapMinMs: config.submitGapMinMs,
    submitGapMaxMs: config.submitGapMaxMs,
    dailyJobCap: config.dailyJobCap,
    confirmWindowMs: config.confirmWindowMs,
    notSeenTimeoutMs: config.notSeenTimeoutMs,
    ambiguousGraceMs: config.ambiguousGraceMs,
    resumeGraceMs: config.resumeGraceMs,
    deadlineReadGraceMs: config.deadlineReadGraceMs,
  };
}

function integer(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GenerationOptionsError(name, `expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Merges over the defaults and validates; the first bad option throws, named with its range. */
export function resolveGenerationSettings(partial: Partial<GenerationSettings>): GenerationSettings {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const d = DEFAULT_GENERATION_SETTINGS;
  const s: GenerationSettings = {
    ...d,
    guildId: undefined,
    channelId: '',
    ...defined,
    queuedTimeoutMs: partial.queuedTimeoutMs ?? partial.jobTimeoutMs ?? d.jobTimeoutMs,
    submitGapMaxMs: partial.submitGapMaxMs ?? partial.submitGapMinMs ?? d.submitGapMinMs,
  } as GenerationSettings;
  if (typeof s.channelId !== 'string' || !isSnowflake(s.channelId)) {
    throw new GenerationOptionsError(
      'channelId',
      `expected a channel snowflake, got ${JSON.stringify(s.channelId)}`,
    );
  }
  if (s.guildId !== undefined && !isSnowflake(s.guildId)) {
    throw new GenerationOptionsError('guildId', `expected a snowflake, got ${JSON.stringify(s.guildId)}`);
  }
  if (!isSnowflake(s.applicationId)) {
    throw new GenerationOptionsError(
      'applicationId',
      `expected a snowflake, got ${JSON.stringify(s.applicationId)}`,
    );
  }
  if (!isSnowflake(s.nijiApplicationId) || s.nijiApplicationId === s.applicationId) {
    throw new GenerationOptionsError(
      'nijiApplicationId',
      `expected a snowflake other than applicationId, got ${JSON.stringify(s.nijiApplicationId)}`,
    );
  }
  if (s.watch !== 'poll' && s.watch !== 'gateway') {
    throw new GenerationOptionsError('watch', `expected 'poll' or 'gateway', got ${JSON.stringify(s.watch)}`);
  }
  const DAY = 86_400_000;
  integer('pollMinMs', s.pollMinMs, 1, 600_000);
  integer('pollMaxMs', s.pollMaxMs, s.pollMinMs, 600_000);
  integer('confirmReadGapMs', s.confirmReadGapMs, 0, 600_000);
  integer('jobTimeoutMs', s.jobTimeoutMs, 1, DAY);
  integer('queuedTimeoutMs', s.queuedTimeoutMs, 0, DAY);
  integer('concurrentJobs', s.concurrentJobs, 1, 100);
  integer('submitGapMinMs', s.submitGapMinMs, 0, DAY);
  integer('submitGapMaxMs', s.submitGapMaxMs, s.submitGapMinMs, DAY);
  integer('dailyJobCap', s.dailyJobCap, 0, 1_000_000);
  integer('confirmWindowMs', s.confirmWindowMs, 0, 600_000);
  integer('notSeenTimeoutMs', s.notSeenTimeoutMs, 0, DAY);
  integer('ambiguousGraceMs', s.ambiguousGraceMs, 0, 600_000);
  integer('resumeGraceMs', s.resumeGraceMs, 0, DAY);
  integer('deadlineReadGraceMs', s.deadlineReadGraceMs, 0, DAY);
  integer('deferMs', s.deferMs, 0, 60_000);
  integer('pageLimit', s.pageLimit, 1, 100);
  integer('maxPagesPerPoll', s.maxPagesPerPoll, 1, 100);
  if (typeof s.haltOnAccountNotice !== 'boolean') {
    throw new GenerationOptionsError(
      'haltOnAccountNotice',
      `expected a boolean, got ${String(s.haltOnAccountNotice)}`,
    );
  }
  return Object.freeze(s);
}

const SETTING_KEYS: readonly (keyof GenerationSettings)[] = [
  'channelId',
  'guildId',
  'applicationId',
  'nijiApplicationId',
  'watch',
  'pollMinMs',
  'pollMaxMs',
  'confirmReadGapMs',
  'jobTimeoutMs',
  'queuedTimeoutMs',
  'concurrentJobs',
  'submitGapMinMs',
  'submitGapMaxMs',
  'dailyJobCap',
  'haltOnAccountNotice',
  'confirmWindowMs',
  'notSeenTimeoutMs',
  'ambiguousGraceMs',
  'resumeGraceMs',
  'deadlineReadGraceMs',
  'deferMs',
  'pageLimit',
  'maxPagesPerPoll',
  'precheck',
];

/** The settings fields of a larger options object, leaving out those it does not set. */
export function pickSettings(options: Partial<GenerationSettings>): Partial<GenerationSettings> {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (options[key] !== undefined) out[key] = options[key];
  return out as Partial<GenerationSettings>;
}
