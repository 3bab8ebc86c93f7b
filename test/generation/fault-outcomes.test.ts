/**
 * Every reported outcome is true under faults: the real client against the simulator with every
 * fault on (5xx, resets before and after the POST, slow responses past the client's timeout,
 * shared-scope 429s, gateway drops). Each job's reported outcome is compared with what the
 * simulated bot actually did for it (`sim.jobs`), and no job is ever sent twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WatchMode } from '../../src/config/index.js';
import type { Midjourney } from '../../src/generation/index.js';
import type { SimFault, Simulator } from '../../src/simulator/index.js';
import { clientFor, interactionPosts, outcomeOf, startFastSimulator } from './helpers/simulator.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';
const INTERACTIONS = 'POST /interactions';
const JOBS = 10;

/** Every fault the simulator has, several times over, spread across the routes a job uses. */
function allFaults(watch: WatchMode): SimFault[] {
  const http: SimFault[] = [
    { kind: 'status', status: 500, route: INTERACTIONS },
    { kind: 'reset', when: 'after-request', route: INTERACTIONS },
    { kind: 'reset', when: 'before-request', route: INTERACTIONS },
    { kind: 'delay', delayMs: 700, route: INTERACTIONS },
    { kind: 'status', status: 503, route: INTERACTIONS },
    { kind: 'reset', when: 'after-request', route: INTERACTIONS },
    { kind: 'status', status: 502, route: MESSAGES, count: 6 },
    { kind: 'reset', when: 'before-request', route: MESSAGES, count: 4 },
    { kind: 'reset', when: 'after-request', route: MESSAGES, count: 4 },
    { kind: 'delay', delayMs: 700, route: MESSAGES, count: 2 },
    { kind: 'status', status: 504, route: MESSAGES, count: 6 },
    { kind: 'malformed-json', route: MESSAGES, count: 2 },
  ];
  if (watch === 'poll') return http;
  return [
    ...http,
    { kind: 'gateway-drop', afterDispatches: 3 },
    { kind: 'gateway-drop', resumable: false, afterDispatches: 12 },
    { kind: 'gateway-reconnect', afterDispatches: 20 },
    { kind: 'gateway-drop', afterDispatches: 30 },
  ];
}

let sim: Simulator | undefined;
let mj: Midjourney | undefined;

afterEach(async () => {
  await mj?.close();
  await sim?.close();
  mj = undefined;
  sim = undefined;
});

describe('outcomes under faults', () => {
  it.each([
    'poll',
    'gateway',
  ] as const)('every job reported completed or failed is so in the simulator (%s)', async (watch) => {
    sim = await startFastSimulator({
      // A shared per-resource limit on the channel's messages: 429s every client meets.
      rateLimits: { shared: { [MESSAGES]: { limit: 4, windowMs: 30_000 } } },
    });
    mj = clientFor(sim, watch, { requestTimeoutMs: 400, jobTimeoutMs: 20_000, notSeenTimeoutMs: 8_000 });
    const client = mj;
    const prompts = Array.from({ length: JOBS }, (_, i) => `a lighthouse number ${i + 1} at dusk`);
    // The faults are armed one after another while the jobs run, so each meets every phase.
    const schedule = allFaults(watch);
    const faults = sim.faults;
    const injector = setInterval(() => {
      const next = schedule.shift();
      if (next) faults.add(next);
    }, 60);
    const outcomes = await Promise.all(prompts.map((p) => outcomeOf(client.imagine(p))));
    clearInterval(injector);
    const report = prompts.map((prompt, i) => {
      const runs = sim?.jobs.filter((j) => j.prompt === prompt) ?? [];
      const outcome = outcomes[i];
      return {
        prompt,
        reported: outcome?.result
          ? 'completed'
          : `${(outcome?.error as Error | undefined)?.name}: ${(outcome?.error as Error | undefined)?.message}`,
        simulated: runs.map((r) => r.state),
        resultMatches: outcome?.result?.messageId === runs[0]?.resultMessageId,
      };
    });
    console.log(JSON.stringify(report, null, 1), sim.stats());
    for (const row of report) {
      expect(row.simulated.length, row.prompt).toBeLessThanOrEqual(1);
      if (row.simulated[0] === 'completed') {
        expect(row.reported, row.prompt).toBe('completed');
        expect(row.resultMatches, row.prompt).toBe(true);
      } else {
        expect(row.reported, row.prompt).not.toBe('completed');
      }
    }
    // Never more than one resend per job.
    expect(interactionPosts(sim)).toBeLessThanOrEqual(2 * JOBS);
  }, 60_000);
});
