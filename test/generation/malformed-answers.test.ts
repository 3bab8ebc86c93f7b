/**
 * Truncated JSON on a 2xx, as the simulator's `malformed-json` fault sends it, against the real
 * client: GETs are retried and the job goes on; a mangled answer to the /imagine POST is
 * ambiguous, so the job is looked for and never sent twice; nothing is cached from a bad answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Midjourney } from '../../src/generation/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, interactionPosts, startFastSimulator } from './helpers/simulator.js';

let sim: Simulator | undefined;
let mj: Midjourney | undefined;
afterEach(async () => {
  await mj?.close();
  mj = undefined;
  await sim?.close();
  sim = undefined;
});

describe('malformed answers from Discord', () => {
  it('truncated bodies on users/@me, the command index and the message list: retried, the job succeeds', async () => {
    sim = await startFastSimulator({
      faults: [
        { kind: 'malformed-json', route: 'GET /users/@me', count: 1 },
        { kind: 'malformed-json', route: 'GET /guilds/{guild_id}/application-command-index', count: 1 },
        { kind: 'malformed-json', route: 'GET /channels/{channel_id}/messages', count: 2 },
      ],
    });
    mj = clientFor(sim, 'poll');
    const result = await mj.imagine('a lighthouse in fog');
    expect(result.imageUrl).toMatch(/^http/);
    expect(interactionPosts(sim)).toBe(1);
    expect(sim.faults.pending()).toEqual([]);
    // Nothing bad was kept: a second job needs no second look-up of the user or the command.
    await mj.imagine('a lighthouse at dawn');
    const lookups = sim.requests.filter((r) => r.route.includes('@me') || r.route.includes('command-index'));
    expect(lookups.filter((r) => r.fault === undefined)).toHaveLength(2);
  });

  it('a truncated answer to the /imagine POST is ambiguous: looked for, found, not sent again', async () => {
    sim = await startFastSimulator({
      faults: [{ kind: 'malformed-json', route: 'POST /interactions', count: 1 }],
    });
    mj = clientFor(sim, 'poll');
    const result = await mj.imagine('a kite over dunes');
    expect(result.prompt).toBe('a kite over dunes');
    expect(interactionPosts(sim)).toBe(1);
  });
});
