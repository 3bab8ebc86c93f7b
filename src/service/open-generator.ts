/**
 * The generator `mjw serve` drives: the real Midjourney client when Discord credentials are
 * configured, else the same client against an in-process simulator (time compressed, nothing sent
 * to Discord). The RestClient and gateway are built here so the service can read their health
 * and metrics.
 */
import type { Config } from '../config/index.js';
import { GatewayClient } from '../discord/gateway/index.js';
import { RestClient } from '../discord/rest/index.js';
import { Midjourney } from '../generation/midjourney.js';
import { DEFAULT_SIMULATED_TIME_SCALE, simulatedClientOptions } from '../simulator/simulated-client.js';
import type { Logger } from '../util/logger.js';
import type { DiscordTelemetry, ServiceProbe } from './health.js';
import { midjourneyProbe } from './midjourney-probe.js';

/** Simulated ms per real ms without credentials: a 40 s job takes 2 s. */
export const SERVE_SIMULATOR_TIME_SCALE = DEFAULT_SIMULATED_TIME_SCALE;

export interface ServiceGenerator {
  generator: Midjourney;
  probe: ServiceProbe;
  telemetry: DiscordTelemetry;
  /** The Discord channel jobs run in. */
  channelId: string;
  /** True when running against the built-in simulator. */
  simulated: boolean;
  /** Closes the client, its REST client and gateway, and the simulator if one was started. */
  close(): Promise<void>;
}

export async function openServiceGenerator(config: Config, logger: Logger): Promise<ServiceGenerator> {
  if (config.credentials) {
    const rest = RestClient.fromConfig(config, { logger });
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
  const gateway =
    config.watch === 'gateway' ? new GatewayClient({ token: sim.token, url: sim.gatewayUrl }) : undefined;
  const generator = new Midjourney({ ...settings, rest, ...(gateway ? { gateway } : {}), logger });
  return {
    generator,
    ...midjourneyProbe({ midjourney: generator, rest, gateway }),
    channelId: sim.channelId,
    simulated: true,
    close: async () => {
      await generator.close();
      await gateway?.close();
      await rest.close();
      await sim.close();
    },
  };
}
