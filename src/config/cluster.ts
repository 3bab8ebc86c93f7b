/**
 * The cluster's Redis as every process that touches a clustered account reads it: `mjw serve`,
 * `mjw worker`, and the one-shot commands (`mjw imagine`, `mjw batch`, ...) that must take the same
 * account lease as the workers when `MJW_REDIS_URL` is set. See docs/scale.md.
 */
import { ConfigError } from './errors.js';
import { EnvReader } from './reader.js';

export interface ClusterConfig {
  /** `MJW_REDIS_URL`; null: no cluster (local token leases only). */
  readonly redisUrl: string | null;
  /** `MJW_REDIS_PREFIX`, default `mjw`: every Redis key and the queue live under it. */
  readonly redisPrefix: string;
  /** `MJW_ACCOUNT_LEASE_TTL_MS`, default 15,000, from 3,000 to 30,000. */
  readonly accountLeaseTtlMs: number;
}

/** Reads the three cluster variables into `r` (problems are collected there, not thrown). */
export function readClusterSettings(r: EnvReader): ClusterConfig {
  const settings = {
    redisUrl: redisUrl(r),
    redisPrefix: r.string('MJW_REDIS_PREFIX', 'mjw'),
    accountLeaseTtlMs: r.integer('MJW_ACCOUNT_LEASE_TTL_MS', 15_000, { min: 3_000, max: 30_000 }),
  };
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(settings.redisPrefix)) {
    r.problem(
      `MJW_REDIS_PREFIX: expected 1 to 64 letters, digits, '.', '_' or '-', got "${settings.redisPrefix}"`,
    );
  }
  return settings;
}

/** The cluster settings alone, validated and frozen; every problem in one ConfigError. */
export function loadClusterConfig(env: Readonly<Record<string, string | undefined>>): ClusterConfig {
  const r = new EnvReader(env);
  const settings = readClusterSettings(r);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(settings);
}

function redisUrl(r: EnvReader): string | null {
  const raw = r.raw('MJW_REDIS_URL');
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const url = new URL(raw);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return raw;
    r.problem(`MJW_REDIS_URL: expected a redis:// or rediss:// URL, got ${url.protocol}`);
  } catch {
    r.problem('MJW_REDIS_URL: not a URL (expected redis://host:6379/0)');
  }
  return null;
}
