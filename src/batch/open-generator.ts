/**
 * The generator `mjw batch` drives: the real Midjourney client when Discord credentials are
 * configured, else the same client against an in-process simulator (time compressed), so the
 * command works out of the box and nothing is sent to Discord.
 */
import type { BatchConfig } from '../config/batch.js';
import type { Config } from '../config/index.js';
import { Midjourney, type MidjourneyOptions } from '../generation/midjourney.js';

/** Simulated ms per real ms when no credentials are configured: a 40 s job takes 2 s. */
export const SIMULATOR_TIME_SCALE = 20;

export interface OpenedGenerator {
  generator: Midjourney;
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
  batch: BatchConfig,
  concurrentJobs: number = config.concurrentJobs,
): Promise<OpenedGenerator> {
  const timings: Partial<MidjourneyOptions> = {
    concurrentJobs,
    ...(batch.resumeGraceMs !== undefined ? { resumeGraceMs: batch.resumeGraceMs } : {}),
    ...(batch.confirmWindowMs !== undefined ? { confirmWindowMs: batch.confirmWindowMs } : {}),
  };
  if (config.credentials) {
    const generator = Midjourney.fromConfig(config, timings);
    return {
      generator,
      simulated: false,
      requestStats: () => requestStats(generator),
      close: () => generator.close(),
    };
  }
  const { startSimulator } = await import('../simulator/index.js');
  const scale = SIMULATOR_TIME_SCALE;
  const sim = await startSimulator({ timeScale: scale });
  const generator = new Midjourney({
    token: sim.token,
    apiBaseUrl: sim.apiBaseUrl,
    gatewayUrl: sim.gatewayUrl,
    channelId: sim.channelId,
    guildId: sim.guildId,
    userId: sim.userId,
    watch: config.watch,
    // The orchestrator's waits shrink with the simulated time, or they would dominate every job.
    minRequestSpacingMs: Math.min(config.minRequestSpacingMs, 50),
    pollMinMs: Math.max(1, Math.round(3_000 / scale)),
    pollMaxMs: Math.max(1, Math.round(5_000 / scale)),
    jobTimeoutMs: Math.round(600_000 / scale),
    confirmWindowMs: Math.round(3_000 / scale),
    notSeenTimeoutMs: Math.round(60_000 / scale),
    ambiguousGraceMs: Math.round(30_000 / scale),
    resumeGraceMs: Math.round(60_000 / scale),
    ...timings,
  });
  return {
    generator,
    simulated: true,
    requestStats: () => requestStats(generator),
    close: async () => {
      await generator.close();
      await sim.close();
    },
  };
}

function requestStats(generator: Midjourney): { calls: number; rateLimited: number } | undefined {
  const totals = generator.stats().limiter?.totals;
  if (!totals) return undefined;
  const rateLimited = Object.values(totals.rateLimited).reduce((sum, n) => sum + n, 0);
  return { calls: totals.requests, rateLimited };
}
