/**
 * The Discord accounts jobs run on. `MJ_ACCOUNTS_FILE` names a JSON array of accounts; without it
 * the one account `default` comes from DISCORD_TOKEN / DISCORD_GUILD_ID / DISCORD_CHANNEL_ID, as
 * before. Every problem of the file is reported at once in a ConfigError, each line naming the
 * account (its `id`, else its position) and the field; a token is never echoed.
 *
 *   [{ "id": "a1", "token": "...", "guildId": "...", "channelId": "...", "slots": 3,
 *      "mode": "fast", "dailyJobCap": 0, "enabled": true, "onCreditsExhausted": "relax",
 *      "userAgent": "Mozilla/5.0 ...", "headers": { "X-Discord-Locale": "en-US" } }]
 */
import { readFileSync } from 'node:fs';
import { extraHeaderProblems } from '../util/extra-headers.js';
import { isSnowflake } from '../util/snowflake.js';
import { ConfigError } from './errors.js';
import type { Config } from './index.js';

export const ACCOUNT_MODES = ['fast', 'relax', 'turbo'] as const;
export type AccountMode = (typeof ACCOUNT_MODES)[number];

export const CREDITS_EXHAUSTED_POLICIES = ['disable', 'relax'] as const;
/** What an account does when its fast hours run out: stop, or run relax-tolerant jobs in relax mode. */
export type CreditsExhaustedPolicy = (typeof CREDITS_EXHAUSTED_POLICIES)[number];

/** The account `default`, built from the DISCORD_* variables when no accounts file is given. */
export const DEFAULT_ACCOUNT_ID = 'default';

export interface AccountConfig {
  /** A short name for logs, metrics and the API (letters, digits, `.`, `_`, `-`; 1–32). */
  readonly id: string;
  /** The user token. Never logged, never returned by the API. */
  readonly token: string;
  readonly guildId: string;
  readonly channelId: string;
  /** Jobs the account runs at once. Default: MJ_CONCURRENT_JOBS (3). */
  readonly slots: number;
  /** The speed the account is set to in Midjourney. Default `fast`. */
  readonly mode: AccountMode;
  /** Submissions in any rolling 24 h; 0 = unlimited. Default: MJ_DAILY_JOB_CAP (0). */
  readonly dailyJobCap: number;
  /** False keeps the account out of routing until it is enabled. Default true. */
  readonly enabled: boolean;
  /** Default: MJ_SUBMIT_GAP_MIN_MS (0). */
  readonly submitGapMinMs: number;
  /** Default: MJ_SUBMIT_GAP_MAX_MS (the min). */
  readonly submitGapMaxMs: number;
  /** Default `disable`. */
  readonly onCreditsExhausted: CreditsExhaustedPolicy;
  /** The REST `User-Agent` of this account. Default: MJ_USER_AGENT, else the library's own. */
  readonly userAgent?: string;
  /** More REST headers of this account (its browser's locale, super-properties). Default: MJ_REST_HEADERS. */
  readonly headers?: Readonly<Record<string, string>>;
}

const FIELDS = new Set([
  'id',
  'token',
  'guildId',
  'channelId',
  'slots',
  'mode',
  'dailyJobCap',
  'enabled',
  'submitGapMinMs',
  'submitGapMaxMs',
  'onCreditsExhausted',
  'userAgent',
  'headers',
]);
const ID = /^[\w.-]{1,32}$/;
const DAY_MS = 86_400_000;

/**
 * The accounts of a loaded configuration: the file named by `MJ_ACCOUNTS_FILE`, else `default`
 * from the DISCORD_* credentials, else none (the CLI then runs against the simulator).
 */
export interface AccountsConfig {
  /** The accounts file, or null when the accounts come from DISCORD_* (or there are none). */
  readonly file: string | null;
  readonly accounts: readonly AccountConfig[];
}

export function loadAccountsConfig(
  env: Readonly<Record<string, string | undefined>>,
  config: Config,
): AccountsConfig {
  const file = env.MJ_ACCOUNTS_FILE?.trim();
  if (file === undefined || file === '') {
    const accounts = config.credentials
      ? [Object.freeze({ ...defaultsFrom(config), id: DEFAULT_ACCOUNT_ID, ...config.credentials })]
      : [];
    return Object.freeze({ file: null, accounts: Object.freeze(accounts) });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`MJ_ACCOUNTS_FILE: cannot read ${file} (${(error as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`MJ_ACCOUNTS_FILE: ${file} is not valid JSON (${(error as Error).message})`]);
  }
  return Object.freeze({ file, accounts: parseAccounts(json, config, `MJ_ACCOUNTS_FILE ${file}`) });
}

/** Validates an accounts array (the file's content); `source` starts every problem line. */
export function parseAccounts(json: unknown, config: Config, source = 'accounts'): readonly AccountConfig[] {
  if (!Array.isArray(json) || json.length === 0) {
    throw new ConfigError([`${source}: expected a non-empty JSON array of accounts`]);
  }
  const problems: string[] = [];
  const accounts: AccountConfig[] = [];
  const ids = new Map<string, number>();
  const tokens = new Map<string, string>();
  json.forEach((entry: unknown, index) => {
    const label = accountLabel(entry, index);
    const problem = (field: string, message: string): void => {
      problems.push(`${source}: account ${label}: ${field}: ${message}`);
    };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${source}: account ${label}: expected an object`);
      return;
    }
    const raw = entry as Record<string, unknown>;
    const account = parseAccount(raw, defaultsFrom(config), problem);
    const { id, token } = raw;
    if (typeof id === 'string') {
      const sameId = ids.get(id);
      if (sameId !== undefined) problem('id', `"${id}" is also account #${sameId + 1}`);
      else ids.set(id, index);
    }
    if (typeof token === 'string' && token !== '') {
      const sameToken = tokens.get(token);
      // Never echo the token: name the account that holds it already.
      if (sameToken !== undefined) problem('token', `the same token as account ${sameToken}`);
      else tokens.set(token, label);
    }
    if (account !== undefined) accounts.push(Object.freeze(account));
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(accounts);
}

