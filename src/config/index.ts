import { readFileSync } from 'node:fs';
import { extraHeaderProblems } from '../util/extra-headers.js';
import { parseDotenv } from './dotenv.js';
import { ConfigError } from './errors.js';
import { unknownVariableWarnings } from './known-variables.js';
import { EnvReader, isLoopbackHost } from './reader.js';

export { parseDotenv } from './dotenv.js';
export { ConfigError } from './errors.js';
export { KNOWN_VARIABLES, unknownVariableWarnings } from './known-variables.js';
export { EnvReader, isLoopbackHost } from './reader.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const WATCH_MODES = ['poll', 'gateway'] as const;
export type WatchMode = (typeof WATCH_MODES)[number];

/** Discord's own pacing floor: never less between two calls against the real service. */
export const DISCORD_MIN_REQUEST_SPACING_MS = 350;

export interface DiscordCredentials {
  /** The user token, sent as given in `Authorization`. Never logged. */
  readonly token: string;
  readonly guildId: string;
  readonly channelId: string;
}

export interface Config {
  /** Null when no Discord credentials are configured: the CLI then runs against the simulator. */
  readonly credentials: DiscordCredentials | null;
  readonly apiBaseUrl: string;
  readonly gatewayUrl: string;
  /** MJ_INPAINT_URL: where Vary (Region)'s editor posts the mask. Default Midjourney's. */
  readonly inpaintUrl: string;
  readonly applicationId: string;
  /** MJ_NIJI_APPLICATION_ID: the niji・journey bot, for jobs run with `botType: 'niji'`. */
  readonly nijiApplicationId: string;
  readonly minRequestSpacingMs: number;
  readonly requestTimeoutMs: number;
  /** MJ_USER_AGENT: the REST `User-Agent`; unset means the library's own. */
  readonly userAgent?: string;
  /** MJ_REST_HEADERS: more headers on every REST call (a browser's locale, super-properties, ...). */
  readonly restHeaders?: Readonly<Record<string, string>>;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  /** MJ_CONFIRM_READ_GAP_MS: shortest wait before the read that ends a confirmation window (ms). */
  readonly confirmReadGapMs: number;
  readonly jobTimeoutMs: number;
  /** How long a finished result must stay visible before it counts as success. */
  readonly confirmWindowMs: number;
  /** Polling only: a job with no message in the channel this long is inferred pre-moderated. */
  readonly notSeenTimeoutMs: number;
  /**
   * After an ambiguous `/imagine` failure (never sent again), how much longer than
   * `notSeenTimeoutMs` the job is looked for before it fails as `SUBMISSION_UNCERTAIN`.
   */
  readonly ambiguousGraceMs: number;
  /** After a crash, how long a possibly-submitted job is looked for before it is sent again. */
  readonly resumeGraceMs: number;
  /** At a job's deadline, how long failing channel reads are retried before it ends without its outcome. */
  readonly deadlineReadGraceMs: number;
  readonly concurrentJobs: number;
  readonly watch: WatchMode;
  readonly invalidRequestThreshold: number;
  readonly submitGapMinMs: number;
  readonly submitGapMaxMs: number;
  readonly dailyJobCap: number;
  readonly logLevel: LogLevel;
  /**
   * The local prompt pre-check (MJ_PRECHECK, on when MJ_BANNED_WORDS_FILE is set): refused prompts
   * fail with a typed error before anything is sent. `bannedWords` are the file's, added to the
   * default list. Absent means off.
   */
  readonly precheck?: PrecheckConfig;
}

export interface PrecheckConfig {
  readonly enabled: boolean;
  /** From MJ_BANNED_WORDS_FILE: one word or phrase a line, `#` comments. */
  readonly bannedWords: readonly string[];
  readonly bannedWordsFile: string | null;
}

export const DEFAULT_API_BASE_URL = 'https://discord.com/api/v10';
export const DEFAULT_GATEWAY_URL = 'wss://gateway.discord.gg/?v=10&encoding=json';
export const MIDJOURNEY_APPLICATION_ID = '936929561302675456';
/** Where Vary (Region)'s editor (an activity of the Midjourney app) posts the mask. */
export const DEFAULT_INPAINT_URL = 'https://936929561302675456.discordsays.com/inpaint/api/submit-job';
/** The niji・journey bot's application (and bot user) id. */
export const NIJI_APPLICATION_ID = '1022952195194359889';

export interface LoadConfigOptions {
  /** The environment to read; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A dotenv file whose values fill what `env` leaves unset; `.env` by default, `false` for none. */
  envFile?: string | false;
  /** Refuse a configuration without Discord credentials. */
  requireCredentials?: boolean;
}

