import { ValidationError } from '../../errors.js';
import type { Clock } from '../../util/clock.js';
import { monotonicClock } from './monotonic-clock.js';

/** Discord's pacing floor for one token: never less between two request starts against discord.com. */
export const DISCORD_MIN_SPACING_MS = 350;

export interface RateLimiterOptions {
  /**
   * Minimum time between the starts of any two requests, FIFO across callers. Default 350.
   * Values under 350 are refused unless `allowUnsafeSpacing` is set (loopback simulators only).
   */
  minSpacingMs: number;
  /** Allows `minSpacingMs` under 350: set it only when talking to a loopback server. Default false. */
  allowUnsafeSpacing: boolean;
  /** Requests per second across all routes (Discord: 50 per token). Default 50. */
  globalLimitPerSecond: number;
  /**
   * 401/403/429 answers allowed in the sliding invalid-request window before the limiter stops
   * sending. Discord bans the IP at 10,000 per 10 minutes; default 1,000 (warning at half).
   */
  invalidRequestThreshold: number;
  /** The invalid-request window. Default 600,000 (10 minutes, Discord's). */
  invalidRequestWindowMs: number;
  /**
   * The longest a Cloudflare 429 (no Discord body or `Via`) stops every request, escalation
   * included: its `Retry-After` is honoured up to this. Default 3,600,000 (1 h).
   */
  cloudflareCooldownMs: number;
  /** The shortest such pause, whatever `Retry-After` says (never more than `cloudflareCooldownMs`). Default 1,000. */
  cloudflareMinCooldownMs: number;
  /** The pause when a Cloudflare 429 has no usable `Retry-After`. Default 60,000. */
  cloudflareDefaultCooldownMs: number;
  /**
   * A Cloudflare 429 within this long after the previous pause ended is a repeat: each repeat
   * doubles the pause (up to `cloudflareCooldownMs`). Default 600,000 (10 min).
   */
  cloudflareEscalationWindowMs: number;
  /** A bucket or route unused for this long (and not limited) is forgotten. Default 300,000 (5 min). */
  idleSweepMs: number;
  /** How often the sweep runs, piggybacking on activity (no background timer). Default 60,000. */
  sweepIntervalMs: number;
  /** Hard cap on remembered buckets and routes; the least recently used idle ones go first. Default 10,000. */
  maxBuckets: number;
  /** Every wait and every time reading. Default `monotonicClock` (sub-ms, immune to wall-clock jumps). */
  clock: Clock;
}

export const DEFAULT_RATE_LIMITER_OPTIONS: Readonly<RateLimiterOptions> = Object.freeze({
  minSpacingMs: DISCORD_MIN_SPACING_MS,
  allowUnsafeSpacing: false,
  globalLimitPerSecond: 50,
  invalidRequestThreshold: 1_000,
  invalidRequestWindowMs: 600_000,
  cloudflareCooldownMs: 3_600_000,
  cloudflareMinCooldownMs: 1_000,
  cloudflareDefaultCooldownMs: 60_000,
  cloudflareEscalationWindowMs: 600_000,
  idleSweepMs: 300_000,
  sweepIntervalMs: 60_000,
  maxBuckets: 10_000,
  clock: monotonicClock,
});

function checkInteger(problems: string[], name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}: expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Merges `options` over the defaults and validates; a ValidationError lists every bad option. */
export function resolveRateLimiterOptions(options: Partial<RateLimiterOptions> = {}): RateLimiterOptions {
  const merged: RateLimiterOptions = { ...DEFAULT_RATE_LIMITER_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  const problems: string[] = [];
  checkInteger(problems, 'minSpacingMs', merged.minSpacingMs, 0, 60_000);
  if (merged.minSpacingMs < DISCORD_MIN_SPACING_MS && !merged.allowUnsafeSpacing) {
    problems.push(
      `minSpacingMs: ${merged.minSpacingMs} is under Discord's ${DISCORD_MIN_SPACING_MS} ms floor; set allowUnsafeSpacing only for a loopback server`,
    );
  }
  checkInteger(problems, 'globalLimitPerSecond', merged.globalLimitPerSecond, 1, 10_000);
  checkInteger(problems, 'invalidRequestThreshold', merged.invalidRequestThreshold, 1, 9_999);
  checkInteger(problems, 'invalidRequestWindowMs', merged.invalidRequestWindowMs, 1, 86_400_000);
  checkInteger(problems, 'cloudflareCooldownMs', merged.cloudflareCooldownMs, 0, 86_400_000);
  checkInteger(problems, 'cloudflareMinCooldownMs', merged.cloudflareMinCooldownMs, 0, 86_400_000);
  checkInteger(problems, 'cloudflareDefaultCooldownMs', merged.cloudflareDefaultCooldownMs, 0, 86_400_000);
  checkInteger(problems, 'cloudflareEscalationWindowMs', merged.cloudflareEscalationWindowMs, 0, 86_400_000);
  checkInteger(problems, 'idleSweepMs', merged.idleSweepMs, 0, 86_400_000);
  checkInteger(problems, 'sweepIntervalMs', merged.sweepIntervalMs, 0, 86_400_000);
  checkInteger(problems, 'maxBuckets', merged.maxBuckets, 1, 10_000_000);
  if (typeof merged.clock?.now !== 'function' || typeof merged.clock?.sleep !== 'function') {
    problems.push('clock: expected a Clock with now() and sleep()');
  }
  if (problems.length > 0) throw new ValidationError('Invalid RateLimiter options', problems);
  return merged;
}
