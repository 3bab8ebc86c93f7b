/**
 * The real Midjourney client against the real simulator on 127.0.0.1, with time compressed so a
 * batch of jobs takes a second or two.
 */
import { Midjourney, type MidjourneyOptions } from '../../../src/generation/midjourney.js';
import { type Simulator, type StartSimulatorOptions, startSimulator } from '../../../src/simulator/index.js';

/** Simulated ms per real ms: a 40 s Midjourney job takes 400 ms. */
export const TIME_SCALE = 100;

export interface SimSetup {
  sim: Simulator;
  client(options?: Partial<MidjourneyOptions>): Midjourney;
  /** Environment variables that point `mjw` (in a child process) at this simulator. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startBatchSim(init: Omit<StartSimulatorOptions, 'createBot'> = {}): Promise<SimSetup> {
  const sim = await startSimulator({ timeScale: TIME_SCALE, ...init });
  const clients: Midjourney[] = [];
  return {
    sim,
    client: (options = {}) => {
      const mj = new Midjourney({
        token: sim.token,
        apiBaseUrl: sim.apiBaseUrl,
        gatewayUrl: sim.gatewayUrl,
        channelId: sim.channelId,
        guildId: sim.guildId,
        minRequestSpacingMs: 0,
        pollMinMs: 30,
        pollMaxMs: 60,
        confirmWindowMs: 60,
        notSeenTimeoutMs: 1_000,
        ambiguousGraceMs: 1_000,
        resumeGraceMs: 1_000,
        deadlineReadGraceMs: 500,
        jobTimeoutMs: 15_000,
        ...options,
      });
      clients.push(mj);
      return mj;
    },
    env: {
      DISCORD_TOKEN: sim.token,
      DISCORD_GUILD_ID: sim.guildId,
      DISCORD_CHANNEL_ID: sim.channelId,
      DISCORD_API_BASE_URL: sim.apiBaseUrl,
      DISCORD_GATEWAY_URL: sim.gatewayUrl,
      MJ_MIN_REQUEST_SPACING_MS: '0',
      MJ_POLL_MIN_MS: '30',
      MJ_POLL_MAX_MS: '60',
      MJ_JOB_TIMEOUT_MS: '15000',
      MJ_RESUME_GRACE_MS: '1000',
      MJ_CONFIRM_WINDOW_MS: '60',
      MJ_WATCH: 'poll',
      LOG_LEVEL: 'silent',
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}