/** Reads `.env` (when present) under the real environment, which wins. */
export function readEnvironment(options: LoadConfigOptions = {}): Record<string, string | undefined> {
  const env = { ...(options.env ?? process.env) };
  const file = options.envFile ?? '.env';
  if (file === false) return env;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.envFile === undefined) return env;
    throw new ConfigError([`${file}: cannot read the env file (${(error as Error).message})`]);
  }
  // Our own parser: a malformed line is an error naming its line, never a swallowed variable.
  const parsed = parseDotenv(text, file);
  if (parsed.problems.length > 0) throw new ConfigError(parsed.problems);
  for (const [key, value] of Object.entries(parsed.values)) {
    if (env[key] === undefined) env[key] = value;
  }
  return env;
}

/**
 * Warnings about the environment that are not errors: `MJ_*` / `MJW_*` names nothing reads (typos),
 * with the `.env` line they come from. Never throws: errors are loadConfig's to report.
 */
export function environmentWarnings(options: LoadConfigOptions = {}): string[] {
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  const origins: Record<string, string> = {};
  const file = options.envFile ?? '.env';
  if (file !== false) {
    try {
      const parsed = parseDotenv(readFileSync(file, 'utf8'), file);
      for (const [key, value] of Object.entries(parsed.values)) {
        if (env[key] !== undefined) continue;
        env[key] = value;
        origins[key] = `${file}:${parsed.lines[key]}`;
      }
    } catch {
      // Unreadable: loadConfig says so.
    }
  }
  return unknownVariableWarnings(env, origins);
}

