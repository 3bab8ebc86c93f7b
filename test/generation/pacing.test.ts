/**
 * Pacing as the simulator observes it, with default settings: the 350 ms floor between any two
 * Discord requests (the RestClient's limiter, real time) and the 3–5 s poll interval (the client's
 * clock, here running 5x faster so the test takes seconds: observed gaps are scaled back).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Midjourney } from '../../src/generation/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { type Clock, sleep } from '../../src/util/clock.js';
import { startFastSimulator } from './helpers/simulator.js';

let sim: Simulator | undefined;
let mj: Midjourney | undefined;

afterEach(async () => {
  await mj?.close();
  await sim?.close();
  mj = undefined;
  sim = undefined;
});

/** A clock whose time runs `factor` times faster than the wall clock. */
function fastClock(factor: number): Clock {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * factor,
    sleep: (ms, signal) => sleep(ms / factor, signal),
  };
}

function defaults(s: Simulator) {
  return { token: s.token, guildId: s.guildId, channelId: s.channelId, apiBaseUrl: s.apiBaseUrl } as const;
}

describe('pacing with default settings', () => {
  it('starts no two Discord requests less than 350 ms apart, even with jobs submitted at once', async () => {
    sim = await startFastSimulator({ timeScale: 400 });
    mj = new Midjourney({ ...defaults(sim), clock: fastClock(20) });
    await Promise.all([mj.imagine('pace one'), mj.imagine('pace two'), mj.imagine('pace three')]);
    const times = sim.requests.map((r) => r.time);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(times.length).toBeGreaterThanOrEqual(9);
    // Arrival times differ from the limiter's start times by the request's own latency: the very
    // first one also opens the TCP connection (~10 ms on loopback), later ones reuse it.
    // Under load that first arrival can lag by up to ~80 ms (seen), so it gets a wider margin; over the
    // warm gaps (from the second arrival on) the average spacing cannot be below the floor. The
    // cold first gap stays out of the average: a late first arrival shortens it below 350.
    expect(gaps[0]).toBeGreaterThanOrEqual(250);
    const warm = gaps.slice(1);
    expect(Math.min(...warm)).toBeGreaterThanOrEqual(340);
    const second = times[1] ?? 0;
    const last = times.at(-1) ?? 0;
    expect((last - second) / warm.length).toBeGreaterThanOrEqual(349);
  });

  it('polls the channel every 3–5 s, uniformly jittered', async () => {
    sim = await startFastSimulator({ timeScale: 20 });
    const factor = 5;
    mj = new Midjourney({ ...defaults(sim), clock: fastClock(factor) });
    await mj.imagine('a slow sunrise');
    const polls = sim.requests
      .filter((r) => r.method === 'GET' && r.path.includes('after='))
      .map((r) => r.time);
    const gaps = polls.slice(1).map((t, i) => (t - (polls[i] ?? 0)) * factor);
    // At least two gaps to judge (how many polls one job takes depends on when its result is seen).
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(3_000 - 25);
      // The wait starts when the previous poll answered: its latency adds to the gap.
      expect(gap).toBeLessThanOrEqual(5_000 + 250);
    }
  });
});
