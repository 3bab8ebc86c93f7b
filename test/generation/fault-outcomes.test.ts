/**
 * Every reported outcome is true under faults: the real client against the simulator with every
 * fault on (5xx, resets before and after the POST, slow responses past the client's timeout,
 * shared-scope 429s, gateway drops). Each job's reported outcome is compared with what the
 * simulated bot actually did for it (`sim.jobs`), and no job is ever sent twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Midjourney } from '../../src/generation/index.js';
import type { SimFault, SimJobRecord, Simulator } from '../../src/simulator/index.js';
import { clientFor, interactionPosts, outcomeOf, startFastSimulator } from './helpers/simulator.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';
const INTERACTIONS = 'POST /interactions';
const JOBS = 10;

/** Every HTTP fault the simulator has, on both routes a job uses after its start. */
const HTTP_FAULTS: readonly SimFault[] = [
  { kind: 'status', status: 500, route: INTERACTIONS },
  { kind: 'status', status: 503, route: INTERACTIONS },
  { kind: 'reset', when: 'before-request', route: INTERACTIONS },
  { kind: 'reset', when: 'after-request', route: INTERACTIONS },
  { kind: 'delay', delayMs: 600, route: INTERACTIONS },
  { kind: 'status', status: 500, route: MESSAGES },
  { kind: 'status', status: 502, route: MESSAGES },
  { kind: 'status', status: 504, route: MESSAGES },
  { kind: 'reset', when: 'before-request', route: MESSAGES },
  { kind: 'reset', when: 'after-request', route: MESSAGES },
  { kind: 'delay', delayMs: 600, route: MESSAGES },
  { kind: 'malformed-json', route: MESSAGES },
];

const GATEWAY_FAULTS: readonly SimFault[] = [
  { kind: 'gateway-drop' },
  { kind: 'gateway-drop', resumable: false },
  { kind: 'gateway-reconnect' },
];

/** A small seeded generator (mulberry32): the same fault sequence on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
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
    mj = clientFor(sim, watch, {
      requestTimeoutMs: 400,
      ambiguousGraceMs: 1_000,
      jobTimeoutMs: 20_000,
      notSeenTimeoutMs: 3_000,
    });
    const client = mj;
    const prompts = Array.from({ length: JOBS }, (_, i) => `a lighthouse number ${i + 1} at dusk`);
    // Faults keep coming for as long as the jobs run: one every 150 ms (two pending at most), a gateway fault every 1.5 s.
    const random = seeded(15);
    const faults = sim.faults;
    let tick = 0;
    const injector = setInterval(() => {
      tick += 1;
      const pool = watch === 'gateway' && tick % 10 === 0 ? GATEWAY_FAULTS : HTTP_FAULTS;
      const next = pool[Math.floor(random() * pool.length)];
      // Over a live gateway the channel is not read at all (no snapshot, no poll): its faults would
      // only pile up and block the backlog, so those ticks add nothing (the sends keep the density
      // of faults they had when reads consumed the others).
      if (watch === 'gateway' && next && 'route' in next && next.route === MESSAGES) return;
      // Faults are consumed by requests: keep a small backlog, not an ever-growing one.
      if (next && faults.pending().length < 2) faults.add(next);
    }, 150);
    // A job makes no read of its own before its send (over a live gateway none at all; when polling
    // only the first job, the others' snapshots ride on the shared poll), so the first sends go out
    // before the first tick: arm three faults on them from the start (a 500, a 503, a reset before
    // the request).
    for (const fault of HTTP_FAULTS.slice(0, 3)) faults.add(fault);
    const world = sim;
    // What the simulator had done for the job when its outcome was reported: the truth to compare with.
    const truthAtReport = new Map<string, SimJobRecord[]>();
    const outcomes = await Promise.all(
      prompts.map((p) =>
        outcomeOf(client.imagine(p)).then((outcome) => {
          truthAtReport.set(p, structuredClone(world.jobs.filter((j) => j.prompt === p)));
          return outcome;
        }),
      ),
    );
    clearInterval(injector);
    const stats = sim.stats();
    const wrong: string[] = [];
    let completed = 0;
    for (const [i, prompt] of prompts.entries()) {
      const runs = truthAtReport.get(prompt) ?? [];
      const { result, error } = outcomes[i] ?? {};
      const reported = result ? 'completed' : `${(error as Error).name}: ${(error as Error).message}`;
      const simulated = runs.map((r) => r.state).join(',') || 'not run';
      const posts = sim.requests.filter(
        (r) => r.route === INTERACTIONS && JSON.stringify(r.body ?? '').includes(prompt),
      ).length;
      if (runs[0]?.state === 'completed') completed += 1;
      // One paid job per call, at most one resend, and the outcome the simulator saw.
      const truthful =
        sim.jobs.filter((j) => j.prompt === prompt).length <= 1 &&
        posts <= 2 &&
        (runs[0]?.state === 'completed'
          ? result?.messageId === runs[0].resultMessageId
          : result === undefined);
      if (!truthful) wrong.push(`${prompt}: reported ${reported}; simulator ${simulated}; ${posts} POST(s)`);
    }
    expect(wrong).toEqual([]);
    // Not vacuous: faults did hit, and jobs did run through them.
    expect(stats.faultsInjected).toBeGreaterThanOrEqual(3);
    expect(completed).toBeGreaterThanOrEqual(3);
    expect(interactionPosts(sim)).toBeLessThanOrEqual(2 * JOBS);
  }, 60_000);

  it.each([
    'poll',
    'gateway',
  ] as const)('a malformed answer to the snapshot before sending never lets a job claim an older result (%s)', async (watch) => {
    sim = await startFastSimulator();
    mj = clientFor(sim, watch);
    const before = await mj.imagine('a red kite');
    // The next GET /messages is the snapshot of the second job: a 200 whose JSON is cut short.
    sim.faults.add({ kind: 'malformed-json', route: MESSAGES });
    const after = await mj.imagine('a red kite');
    expect(sim.jobs).toHaveLength(2);
    expect(after.messageId).not.toBe(before.messageId);
    expect(after.messageId).toBe(sim.jobs[1]?.resultMessageId);
    // Over a live gateway the snapshot comes from READY and MESSAGE_CREATE: no read to spoil.
    expect(sim.requests.filter((r) => r.fault === 'malformed-json')).toHaveLength(watch === 'poll' ? 1 : 0);
  });

  it('a malformed answer to GET /users/@me is asked again, never taken for "no user": the job is matched', async () => {
    sim = await startFastSimulator({ faults: [{ kind: 'malformed-json', route: 'GET /users/@me' }] });
    mj = clientFor(sim, 'poll');
    const result = await mj.imagine('a blue kite');
    expect(result.messageId).toBe(sim.jobs[0]?.resultMessageId);
    expect(interactionPosts(sim)).toBe(1);
    // The truncated answer was read as a protocol error and the GET retried (a second request).
    expect(sim.requests.filter((r) => r.route === 'GET /users/@me').length).toBeGreaterThanOrEqual(2);
  });
});
