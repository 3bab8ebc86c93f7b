/**
 * Configuration of `mjw serve` (the HTTP service): every `MJW_*` variable, validated at once,
 * typed and frozen. Discord settings stay in `loadConfig` (src/config/index.ts).
 */
import { readClusterSettings } from './cluster.js';
import { ConfigError } from './errors.js';
import { EnvReader, isLoopbackHost } from './reader.js';

export interface ApiKey {
  /** A label for logs, metrics and job ownership (never the key itself). */
  readonly name: string;
  readonly key: string;
}

export interface TokenBucketConfig {
  /** Requests allowed per window (the continuous refill rate is requests / windowMs). */
  readonly requests: number;
  readonly windowMs: number;
  /** Bucket capacity: how many requests may arrive at once after a quiet period. */
  readonly burst: number;
}

export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  /** SQLite file of the job store; `:memory:` keeps nothing across restarts. */
  readonly dbPath: string;
  readonly apiKeys: readonly ApiKey[];
  /** True only when no key is configured and the service listens on loopback. */
  readonly authDisabled: boolean;
  readonly bodyLimitBytes: number;
  /** Every call of one API key. */
  readonly rateLimit: TokenBucketConfig;
  /** Submissions (imagine, actions) of one API key in one Discord channel. */
  readonly submitRateLimit: TokenBucketConfig;
  /** Buckets untouched this long are dropped. */
  readonly rateLimitIdleMs: number;
  readonly maxActiveJobs: number;
  readonly webhookSecret: string | null;
  readonly webhookAllowPrivate: boolean;
  readonly webhookMaxAttempts: number;
  readonly webhookMinDelayMs: number;
  readonly webhookMaxDelayMs: number;
  readonly webhookTimeoutMs: number;
  readonly webhookProgress: boolean;
  /** midjourney-proxy's global `notifyHook`, used when a proxy submit names none. */
  readonly notifyHook: string | null;
  readonly circuitFailureThreshold: number;
  readonly circuitOpenMs: number;
  readonly healthCacheMs: number;
  readonly metricsPublic: boolean;
  /** How long a job claim lives without renewal (renewed every third of it); at most 30 s. */
  readonly jobClaimTtlMs: number;
  /** How long an Idempotency-Key and its answer are kept (24 h by default). */
  readonly idempotencyTtlMs: number;
  /**
   * `MJW_REDIS_URL`: the cluster's Redis (jobs, queue, leases, events). Null: one process with
   * the embedded SQLite store, as without a cluster.
   */
  readonly redisUrl: string | null;
  /** Prefix of every Redis key and of the queue (`MJW_REDIS_PREFIX`, default `mjw`). */
  readonly redisPrefix: string;
  /** How long an account lease lives without renewal (`MJW_ACCOUNT_LEASE_TTL_MS`), at most 30 s. */
  readonly accountLeaseTtlMs: number;
  /** Whether this process drives accounts (`mjw serve --no-worker` sets false: an API node only). */
  readonly worker: boolean;
}

export const DEFAULT_SERVICE_PORT = 8080;
export const DEFAULT_SERVICE_HOST = '127.0.0.1';
export const DEFAULT_SERVICE_DB_PATH = 'mjw-service.sqlite';
/** Shorter keys are refused: they could be guessed. */
export const MIN_API_KEY_LENGTH = 16;

/** Values from the command line win over the environment. */
export interface ServiceConfigOverrides {
  host?: string;
  port?: number;
  dbPath?: string;
  worker?: boolean;
}

function parseApiKeys(r: EnvReader): ApiKey[] {
  const raw = r.raw('MJW_API_KEYS');
  if (raw === undefined) return [];
  const keys: ApiKey[] = [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon).trim() : `key${index + 1}`;
    const key = colon > 0 ? entry.slice(colon + 1).trim() : entry;
    // Report by position, never echo the key.
    if (key.length < MIN_API_KEY_LENGTH) {
      r.problem(
        `MJW_API_KEYS: entry ${index + 1} (${name}) is shorter than ${MIN_API_KEY_LENGTH} characters`,
      );
    } else if (/\s/.test(key)) {
      r.problem(`MJW_API_KEYS: entry ${index + 1} (${name}) contains whitespace`);
    } else if (!/^[\w.-]{1,64}$/.test(name)) {
      r.problem(`MJW_API_KEYS: entry ${index + 1} has an invalid name "${name}" (letters, digits, . _ -)`);
    } else if (keys.some((k) => k.name === name)) {
      r.problem(`MJW_API_KEYS: the name "${name}" is used twice`);
    } else {
      keys.push({ name, key });
    }
  });
  return keys;
}

function bucket(r: EnvReader, prefix: string, requests: number, windowMs: number): TokenBucketConfig {
  const req = r.integer(`${prefix}_REQUESTS`, requests, { min: 1, max: 1_000_000 });
  const win = r.integer(`${prefix}_WINDOW_MS`, windowMs, { min: 1, max: 86_400_000 });
  const burst = r.integer(`${prefix}_BURST`, req, { min: 1, max: 1_000_000 });
  return Object.freeze({ requests: req, windowMs: win, burst });
}

