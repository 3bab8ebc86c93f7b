/** The real Midjourney client against the real simulator on 127.0.0.1, time compressed. */
import { RestClient } from '../../../src/discord/rest/index.js';
import { Midjourney } from '../../../src/generation/index.js';
import { midjourneyProbe } from '../../../src/service/midjourney-probe.js';
import { type Simulator, startSimulator } from '../../../src/simulator/index.js';

export async function startFastSimulator(): Promise<Simulator> {
  return startSimulator({ timeScale: 100, bot: { fastSlots: 10, queueSize: 10 } });
}

/** A Midjourney client for `sim` with its RestClient exposed for the probe; `close` closes both. */
export function generatorFor(
  sim: Simulator,
  watch: 'poll' | 'gateway' = 'poll',
  concurrentJobs = 10,
  /** Vary (Region)'s editor URL; the simulator's when `true`. */
  inpaint = false,
) {
  const rest = new RestClient({
    token: sim.token,
    baseUrl: sim.apiBaseUrl,
    limiterOptions: { minSpacingMs: 0 },
  });
  const midjourney = new Midjourney({
    rest,
    token: sim.token,
    guildId: sim.guildId,
    channelId: sim.channelId,
    gatewayUrl: sim.gatewayUrl,
    watch,
    pollMinMs: 30,
    pollMaxMs: 60,
    confirmWindowMs: 200,
    notSeenTimeoutMs: 1_500,
    ambiguousGraceMs: 1_000,
    resumeGraceMs: 1_000,
    deadlineReadGraceMs: 500,
    deferMs: 200,
    jobTimeoutMs: 15_000,
    concurrentJobs,
    ...(inpaint ? { inpaintUrl: `${sim.cdnBaseUrl}/inpaint/api/submit-job` } : {}),
  });
  return {
    midjourney,
    ...midjourneyProbe({ midjourney, rest }),
    close: async () => {
      await midjourney.close();
      await rest.close();
    },
  };
}

/** The interaction POSTs the simulator received: each one is a (paid) job. */
export function interactionPosts(sim: Simulator): number {
  return sim.requests.filter((r) => r.method === 'POST' && r.route.endsWith('/interactions')).length;
}
