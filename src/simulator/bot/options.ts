/**
 * Options of the simulated Midjourney bot, their defaults and their validation. Durations are
 * simulated milliseconds: the world clock divides them by its time scale.
 */
import { WorkerError } from '../../errors.js';
import type { Random } from '../../util/clock.js';
import type { EvidenceOptions } from './evidence.js';
import type { AccountState, BotMode, JobOutcome, SimBotType } from './types.js';

export interface MidjourneyBotFaults {
  /** The bot acknowledges every job but never posts anything for it (the job hangs). Default false. */
  neverAnswer: boolean;
  /**
   * The bot is offline: it does not even acknowledge interactions, so Discord sends
   * INTERACTION_FAILURE after its 3 s deadline (SimWorld.failInteraction). No job is recorded. Default false.
   */
  botDown: boolean;
  /** Progress edits arrive out of order and the progress message is deleted before the result is posted. Default false. */
  outOfOrder: boolean;
  /** The result is posted without any waiting or progress message before it. Default false. */
  skipProgress: boolean;
}

export interface MidjourneyBotOptions {
  /** Which bot this is; its job records say so. Default 'midjourney'. */
  botType: SimBotType;
  /** The bot's application id (Midjourney's). Default '936929561302675456'. */
  applicationId: string;
  /** The bot user's id (Midjourney's bot user shares the application id). Default '936929561302675456'. */
  botUserId: string;
  /** Concurrent jobs in fast/turbo mode. Default 3 (Basic/Standard plans). */
  fastSlots: number;
  /** Concurrent jobs in relaxed mode. Default 3. */
  relaxedSlots: number;
  /** Jobs waiting beyond the running ones before "Queue full". Default 10. */
  queueSize: number;
  /** The generation mode printed in content and used for slots/durations. Default 'fast'. */
  mode: BotMode;
  /** Appends `, stealth` to the mode in content (`(fast, stealth)`). Default false. */
  stealth: boolean;
  /** Account state deciding whether jobs are accepted. Default 'active'. */
  accountState: AccountState;
  /** Delay between the interaction and the bot's first message. Default 1_500. */
  answerDelayMs: number;
  /** How long the "Waiting to start" message stays before the first progress edit. Default 3_000. */
  waitingMs: number;
  /** Time from the first progress edit to the result in fast mode (real: ~30–60 s). Default 40_000. */
  jobDurationMs: number;
  /** Relaxed jobs take this many times longer. Default 3. */
  relaxedFactor: number;
  /** Turbo jobs take this fraction of the fast duration. Default 0.5. */
  turboFactor: number;
  /** Time for an upscale (a single image, no progress). Default 4_000. */
  upscaleDurationMs: number;
  /** Progress percentages shown, in order, spread evenly over the job duration. Default [0, 15, 31, 46, 62, 78, 93]. */
  progressSteps: readonly number[];
  /** Words that trigger pre-moderation ("Banned prompt detected"), matched as whole words, case-insensitive. */
  bannedWords: readonly string[];
  /** ephemeral-moderation: delay before the finished message is deleted. Default 2_000. */
  ephemeralDeleteMs: number;
  /** Grid side in pixels (a 2x2 of quadrants; must be even). Default 256. */
  gridSize: number;
  /** Appended to every echoed prompt, like the parameters Midjourney adds from /settings (e.g. ' --v 6.1'). Default ''. */
  echoSuffix: string;
  /** Leaves default-valued parameters (`--q 1`, `--s 100`...) and mode switches (`--fast`) out of the echo. Default false. */
  dropDefaultParameters: boolean;
  /** Posts every notice in the channel instead of ephemerally, so REST-only demos see them. Default false. */
  publicNotices: boolean;
  /**
   * Remix mode for every user (`/prefer remix` toggles it per user): Vary and Reroll answer with a
   * modal holding the prompt to edit. Default false.
   */
  remix: boolean;
  /** Seed of the deterministic random source used for probabilities and colours. Default 1. */
  seed: number;
  /** Overrides the seeded random source. Default undefined (seeded from `seed`). */
  random: Random | undefined;
  /** Demo mode: probability per outcome for jobs no rule decided (e.g. `{ 'post-moderation': 0.05 }`). Default {}. */
  probabilities: Partial<Record<JobOutcome, number>>;
  /**
   * Which evidence of its job each message carries (footer, interaction objects, nonce on later
   * messages, reply reference): fixed fields, and `seed` to draw the others per message. Default {}:
   * every message as ever (footer, both interaction objects, nonce on the first reply, replies).
   */
  evidence: EvidenceOptions;
  faults: MidjourneyBotFaults;
}

