/**
 * A Midjourney client wired to an in-process simulator: what the CLI and the service use when no
 * Discord credentials are configured, so every command works out of the box and nothing reaches
 * Discord. The simulator plays time `timeScale` times faster, and every duration of the client
 * (poll interval, windows, graces, deadlines) is divided by the same factor, so the client's own
 * waits do not dominate every job.
 */
import type { Config } from '../config/index.js';
import { Midjourney, type MidjourneyOptions } from '../generation/midjourney.js';
import { DEFAULT_GENERATION_SETTINGS, settingsFromConfig } from '../generation/options.js';
import type { Simulator } from './simulator-api.js';

/**
 * How a client watches the built-in simulator: the gateway, whatever MJ_WATCH says. Polling cannot
 * see ephemeral notices, so an invalid prompt would be an inferred pre-moderation there and an
 * InvalidRequestError over the gateway.
 */
export const SIMULATED_WATCH = 'gateway' as const;

/** Simulated ms per real ms by default: a 45 s job takes about 2 s. */
export const DEFAULT_SIMULATED_TIME_SCALE = 20;

export interface SimulatedClient {
  client: Midjourney;
  simulator: Simulator;
  /** Closes the client, then the simulator. */
  close(): Promise<void>;
}

export interface SimulatedClientOptions {
  /** Simulated ms per real ms. Default 20. */
  timeScale?: number;
  /** Settings to scale from (poll interval, deadlines, spacing); default the library defaults. */
  config?: Config;
  /** Applied last, unscaled. */
  overrides?: Partial<MidjourneyOptions>;
}

/**
 * The client options that point at `simulator`: its account and URLs, and the config's (or the
 * defaults') durations divided by the time scale.
 */
export function simulatedClientOptions(
  simulator: Simulator,
  config: Config | undefined,
  timeScale: number,
): MidjourneyOptions {
  const d = DEFAULT_GENERATION_SETTINGS;
  const c = config;
  const shrink = (ms: number): number => Math.max(1, Math.round(ms / timeScale));
  const fromConfig = c ? settingsFromConfig(c) : {};
  return {
    // The pre-check as configured (MJ_PRECHECK): refused locally, before the simulator sees it.
    ...(fromConfig.precheck ? { precheck: fromConfig.precheck } : {}),
    token: simulator.token,
    apiBaseUrl: simulator.apiBaseUrl,
    gatewayUrl: simulator.gatewayUrl,
    guildId: simulator.guildId,
    channelId: simulator.channelId,
    userId: simulator.userId,
    inpaintUrl: `${simulator.cdnBaseUrl}/inpaint/api/submit-job`,
    // Always the gateway: the simulator's notices are ephemeral as on Discord, visible only there,
    // so every command (imagine, start, batch, serve) meets the same outcomes for the same prompt.
    watch: SIMULATED_WATCH,
    // Loopback only: the 350 ms floor protects Discord, not the simulator.
    minRequestSpacingMs: Math.min(c?.minRequestSpacingMs ?? 350, 50),
    pollMinMs: shrink(c?.pollMinMs ?? d.pollMinMs),
    pollMaxMs: shrink(c?.pollMaxMs ?? d.pollMaxMs),
    confirmReadGapMs: shrink(c?.confirmReadGapMs ?? d.confirmReadGapMs),
    jobTimeoutMs: shrink(c?.jobTimeoutMs ?? d.jobTimeoutMs),
    concurrentJobs: c?.concurrentJobs ?? d.concurrentJobs,
    confirmWindowMs: shrink(c?.confirmWindowMs ?? d.confirmWindowMs),
    notSeenTimeoutMs: shrink(c?.notSeenTimeoutMs ?? d.notSeenTimeoutMs),
    ambiguousGraceMs: shrink(c?.ambiguousGraceMs ?? d.ambiguousGraceMs),
    resumeGraceMs: shrink(c?.resumeGraceMs ?? d.resumeGraceMs),
  };
}

export async function openSimulatedClient(options: SimulatedClientOptions = {}): Promise<SimulatedClient> {
  // Loaded only here: the library itself does not need the simulator.
  const { startSimulator } = await import('./simulator.js');
  const scale = options.timeScale ?? DEFAULT_SIMULATED_TIME_SCALE;
  const simulator = await startSimulator({ timeScale: scale });
  try {
    const client = new Midjourney({
      ...simulatedClientOptions(simulator, options.config, scale),
      ...options.overrides,
    });
    return {
      client,
      simulator,
      close: async () => {
        await client.close();
        await simulator.close();
      },
    };
  } catch (error) {
    await simulator.close();
    throw error;
  }
}
