/**
 * The send rule (send-rule.ts) against the real simulator on 127.0.0.1: a POST /interactions that
 * may have reached Discord is never sent again. Both cases come from the soak ("sent twice"):
 * - the 204 held past the client's timeout, the bot starting the job only then (the simulator
 *   hands the interaction to the bot once the answer leaves), after any grace counted from the
 *   client's timeout: the old code resent at timeout + grace, and the bot ran the job twice;
 * - the connection reset after the request was processed, the bot refusing the prompt with an
 *   ephemeral notice polling cannot see: the old code saw nothing during the grace and resent.
 * The request log is asserted in order: one POST per job.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isSubmissionUncertainError, type Midjourney } from '../../src/generation/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, interactionPosts, outcomeOf, startFastSimulator } from './helpers/simulator.js';

const INTERACTIONS = 'POST /interactions';

let sim: Simulator | undefined;
let mj: Midjourney | undefined;

afterEach(async () => {
  await mj?.close();
  await sim?.close();
  mj = undefined;
  sim = undefined;
});

/** The POSTs for `prompt`, in the order the simulator received them, with the fault that hit each. */
function postsOf(world: Simulator, prompt: string): string[] {
  return world.requests
    .filter((r) => r.route === INTERACTIONS && JSON.stringify(r.body ?? '').includes(prompt))
    .map((r) => `${r.status}${r.fault ? `/${r.fault}` : ''}`);
}

describe('an ambiguous send is never sent again', () => {
  it.each([
    'poll',
    'gateway',
  ] as const)('a 204 held past the timeout, the job starting after it: found, one POST (%s)', async (watch) => {
    sim = await startFastSimulator();
    // The soak's timings at time scale 100: a 2 s timeout, a 300 ms grace, a 600 ms silence window.
    mj = clientFor(sim, watch, {
      requestTimeoutMs: 2_000,
      ambiguousGraceMs: 300,
      notSeenTimeoutMs: 600,
      confirmWindowMs: 30,
    });
    await mj.imagine('a warm-up kite');
    sim.faults.add({ kind: 'delay', delayMs: 2_500, route: INTERACTIONS });
    const result = await mj.imagine('a fox in the snow');
    const runs = sim.jobs.filter((j) => j.prompt === 'a fox in the snow');
    expect(runs).toHaveLength(1);
    expect(result.messageId).toBe(runs[0]?.resultMessageId);
    expect(postsOf(sim, 'a fox in the snow')).toEqual(['204/delay']);
  }, 20_000);

  it('a reset after the POST was processed, the prompt refused by an ephemeral notice: one POST, SUBMISSION_UNCERTAIN (poll)', async () => {
    sim = await startFastSimulator();
    sim.bot.script({ match: 'zqpremod', outcome: 'pre-moderation' });
    mj = clientFor(sim, 'poll', { ambiguousGraceMs: 300, notSeenTimeoutMs: 600 });
    await mj.imagine('a warm-up kite');
    sim.faults.add({ kind: 'reset', when: 'after-request', route: INTERACTIONS });
    const { result, error } = await outcomeOf(mj.imagine('a fox zqpremod'));
    expect(result).toBeUndefined();
    expect(isSubmissionUncertainError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SUBMISSION_UNCERTAIN', retryable: false, safeToResend: false });
    expect((error as Error).message).toContain('may have run');
    expect(postsOf(sim, 'a fox zqpremod')).toEqual(['0/reset']);
    expect(interactionPosts(sim)).toBe(2);
  }, 20_000);

  it('a reset after the POST was processed, the job running: followed to its result, one POST (poll)', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'poll', { ambiguousGraceMs: 300, notSeenTimeoutMs: 600 });
    sim.faults.add({ kind: 'reset', when: 'after-request', route: INTERACTIONS });
    const result = await mj.imagine('a red kite');
    expect(result.messageId).toBe(sim.jobs[0]?.resultMessageId);
    expect(postsOf(sim, 'a red kite')).toEqual(['0/reset']);
  }, 20_000);
});
