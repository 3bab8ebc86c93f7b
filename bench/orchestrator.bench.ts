/**
 * `npm run bench -- orchestrator`: what watching N concurrent jobs in one channel costs, and how
 * fast outcomes are recognised. Real client, real simulator on 127.0.0.1, time compressed 10x
 * (a 45 s Midjourney job plays in 4.5 s; the client polls every 0.3–0.5 s, the 3–5 s default / 10).
 *
 * For N = 1, 3, 10 jobs at once:
 * - Discord calls per job (snapshot + send + polls) with the shared poll loop, against a
 *   one-poller-per-job baseline (N clients with one job each), and the ratio;
 * - polls per interval in the channel (target 1.0 whatever N);
 * - detection delay, outcome posted by the bot -> result recognised, polling and gateway
 *   (target: gateway under 50 ms).
 * Exits 1 when a target is missed.
 */
import { Midjourney, type MidjourneyOptions } from '../src/generation/index.js';
import type { GenerationResult } from '../src/generation/types.js';
import { type Simulator, startSimulator } from '../src/simulator/index.js';

const SCALE = 10;
const POLL_MIN = 3_000 / SCALE;
const POLL_MAX = 5_000 / SCALE;
const GATEWAY_TARGET_MS = 50;

interface Run {
  calls: number;
  polls: number;
  pollsPerInterval: number;
  /** The shortest gap between two polls: never under the minimum interval with one loop per channel. */
  minGap: number;
  delays: number[];
}

async function simulator(rateLimits = true): Promise<{ sim: Simulator; toReal: (simMs: number) => number }> {
  const sim = await startSimulator({
    timeScale: SCALE,
    bot: { fastSlots: 10, queueSize: 10 },
    ...(rateLimits ? {} : { rateLimits: { enabled: false } }),
  });
  // Simulated time is origin + (real - origin) * scale: recover the origin to map bot times back.
  const real = Date.now();
  const simulated = sim.world.clock.now();
  const origin = (SCALE * real - simulated) / (SCALE - 1);
  return { sim, toReal: (simMs) => origin + (simMs - origin) / SCALE };
}

function client(sim: Simulator, watch: 'poll' | 'gateway'): Midjourney {
  const options: MidjourneyOptions = {
    token: sim.token,
    apiBaseUrl: sim.apiBaseUrl,
    gatewayUrl: sim.gatewayUrl,
    guildId: sim.guildId,
    channelId: sim.channelId,
    watch,
    concurrentJobs: 10,
    minRequestSpacingMs: 350 / SCALE,
    pollMinMs: POLL_MIN,
    pollMaxMs: POLL_MAX,
    confirmWindowMs: 3_000 / SCALE,
  };
  return new Midjourney(options);
}

/** Calls a job costs: snapshots, sends and polls (not the one-off user and command lookups). */
function jobCalls(sim: Simulator): { calls: number; polls: number; pollTimes: number[] } {
  const perJob = sim.requests.filter(
    (r) => r.route.endsWith('/interactions') || r.route.includes('/channels/{channel_id}/messages'),
  );
  const polls = perJob.filter((r) => r.method === 'GET' && r.path.includes('after='));
  return { calls: perJob.length, polls: polls.length, pollTimes: polls.map((r) => r.time) };
}

function delaysOf(sim: Simulator, toReal: (ms: number) => number, results: GenerationResult[]): number[] {
  return results.map((result) => {
    const record = sim.jobs.find((j) => j.resultMessageId === result.messageId);
    return result.timings.completedAt - toReal(record?.finishedAt ?? Number.NaN);
  });
}

async function shared(n: number, watch: 'poll' | 'gateway'): Promise<Run> {
  const { sim, toReal } = await simulator();
  const mj = client(sim, watch);
  try {
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => mj.imagine(`a harbour at dawn, view ${i + 1}`)),
    );
    const { calls, polls, pollTimes } = jobCalls(sim);
    const span = (pollTimes.at(-1) ?? 0) - (pollTimes[0] ?? 0) + (POLL_MIN + POLL_MAX) / 2;
    return {
      calls,
      polls,
      pollsPerInterval: polls / (span / ((POLL_MIN + POLL_MAX) / 2)),
      minGap: Math.min(...pollTimes.slice(1).map((t, i) => t - (pollTimes[i] as number))),
      delays: delaysOf(sim, toReal, results),
    };
  } finally {
    await mj.close();
    await sim.close();
  }
}

/**
 * The baseline: every job with its own client, so its own poll loop and its own limiter. N limiters
 * on one token can overrun Discord's buckets (the reason there is one limiter per token), so the
 * simulator's rate limits are off here: the baseline counts calls, it does not test pacing.
 */
async function pollerPerJob(n: number): Promise<Run> {
  const { sim, toReal } = await simulator(false);
  const clients = Array.from({ length: n }, () => client(sim, 'poll'));
  try {
    const results = await Promise.all(clients.map((mj, i) => mj.imagine(`a harbour at dawn, view ${i + 1}`)));
    const { calls, polls } = jobCalls(sim);
    return {
      calls,
      polls,
      pollsPerInterval: Number.NaN,
      minGap: Number.NaN,
      delays: delaysOf(sim, toReal, results),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const ms = (x: number): string => `${Math.round(x)} ms`;

const rows: string[][] = [];
let failed = false;
for (const n of [1, 3, 10]) {
  const poll = await shared(n, 'poll');
  const baseline = await pollerPerJob(n);
  const gateway = await shared(n, 'gateway');
  const gatewayMax = Math.max(...gateway.delays);
  // One loop per channel: no two polls closer than the minimum interval (a few ms of timer slack).
  if (gatewayMax >= GATEWAY_TARGET_MS || poll.minGap < POLL_MIN - 5) failed = true;
  rows.push([
    String(n),
    (poll.calls / n).toFixed(1),
    (baseline.calls / n).toFixed(1),
    `${(baseline.calls / poll.calls).toFixed(2)}x`,
    `${poll.polls} vs ${baseline.polls}`,
    poll.pollsPerInterval.toFixed(2),
    ms(poll.minGap),
    `${ms(median(poll.delays))} / ${ms(Math.max(...poll.delays))}`,
    `${ms(median(gateway.delays))} / ${ms(gatewayMax)}`,
  ]);
}

const header = [
  'N',
  'calls/job shared',
  'calls/job 1-per-job',
  'saving',
  'polls shared vs 1-per-job',
  'polls/interval',
  'min poll gap',
  'poll detect p50/max',
  'gateway detect p50/max',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
console.log(
  `Orchestrator: N concurrent jobs in one channel (time x${SCALE}: polls every ${POLL_MIN}-${POLL_MAX} ms)`,
);
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(
  `targets: one poll per interval per channel whatever N (min poll gap >= ${POLL_MIN} ms; polls/interval ~1 is informative, jitter makes it noisy for few intervals); gateway detection < ${GATEWAY_TARGET_MS} ms -> ${failed ? 'MISSED' : 'met'}`,
);
console.log(
  'calls/job counts snapshots, sends and polls; the one-off user and command lookups are left out.',
);
process.exit(failed ? 1 : 0);