export const DEFAULT_MIDJOURNEY_BOT_OPTIONS: Readonly<MidjourneyBotOptions> = Object.freeze({
  botType: 'midjourney',
  applicationId: '936929561302675456',
  botUserId: '936929561302675456',
  fastSlots: 3,
  relaxedSlots: 3,
  queueSize: 10,
  mode: 'fast',
  stealth: false,
  accountState: 'active',
  answerDelayMs: 1_500,
  waitingMs: 3_000,
  jobDurationMs: 40_000,
  relaxedFactor: 3,
  turboFactor: 0.5,
  upscaleDurationMs: 4_000,
  progressSteps: Object.freeze([0, 15, 31, 46, 62, 78, 93]),
  bannedWords: Object.freeze(['gore', 'nsfw', 'nude', 'naked', 'bloody', 'torture', 'xxx']),
  ephemeralDeleteMs: 2_000,
  gridSize: 256,
  echoSuffix: '',
  dropDefaultParameters: false,
  publicNotices: false,
  remix: false,
  seed: 1,
  random: undefined,
  probabilities: Object.freeze({}),
  evidence: Object.freeze({}),
  faults: Object.freeze({ neverAnswer: false, botDown: false, outOfOrder: false, skipProgress: false }),
});

/** What callers pass: any subset of the options, and any subset of the faults. */
export type MidjourneyBotInput = Omit<Partial<MidjourneyBotOptions>, 'faults'> & {
  faults?: Partial<MidjourneyBotFaults>;
};

/** A bot option outside its accepted range. */
export class BotOptionsError extends WorkerError {
  override readonly name = 'BotOptionsError';
  readonly code = 'SIM_BOT_INVALID_OPTION';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`Invalid Midjourney bot option ${option}: ${message}`);
  }
}

/** Merges a partial over the defaults and validates the result. */
export function resolveBotOptions(partial: MidjourneyBotInput = {}): MidjourneyBotOptions {
  const options: MidjourneyBotOptions = {
    ...DEFAULT_MIDJOURNEY_BOT_OPTIONS,
    ...partial,
    faults: { ...DEFAULT_MIDJOURNEY_BOT_OPTIONS.faults, ...partial.faults },
  };
  const integer = (name: keyof MidjourneyBotOptions, min: number): void => {
    const value = options[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new BotOptionsError(name, `expected an integer >= ${min}, got ${String(value)}`);
    }
  };
  integer('fastSlots', 1);
  integer('relaxedSlots', 1);
  integer('queueSize', 0);
  for (const name of [
    'answerDelayMs',
    'waitingMs',
    'jobDurationMs',
    'upscaleDurationMs',
    'ephemeralDeleteMs',
  ] as const) {
    integer(name, 0);
  }
  for (const name of ['relaxedFactor', 'turboFactor'] as const) {
    if (!(options[name] > 0))
      throw new BotOptionsError(name, `expected a positive number, got ${options[name]}`);
  }
  if (
    !Number.isInteger(options.gridSize) ||
    options.gridSize < 2 ||
    options.gridSize % 2 !== 0 ||
    options.gridSize > 2048
  ) {
    throw new BotOptionsError('gridSize', `expected an even integer in 2..2048, got ${options.gridSize}`);
  }
  const steps = options.progressSteps;
  if (
    steps.length === 0 ||
    steps.some((s, i) => !(s >= 0 && s < 100) || (i > 0 && s <= (steps[i - 1] ?? -1)))
  ) {
    throw new BotOptionsError(
      'progressSteps',
      'expected a non-empty increasing list of percentages in 0..99',
    );
  }
  if (!/^\d{17,20}$/.test(options.applicationId)) {
    throw new BotOptionsError(
      'applicationId',
      `expected a snowflake, got ${JSON.stringify(options.applicationId)}`,
    );
  }
  if (!/^\d{17,20}$/.test(options.botUserId)) {
    throw new BotOptionsError('botUserId', `expected a snowflake, got ${JSON.stringify(options.botUserId)}`);
  }
  if (options.botType !== 'midjourney' && options.botType !== 'niji') {
    throw new BotOptionsError(
      'botType',
      `expected midjourney or niji, got ${JSON.stringify(options.botType)}`,
    );
  }
  if (typeof options.remix !== 'boolean') {
    throw new BotOptionsError('remix', `expected true or false, got ${JSON.stringify(options.remix)}`);
  }
  const seed = options.evidence.seed;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
    throw new BotOptionsError('evidence.seed', `expected an integer in 0..2^32-1, got ${String(seed)}`);
  }
  if (
    options.evidence.interaction !== undefined &&
    !['metadata', 'legacy', 'both'].includes(options.evidence.interaction)
  ) {
    throw new BotOptionsError('evidence.interaction', 'expected metadata, legacy or both');
  }
  for (const [outcome, p] of Object.entries(options.probabilities)) {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new BotOptionsError('probabilities', `${outcome} must be in 0..1, got ${String(p)}`);
    }
  }
  return options;
}