/** The accounts as safe to print: tokens replaced. */
export function describeAccounts(accounts: readonly AccountConfig[]): Record<string, unknown>[] {
  return accounts.map((a) => ({ ...a, token: '[REDACTED]' }));
}

type Defaults = Omit<AccountConfig, 'id' | 'token' | 'guildId' | 'channelId'>;

function defaultsFrom(config: Config): Defaults {
  return {
    slots: config.concurrentJobs,
    mode: 'fast',
    dailyJobCap: config.dailyJobCap,
    enabled: true,
    submitGapMinMs: config.submitGapMinMs,
    submitGapMaxMs: config.submitGapMaxMs,
    onCreditsExhausted: 'disable',
  };
}

function accountLabel(entry: unknown, index: number): string {
  const id = (entry as { id?: unknown } | null)?.id;
  return typeof id === 'string' && ID.test(id) ? `"${id}" (#${index + 1})` : `#${index + 1}`;
}

function parseAccount(
  raw: Record<string, unknown>,
  defaults: Defaults,
  problem: (field: string, message: string) => void,
): AccountConfig | undefined {
  const before = { count: 0 };
  const report = (field: string, message: string): void => {
    before.count += 1;
    problem(field, message);
  };
  for (const key of Object.keys(raw)) {
    if (!FIELDS.has(key)) report(key, `unknown field (expected ${[...FIELDS].join(', ')})`);
  }
  const id = raw.id;
  if (typeof id !== 'string' || !ID.test(id)) {
    report('id', `expected 1-32 letters, digits, ".", "_" or "-", got ${JSON.stringify(id)}`);
  }
  const token = raw.token;
  if (typeof token !== 'string' || token.trim() === '') report('token', 'required (the Discord user token)');
  else if (/\s/.test(token)) report('token', 'must not contain whitespace');
  for (const field of ['guildId', 'channelId'] as const) {
    const value = raw[field];
    if (typeof value !== 'string' || !isSnowflake(value)) {
      report(field, `expected a Discord snowflake (17-20 digits), got ${JSON.stringify(value)}`);
    }
  }
  const integer = (field: keyof Defaults & string, fallback: number, min: number, max: number): number => {
    const value = raw[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      report(field, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(field: keyof Defaults & string, allowed: readonly T[], fallback: T): T => {
    const value = raw[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      report(field, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value as T;
  };
  const slots = integer('slots', defaults.slots, 1, 24);
  const dailyJobCap = integer('dailyJobCap', defaults.dailyJobCap, 0, 100_000);
  const submitGapMinMs = integer('submitGapMinMs', defaults.submitGapMinMs, 0, DAY_MS);
  const submitGapMaxMs = integer(
    'submitGapMaxMs',
    raw.submitGapMinMs === undefined ? defaults.submitGapMaxMs : submitGapMinMs,
    0,
    DAY_MS,
  );
  if (submitGapMinMs > submitGapMaxMs) {
    report('submitGapMinMs', `${submitGapMinMs} is greater than submitGapMaxMs ${submitGapMaxMs}`);
  }
  const mode = oneOf('mode', ACCOUNT_MODES, defaults.mode);
  const onCreditsExhausted = oneOf(
    'onCreditsExhausted',
    CREDITS_EXHAUSTED_POLICIES,
    defaults.onCreditsExhausted,
  );
  let enabled = defaults.enabled;
  if (raw.enabled !== undefined) {
    if (typeof raw.enabled === 'boolean') enabled = raw.enabled;
    else report('enabled', `expected true or false, got ${JSON.stringify(raw.enabled)}`);
  }
  if (
    raw.userAgent !== undefined &&
    (typeof raw.userAgent !== 'string' || !/^[^\r\n\0]+$/.test(raw.userAgent))
  ) {
    report('userAgent', 'expected a non-empty string without line breaks');
  }
  if (raw.headers !== undefined) {
    for (const message of extraHeaderProblems(raw.headers, 'headers'))
      report('headers', message.replace(/^headers: /, ''));
  }
  if (before.count > 0) return undefined;
  return {
    ...(raw.userAgent === undefined ? {} : { userAgent: raw.userAgent as string }),
    ...(raw.headers === undefined
      ? {}
      : { headers: Object.freeze({ ...(raw.headers as Record<string, string>) }) }),
    id: id as string,
    token: token as string,
    guildId: raw.guildId as string,
    channelId: raw.channelId as string,
    slots,
    mode,
    dailyJobCap,
    enabled,
    submitGapMinMs,
    submitGapMaxMs,
    onCreditsExhausted,
  };
}
