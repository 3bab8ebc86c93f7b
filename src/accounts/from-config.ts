/**
 * An AccountPool of `Midjourney` clients, one per configured account: each with its own token
 * (so its own RestClient and RateLimiter), its own slots (`slots`), channel watcher, submission
 * gap and daily cap. The pool owns the clients it builds here and closes them with itself.
 */
import type { AccountConfig } from '../config/accounts.js';
import type { Config } from '../config/index.js';
import { Midjourney, type MidjourneyOptions } from '../generation/midjourney.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { AccountPool } from './account-pool.js';
import type { PoolAccountInit } from './types.js';

export interface AccountPoolFromConfigOptions {
  /** Time for the pool and its clients. Default the system clock. */
  clock?: Clock;
  /** Each client logs through a child with `{ account: id }`. Default silent. */
  logger?: Logger;
  /** More client options per account (a RestClient built by the caller, the simulator's user id). */
  clientOptions?: (account: AccountConfig) => Partial<MidjourneyOptions>;
}

/** The configuration with the account's `userAgent` / `headers` in place of the shared ones. */
export function withAccountIdentity(config: Config, account: AccountConfig): Config {
  if (account.userAgent === undefined && account.headers === undefined) return config;
  return {
    ...config,
    ...(account.userAgent === undefined ? {} : { userAgent: account.userAgent }),
    ...(account.headers === undefined ? {} : { restHeaders: account.headers }),
  };
}

/** The client options of one account: the shared configuration, then the account's own settings. */
export function accountClientOptions(config: Config, account: AccountConfig): MidjourneyOptions {
  return {
    // The account's own REST identity, where it has one, over MJ_USER_AGENT / MJ_REST_HEADERS.
    config: withAccountIdentity(config, account),
    token: account.token,
    guildId: account.guildId,
    channelId: account.channelId,
    concurrentJobs: account.slots,
    submitGapMinMs: account.submitGapMinMs,
    submitGapMaxMs: account.submitGapMaxMs,
    dailyJobCap: account.dailyJobCap,
  };
}

/**
 * One configured account as the pool takes it: its own `Midjourney` client (pass a RestClient
 * with its own options in `clientOptions`, e.g. a cluster worker's fenced send gate).
 */
export function poolAccountInit(
  config: Config,
  account: AccountConfig,
  options: AccountPoolFromConfigOptions = {},
): PoolAccountInit {
  const generator = new Midjourney({
    ...accountClientOptions(config, account),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger.child({ account: account.id }) } : {}),
    ...options.clientOptions?.(account),
  });
  return {
    id: account.id,
    generator,
    channelId: account.channelId,
    guildId: account.guildId,
    slots: account.slots,
    mode: account.mode,
    dailyJobCap: account.dailyJobCap,
    enabled: account.enabled,
    onCreditsExhausted: account.onCreditsExhausted,
  };
}

export function accountPoolFromConfig(
  config: Config,
  accounts: readonly AccountConfig[],
  options: AccountPoolFromConfigOptions = {},
): AccountPool {
  const pool = new AccountPool(options.clock ? { clock: options.clock } : {});
  try {
    for (const account of accounts) pool.add(poolAccountInit(config, account, options));
  } catch (error) {
    void pool.close();
    throw error;
  }
  return pool;
}
