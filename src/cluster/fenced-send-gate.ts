/**
 * `FencedSendGate`: the RestClient's SendGate in a cluster. Before every Discord call of an
 * account it runs one Redis script that
 *  1. refuses (LeaseLostError) unless the account's lease key still holds this lease's
 *     `<owner>|<fence>` — a worker that lost its lease while paused sends nothing more;
 *  2. reads Redis's clock and the time the token's previous call started (from any worker), and
 *     answers how long to wait when that is less than the spacing (350 ms);
 *  3. otherwise records now as the token's last call and lets the request go.
 * One clock (Redis's) orders every call of the token, so a lease handed from one worker to
 * another can never put two calls closer than the spacing. Cost: one round trip per Discord call,
 * which are at least 350 ms apart anyway.
 */
import type { Redis } from 'ioredis';
import { DISCORD_MIN_SPACING_MS } from '../discord/rest/rate-limiter-options.js';
import type { SendGate } from '../discord/rest/send-gate.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { AccountLease } from './account-lease.js';
import { ClusterUnavailableError } from './errors.js';
import { type ClusterKeys, clusterKeys } from './keys.js';

// KEYS[1] lease, KEYS[2] last-send, KEYS[3] send log; ARGV[1] `<owner>|<fence>`, ARGV[2] spacing µs,
// ARGV[3] memory ms, ARGV[4] send log length.
// Returns {-1} when the lease is not ours, {wait µs} when too soon, {0, now µs} when passed.
const PASS = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local wait = last + tonumber(ARGV[2]) - now
if wait > 0 then return {wait} end
redis.call('SET', KEYS[2], string.format('%.0f', now), 'PX', ARGV[3])
redis.call('LPUSH', KEYS[3], ARGV[1] .. '|' .. string.format('%.0f', now))
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)
return {0, string.format('%.0f', now)}`;

/** Calls kept in an account's send log. */
export const SEND_LOG_LENGTH = 1_000;

export interface FencedSendGateOptions {
  redis: Redis;
  lease: AccountLease;
  /** Minimum time between the starts of two calls of the token, cluster-wide. Default 350. */
  minSpacingMs?: number;
  keys?: ClusterKeys;
  /** Waits between tries. Default `systemClock`. */
  clock?: Clock;
}

export class FencedSendGate implements SendGate {
  private readonly redis: Redis;
  private readonly lease: AccountLease;
  private readonly spacingUs: number;
  private readonly keys: ClusterKeys;
  private readonly clock: Clock;
  /** Redis time (µs) of the last call this gate let through; for tests and stats. */
  lastPassedAtUs: number | undefined;

  constructor(options: FencedSendGateOptions) {
    this.redis = options.redis;
    this.lease = options.lease;
    this.spacingUs = (options.minSpacingMs ?? DISCORD_MIN_SPACING_MS) * 1_000;
    this.keys = options.keys ?? clusterKeys();
    this.clock = options.clock ?? systemClock;
  }

  async pass(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.lease.assertHeld();
      let answer: unknown;
      try {
        answer = await this.redis.eval(
          PASS,
          3,
          this.keys.lease(this.lease.accountId),
          this.keys.lastSend(this.lease.accountId),
          this.keys.sendLog(this.lease.accountId),
          this.lease.holderValue,
          this.spacingUs,
          // Remembered a little longer than any spacing: after that, any call is far enough apart.
          Math.max(60_000, Math.ceil(this.spacingUs / 1_000) * 10),
          SEND_LOG_LENGTH,
        );
      } catch (error) {
        throw new ClusterUnavailableError(
          `Account ${this.lease.accountId}: could not prove the lease before a Discord call; nothing was sent`,
          { cause: error },
        );
      }
      const [code, at] = answer as [number, string | undefined];
      if (code === -1) {
        // Redis says this lease is not current: the local lease agrees from now on, and nothing is sent.
        throw this.lease.invalidate();
      }
      if (code === 0) {
        this.lastPassedAtUs = Number(at);
        return;
      }
      await this.clock.sleep(Math.ceil(code / 1_000), signal);
    }
  }
}

/** One call in an account's send log. */
export interface LoggedSend {
  owner: string;
  fence: number;
  /** Redis time of the call's start, µs. */
  atUs: number;
}

/** The account's newest calls, oldest first, from the send log the gate keeps in Redis. */
export async function readSendLog(
  redis: Redis,
  accountId: string,
  keys: ClusterKeys = clusterKeys(),
): Promise<LoggedSend[]> {
  const entries = await redis.lrange(keys.sendLog(accountId), 0, -1);
  return entries
    .map((entry) => {
      const [owner = '', fence = '0', at = '0'] = entry.split('|');
      return { owner, fence: Number(fence), atUs: Number(at) };
    })
    .reverse();
}
