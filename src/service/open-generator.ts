/**
 * The generator `mjw serve` drives: the real Midjourney client when Discord credentials are
 * configured, else the same client against an in-process simulator (time compressed, nothing sent
 * to Discord). The RestClient and gateway are built here so the service can read their health
 * and metrics.
 */
import type { AccountPool } from '../accounts/account-pool.js';
import { accountPoolFromConfig, poolAccountInit, withAccountIdentity } from '../accounts/from-config.js';
import type { AccountConfig } from '../config/accounts.js';
import type { Config } from '../config/index.js';
import { GatewayClient } from '../discord/gateway/index.js';
import { RestClient, restIdentityOf, type SendGate } from '../discord/rest/index.js';
import { Midjourney } from '../generation/midjourney.js';
import {
  DEFAULT_SIMULATED_TIME_SCALE,
  SIMULATED_WATCH,
  simulatedClientOptions,
} from '../simulator/simulated-client.js';
import type { Logger } from '../util/logger.js';
import type { OpenedAccount } from './cluster/leased-accounts.js';
import type { DiscordTelemetry, ServiceProbe } from './health.js';
import { midjourneyProbe } from './midjourney-probe.js';
import { poolProbe } from './pool-probe.js';

/** Simulated ms per real ms without credentials: a 40 s job takes 2 s. */
export const SERVE_SIMULATOR_TIME_SCALE = DEFAULT_SIMULATED_TIME_SCALE;

export interface ServiceGenerator {
  /** The client, or an AccountPool when an accounts file is configured. */
  generator: Midjourney | AccountPool;
  /** The pool, when there is one (the service's account routes and metrics). */
  accounts?: AccountPool;
  probe: ServiceProbe;
  telemetry: DiscordTelemetry;
  /** The Discord channel jobs run in. */
  channelId: string;
  /** True when running against the built-in simulator. */
  simulated: boolean;
  /** Closes the client, its REST client and gateway, and the simulator if one was started. */
  close(): Promise<void>;
}

export interface OpenServiceGeneratorOptions {
  /** Checked before every Discord call (a cluster worker's lease and cluster-wide spacing). */
  sendGate?: SendGate;
}

export async function openServiceGenerator(
  config: Config,
  logger: Logger,
  /** From an accounts file: the service runs on an AccountPool of them. */
  accounts?: readonly AccountConfig[],
  options: OpenServiceGeneratorOptions = {},
): Promise<ServiceGenerator> {
  if (accounts !== undefined && accounts.length > 0) return openPool(config, logger, accounts);
  if (config.credentials) {
    const rest = RestClient.fromConfig(config, {
      logger,
      ...(options.sendGate ? { sendGate: options.sendGate } : {}),
    });
    const gateway =
      config.watch === 'gateway'
        ? new GatewayClient({ token: config.credentials.token, url: config.gatewayUrl })
        : undefined;
    const generator = Midjourney.fromConfig(config, { rest, ...(gateway ? { gateway } : {}), logger });
    return {
      generator,
      ...midjourneyProbe({ midjourney: generator, rest, gateway }),
      channelId: config.credentials.channelId,
      simulated: false,
      close: async () => {
        await generator.close();
        await gateway?.close();
        await rest.close();
      },
    };
  }
  const { startSimulator } = await import('../simulator/index.js');
  const scale = SERVE_SIMULATOR_TIME_SCALE;
  const sim = await startSimulator({ timeScale: scale });
  const settings = simulatedClientOptions(sim, config, scale);
  const rest = new RestClient({
    token: sim.token,
    baseUrl: sim.apiBaseUrl,
    logger,
    limiterOptions: { minSpacingMs: settings.minRequestSpacingMs ?? 50 },
  });
  // The gateway, as every command uses against the simulator (SIMULATED_WATCH).
  const gateway = new GatewayClient({ token: sim.token, url: sim.gatewayUrl });
  const generator = new Midjourney({ ...settings, watch: SIMULATED_WATCH, rest, gateway, logger });
  return {
    generator,
    ...midjourneyProbe({ midjourney: generator, rest, gateway }),
    channelId: sim.channelId,
    simulated: true,
    close: async () => {
      await generator.close();
      await gateway.close();
      await rest.close();
      await sim.close();
    },
  };
}

/**
 * One `Midjourney` per account, each with a RestClient (and gateway) built here so the service
 * reads every account's limiter: the Discord metrics sum them, health checks every token.
 */
function openPool(config: Config, logger: Logger, accounts: readonly AccountConfig[]): ServiceGenerator {
  const transports = new Map<string, { rest: RestClient; gateway: GatewayClient | undefined }>();
  const pool = accountPoolFromConfig(config, accounts, {
    logger,
    clientOptions: (account) => {
      const { rest, gateway } = accountTransports(config, logger, account);
      transports.set(account.id, { rest, gateway });
      return { rest, ...(gateway ? { gateway } : {}) };
    },
  });
  return {
    generator: pool,
    accounts: pool,
    ...poolProbe(pool, transports),
    channelId: accounts[0]?.channelId ?? 'default',
    simulated: false,
    close: async () => {
      await pool.close();
      for (const { rest, gateway } of transports.values()) {
        await gateway?.close();
        await rest.close();
      }
    },
  };
}

/** One account's RestClient (its own limiter; `sendGate` before every call) and gateway. */
function accountTransports(
  config: Config,
  logger: Logger,
  account: AccountConfig,
  sendGate?: SendGate,
): { rest: RestClient; gateway: GatewayClient | undefined } {
  const rest = new RestClient({
    token: account.token,
    baseUrl: config.apiBaseUrl,
    timeoutMs: config.requestTimeoutMs,
    ...restIdentityOf(withAccountIdentity(config, account)),
    logger: logger.child({ account: account.id }),
    limiterOptions: {
      minSpacingMs: config.minRequestSpacingMs,
      invalidRequestThreshold: config.invalidRequestThreshold,
    },
    ...(sendGate ? { sendGate } : {}),
  });
  const gateway =
    config.watch === 'gateway'
      ? new GatewayClient({ token: account.token, url: config.gatewayUrl })
      : undefined;
  return { rest, gateway };
}

/**
 * One account of a cluster worker, opened for the lease it holds: its client, whose every
 * Discord call passes `sendGate` (the worker's FencedSendGate on that lease).
 */
export function openLeasedAccount(
  config: Config,
  logger: Logger,
  account: AccountConfig,
  sendGate: SendGate,
): OpenedAccount {
  const { rest, gateway } = accountTransports(config, logger, account, sendGate);
  const init = poolAccountInit(config, account, {
    logger,
    clientOptions: () => ({ rest, ...(gateway ? { gateway } : {}) }),
  });
  return {
    init,
    rest,
    gateway,
    close: async () => {
      await init.generator.close();
      await gateway?.close();
      await rest.close();
    },
  };
}