/**
 * Reads, validates and freezes the configuration. Every problem is reported at once in a
 * ConfigError, each line starting with the variable's name.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const r = new EnvReader(readEnvironment(options));

  const token = r.optionalString('DISCORD_TOKEN');
  const guildId = r.snowflake('DISCORD_GUILD_ID');
  const channelId = r.snowflake('DISCORD_CHANNEL_ID');
  const given = [token, r.raw('DISCORD_GUILD_ID'), r.raw('DISCORD_CHANNEL_ID')].filter(
    (v) => v !== undefined,
  );
  if (options.requireCredentials || given.length > 0) {
    if (token === undefined) r.problem('DISCORD_TOKEN: required (the Discord user token)');
    if (r.raw('DISCORD_GUILD_ID') === undefined) r.problem('DISCORD_GUILD_ID: required (the server id)');
    if (r.raw('DISCORD_CHANNEL_ID') === undefined) r.problem('DISCORD_CHANNEL_ID: required (the channel id)');
  }
  if (token !== undefined && /\s/.test(token)) r.problem('DISCORD_TOKEN: must not contain whitespace');

  const apiBase = r.url('DISCORD_API_BASE_URL', DEFAULT_API_BASE_URL, ['https:', 'http:']);
  const gateway = r.url('DISCORD_GATEWAY_URL', DEFAULT_GATEWAY_URL, ['wss:', 'ws:']);
  const loopback = isLoopbackHost(apiBase.hostname);
  const inpaint = r.url('MJ_INPAINT_URL', DEFAULT_INPAINT_URL, ['https:', 'http:']);
  if (inpaint.protocol === 'http:' && !isLoopbackHost(inpaint.hostname)) {
    r.problem('MJ_INPAINT_URL: http is allowed only for a loopback address; use https');
  }

  const minRequestSpacingMs = r.integer('MJ_MIN_REQUEST_SPACING_MS', DISCORD_MIN_REQUEST_SPACING_MS, {
    min: 0,
    max: 60_000,
  });
  if (minRequestSpacingMs < DISCORD_MIN_REQUEST_SPACING_MS && !loopback) {
    r.problem(
      `MJ_MIN_REQUEST_SPACING_MS: ${minRequestSpacingMs} is under Discord's ${DISCORD_MIN_REQUEST_SPACING_MS} ms floor; allowed only when DISCORD_API_BASE_URL is a loopback address`,
    );
  }
  const pollMinMs = r.integer('MJ_POLL_MIN_MS', 3_000, { min: 1, max: 600_000 });
  const pollMaxMs = r.integer('MJ_POLL_MAX_MS', 5_000, { min: 1, max: 600_000 });
  if (pollMinMs > pollMaxMs)
    r.problem(`MJ_POLL_MIN_MS: ${pollMinMs} is greater than MJ_POLL_MAX_MS ${pollMaxMs}`);
  if (pollMinMs < 1_000 && !loopback) {
    r.problem(
      'MJ_POLL_MIN_MS: under 1000 ms is allowed only when DISCORD_API_BASE_URL is a loopback address',
    );
  }
  const confirmReadGapMs = r.integer('MJ_CONFIRM_READ_GAP_MS', 2_000, { min: 0, max: 600_000 });
  if (confirmReadGapMs < 1_000 && !loopback) {
    r.problem(
      'MJ_CONFIRM_READ_GAP_MS: under 1000 ms is allowed only when DISCORD_API_BASE_URL is a loopback address',
    );
  }
  const submitGapMinMs = r.integer('MJ_SUBMIT_GAP_MIN_MS', 0, { min: 0, max: 86_400_000 });
  const submitGapMaxMs = r.integer('MJ_SUBMIT_GAP_MAX_MS', submitGapMinMs, { min: 0, max: 86_400_000 });
  if (submitGapMinMs > submitGapMaxMs) {
    r.problem(
      `MJ_SUBMIT_GAP_MIN_MS: ${submitGapMinMs} is greater than MJ_SUBMIT_GAP_MAX_MS ${submitGapMaxMs}`,
    );
  }

  const precheck = readPrecheck(r);
  const config: Config = {
    credentials:
      token !== undefined && guildId !== undefined && channelId !== undefined
        ? { token, guildId, channelId }
        : null,
    apiBaseUrl: apiBase.toString().replace(/\/+$/, ''),
    gatewayUrl: gateway.toString(),
    inpaintUrl: inpaint.toString(),
    applicationId: r.snowflake('MJ_APPLICATION_ID', MIDJOURNEY_APPLICATION_ID),
    nijiApplicationId: r.snowflake('MJ_NIJI_APPLICATION_ID', NIJI_APPLICATION_ID),
    minRequestSpacingMs,
    requestTimeoutMs: r.integer('MJ_REQUEST_TIMEOUT_MS', 15_000, { min: 100, max: 600_000 }),
    ...readRestIdentity(r),
    pollMinMs,
    pollMaxMs,
    confirmReadGapMs,
    jobTimeoutMs: r.integer('MJ_JOB_TIMEOUT_MS', 600_000, { min: 1_000, max: 86_400_000 }),
    confirmWindowMs: r.integer('MJ_CONFIRM_WINDOW_MS', 3_000, { min: 0, max: 600_000 }),
    notSeenTimeoutMs: r.integer('MJ_NOT_SEEN_TIMEOUT_MS', 60_000, { min: 100, max: 3_600_000 }),
    ambiguousGraceMs: r.integer('MJ_AMBIGUOUS_GRACE_MS', 30_000, { min: 100, max: 3_600_000 }),
    resumeGraceMs: r.integer('MJ_RESUME_GRACE_MS', 60_000, { min: 100, max: 3_600_000 }),
    deadlineReadGraceMs: r.integer('MJ_DEADLINE_READ_GRACE_MS', 30_000, { min: 0, max: 3_600_000 }),
    concurrentJobs: r.integer('MJ_CONCURRENT_JOBS', 3, { min: 1, max: 24 }),
    watch: r.oneOf('MJ_WATCH', WATCH_MODES, 'poll'),
    invalidRequestThreshold: r.integer('MJ_INVALID_REQUEST_THRESHOLD', 1_000, { min: 1, max: 9_999 }),
    submitGapMinMs,
    submitGapMaxMs,
    dailyJobCap: r.integer('MJ_DAILY_JOB_CAP', 0, { min: 0, max: 100_000 }),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    precheck,
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  if (config.credentials) Object.freeze(config.credentials);
  return Object.freeze(config);
}

/** MJ_USER_AGENT and MJ_REST_HEADERS (a JSON object of header names to values). */
function readRestIdentity(r: EnvReader): Pick<Config, 'userAgent' | 'restHeaders'> {
  const userAgent = r.optionalString('MJ_USER_AGENT');
  if (userAgent !== undefined && /[\r\n\0]/.test(userAgent)) {
    r.problem('MJ_USER_AGENT: must not hold a line break or NUL');
  }
  const raw = r.optionalString('MJ_REST_HEADERS');
  let headers: Record<string, string> | undefined;
  if (raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(raw);
      const problems = extraHeaderProblems(parsed, 'MJ_REST_HEADERS');
      for (const problem of problems) r.problem(problem);
      if (problems.length === 0) headers = Object.freeze({ ...(parsed as Record<string, string>) });
    } catch {
      r.problem('MJ_REST_HEADERS: expected a JSON object, e.g. {"X-Discord-Locale":"en-US"}');
    }
  }
  return {
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(headers === undefined ? {} : { restHeaders: headers }),
  };
}

function readPrecheck(r: EnvReader): PrecheckConfig {
  const file = r.optionalString('MJ_BANNED_WORDS_FILE') ?? null;
  const mode = r.oneOf('MJ_PRECHECK', ['on', 'off'] as const, file === null ? 'off' : 'on');
  let bannedWords: string[] = [];
  if (file !== null) {
    try {
      bannedWords = readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
    } catch (error) {
      r.problem(`MJ_BANNED_WORDS_FILE: cannot read ${file} (${(error as Error).message})`);
    }
  }
  return Object.freeze({
    enabled: mode === 'on',
    bannedWords: Object.freeze(bannedWords),
    bannedWordsFile: file,
  });
}

/** The configuration as safe to print: the token replaced. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    credentials: config.credentials && { ...config.credentials, token: '[REDACTED]' },
  };
}
