/**
 * The generator `mjw batch` drives: the real Midjourney client when Discord credentials are
 * configured, else the same client against an in-process simulator (time compressed), so the
 * command works out of the box and nothing is sent to Discord.
 */
import type { AccountPool } from '../accounts/account-pool.js';
import { accountPoolFromConfig } from '../accounts/from-config.js';
import type { AccountConfig } from '../config/accounts.js';
import type { Config } from '../config/index.js';
import type { SendGate } from '../discord/rest/send-gate.js';
import { Midjourney } from '../generation/midjourney.js';
import { DEFAULT_SIMULATED_TIME_SCALE, openSimulatedClient } from '../simulator/simulated-client.js';
import type { Logger } from '../util/logger.js';

/** Simulated ms per real ms when no credentials are configured: a 40 s job takes 2 s. */
export const SIMULATOR_TIME_SCALE = DEFAULT_SIMULATED_TIME_SCALE;

export interface OpenedGenerator {
  /** The client, or an AccountPool when an accounts file is configured. */
  generator: Midjourney | AccountPool;
  /** Jobs the generator runs at once: the pool's enabled slots, else `concurrentJobs`. */
  capacity: number;
  /** True when running against the built-in simulator. */
  simulated: boolean;
  /** Discord requests made and 429s answered so far (from the RateLimiter), when it reports them. */
  requestStats(): { calls: number; rateLimited: number } | undefined;
  /** Closes the client (and the simulator, if one was started). */
  close(): Promise<void>;
}

/**
 * `concurrentJobs` (from `--concurrency`) overrides the config's, so the client's own slots match
 * the batch's and no job waits in its local queue.
 */
export async function openGenerator(
  config: Config,
  concurrentJobs: number = config.concurrentJobs,
  /** From an accounts file: the batch runs on an AccountPool of them (their own slots apply). */
  accounts?: readonly AccountConfig[],
  /** The client's logger (LOG_LEVEL in the CLI); silent by default. */
  logger?: Logger,
  /**
   * In a cluster, the gate every Discord call of an account must pass (by account id; `default`
   * without an accounts file): the cluster's fenced send gate on the lease the command holds.
   */
  sendGate?: (accountId: string) => SendGate | undefined,
): Promise<OpenedGenerator> {
  const logged = logger ? { logger } : {};
  const gated = (accountId: string): { sendGate?: SendGate } => {
    const gate = sendGate?.(accountId);
    return gate ? { sendGate: gate } : {};
  };
  if (accounts !== undefined && accounts.length > 0) {
    const pool = accountPoolFromConfig(config, accounts, {
      ...logged,
      clientOptions: (account) => gated(account.id),
    });
    return {
      generator: pool,
      capacity: pool.capacity,
      simulated: false,
      requestStats: () => poolRequestStats(pool),
      close: () => pool.close(),
    };
  }
  if (config.credentials) {
    const generator = Midjourney.fromConfig(config, { concurrentJobs, ...logged, ...gated('default') });
    return {
      generator,
      capacity: concurrentJobs,
      simulated: false,
      requestStats: () => requestStats(generator),
      close: () => generator.close(),
    };
  }
  const { client, close } = await openSimulatedClient({
    config,
    timeScale: SIMULATOR_TIME_SCALE,
    overrides: { concurrentJobs, ...logged },
  });
  return {
    generator: client,
    capacity: concurrentJobs,
    simulated: true,
    requestStats: () => requestStats(client),
    close,
  };
}

/** Every account's limiter, summed. */
function poolRequestStats(pool: AccountPool): { calls: number; rateLimited: number } | undefined {
  const limiters = pool.accounts().flatMap((a) => (a.limiter ? [a.limiter] : []));
  if (limiters.length === 0) return undefined;
  return {
    calls: limiters.reduce((sum, l) => sum + l.requests, 0),
    rateLimited: limiters.reduce((sum, l) => sum + l.rateLimited, 0),
  };
}

function requestStats(generator: Midjourney): { calls: number; rateLimited: number } | undefined {
  const totals = generator.stats().limiter?.totals;
  if (!totals) return undefined;
  const rateLimited = Object.values(totals.rateLimited).reduce((sum, n) => sum + n, 0);
  return { calls: totals.requests, rateLimited };
}