function optionalHttpUrl(r: EnvReader, name: string): string | null {
  const value = r.raw(name);
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    // fall through to the problem below
  }
  r.problem(`${name}: expected an http or https URL, got "${value}"`);
  return null;
}

/** Reads, validates and freezes the service configuration; every problem in one ConfigError. */
export function loadServiceConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: ServiceConfigOverrides = {},
): ServiceConfig {
  const r = new EnvReader(env);
  const host = overrides.host ?? r.string('MJW_HOST', DEFAULT_SERVICE_HOST);
  const port = overrides.port ?? r.integer('MJW_PORT', DEFAULT_SERVICE_PORT, { min: 0, max: 65_535 });
  const apiKeys = parseApiKeys(r);
  const loopback = isLoopbackHost(host);
  if (apiKeys.length === 0 && !loopback && r.raw('MJW_API_KEYS') === undefined) {
    r.problem(`MJW_API_KEYS: required when listening on ${host} (not loopback): "name:key,name2:key2"`);
  }
  const webhookSecret = r.raw('MJW_WEBHOOK_SECRET') ?? null;
  if (webhookSecret !== null && webhookSecret.length < 16) {
    r.problem('MJW_WEBHOOK_SECRET: must be at least 16 characters');
  }
  const webhookMinDelayMs = r.integer('MJW_WEBHOOK_MIN_DELAY_MS', 1_000, { min: 1, max: 3_600_000 });
  const webhookMaxDelayMs = r.integer('MJW_WEBHOOK_MAX_DELAY_MS', 60_000, { min: 1, max: 86_400_000 });
  if (webhookMinDelayMs > webhookMaxDelayMs) {
    r.problem(
      `MJW_WEBHOOK_MIN_DELAY_MS: ${webhookMinDelayMs} is greater than MJW_WEBHOOK_MAX_DELAY_MS ${webhookMaxDelayMs}`,
    );
  }
  const config: ServiceConfig = {
    host,
    port,
    dbPath: overrides.dbPath ?? r.string('MJW_DB_PATH', DEFAULT_SERVICE_DB_PATH),
    apiKeys: Object.freeze(apiKeys.map((k) => Object.freeze(k))),
    authDisabled: apiKeys.length === 0 && loopback,
    bodyLimitBytes: r.integer('MJW_BODY_LIMIT_BYTES', 65_536, { min: 1_024, max: 10_485_760 }),
    rateLimit: bucket(r, 'MJW_RATE_LIMIT', 120, 60_000),
    submitRateLimit: bucket(r, 'MJW_SUBMIT_RATE_LIMIT', 10, 60_000),
    rateLimitIdleMs: r.integer('MJW_RATE_LIMIT_IDLE_MS', 600_000, { min: 1_000, max: 86_400_000 }),
    maxActiveJobs: r.integer('MJW_MAX_ACTIVE_JOBS', 100, { min: 1, max: 10_000_000 }),
    webhookSecret,
    webhookAllowPrivate: r.boolean('MJW_WEBHOOK_ALLOW_PRIVATE', false),
    webhookMaxAttempts: r.integer('MJW_WEBHOOK_MAX_ATTEMPTS', 6, { min: 1, max: 50 }),
    webhookMinDelayMs,
    webhookMaxDelayMs,
    webhookTimeoutMs: r.integer('MJW_WEBHOOK_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    webhookProgress: r.boolean('MJW_WEBHOOK_PROGRESS', false),
    notifyHook: optionalHttpUrl(r, 'MJW_NOTIFY_HOOK'),
    circuitFailureThreshold: r.integer('MJW_CIRCUIT_FAILURE_THRESHOLD', 5, { min: 1, max: 1_000 }),
    circuitOpenMs: r.integer('MJW_CIRCUIT_OPEN_MS', 30_000, { min: 100, max: 3_600_000 }),
    healthCacheMs: r.integer('MJW_HEALTH_CACHE_MS', 30_000, { min: 0, max: 3_600_000 }),
    metricsPublic: r.boolean('MJW_METRICS_PUBLIC', false),
    jobClaimTtlMs: r.integer('MJW_JOB_CLAIM_TTL_MS', 30_000, { min: 3_000, max: 30_000 }),
    idempotencyTtlMs: r.integer('MJW_IDEMPOTENCY_TTL_MS', 86_400_000, { min: 60_000, max: 2_592_000_000 }),
    ...readClusterSettings(r),
    worker: overrides.worker ?? true,
  };
  if (!config.worker && config.redisUrl === null) {
    r.problem('--no-worker: an API-only node needs MJW_REDIS_URL (the workers take its jobs through Redis)');
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

/** A Redis URL as safe to print: its password replaced. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = 'REDACTED';
    return parsed.toString();
  } catch {
    return '[unparsable]';
  }
}

/** The configuration as safe to print: keys and the webhook secret replaced. */
export function describeServiceConfig(config: ServiceConfig): Record<string, unknown> {
  return {
    ...config,
    redisUrl: config.redisUrl === null ? null : redactRedisUrl(config.redisUrl),
    apiKeys: config.apiKeys.map((k) => ({ name: k.name, key: '[REDACTED]' })),
    webhookSecret: config.webhookSecret === null ? null : '[REDACTED]',
  };
}
