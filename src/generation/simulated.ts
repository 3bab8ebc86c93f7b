/**
 * A Midjourney client wired to an in-process simulator: what the CLI uses when no Discord
 * credentials are configured, so every command works out of the box and nothing reaches Discord.
 * The simulator plays time `timeScale` times faster, and the client's own waits (poll interval,
 * windows, deadlines) shrink by the same factor so they do not dominate every job.
 */
import type { Config } from '../config/index.js';
import type { Simulator } from '../simulator/index.js';
import { Midjourney, type MidjourneyOptions } from './midjourney.js';
import { DEFAULT_GENERATION_SETTINGS } from './options.js';

export interface SimulatedClient {
  client: Midjourney;
  simulator: Simulator;
  /** Closes the client, then the simulator. */
  close(): Promise<void>;
}

export interface SimulatedClientOptions {
  /** Simulated ms per real ms. Default 20: a 45 s job takes about 2 s. */
  timeScale?: number;
  /** Settings to scale from (poll interval, deadlines, spacing); default the library defaults. */
  config?: Config;
  /** Applied last, unscaled. */
  overrides?: Partial<MidjourneyOptions>;
}

export async function openSimulatedClient(options: SimulatedClientOptions = {}): Promise<SimulatedClient> {
  // Loaded only here: the library itself does not need the simulator.
  const { startSimulator } = await import('../simulator/index.js');
  const scale = options.timeScale ?? 20;
  const simulator = await startSimulator({ timeScale: scale });
  const d = DEFAULT_GENERATION_SETTINGS;
  const c = options.config;
  const shrink = (ms: number): number => Math.max(1, Math.round(ms / scale));
  try {
    const client = new Midjourney({
      token: simulator.token,
      apiBaseUrl: simulator.apiBaseUrl,
      gatewayUrl: simulator.gatewayUrl,
      guildId: simulator.guildId,
      channelId: simulator.channelId,
      userId: simulator.userId,
      watch: c?.watch ?? d.watch,
      // Loopback only: the 350 ms floor protects Discord, not the simulator.
      minRequestSpacingMs: Math.min(c?.minRequestSpacingMs ?? 350, 50),
      pollMinMs: shrink(c?.pollMinMs ?? d.pollMinMs),
      pollMaxMs: shrink(c?.pollMaxMs ?? d.pollMaxMs),
      jobTimeoutMs: shrink(c?.jobTimeoutMs ?? d.jobTimeoutMs),
      concurrentJobs: c?.concurrentJobs ?? d.concurrentJobs,
      confirmWindowMs: shrink(d.confirmWindowMs),
      notSeenTimeoutMs: shrink(d.notSeenTimeoutMs),
      ambiguousGraceMs: shrink(d.ambiguousGraceMs),
      resumeGraceMs: shrink(d.resumeGraceMs),
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
