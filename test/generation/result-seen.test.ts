/**
 * `resultSeen` gives a job's images the moment Midjourney posts them; the call itself resolves only
 * after the confirmation window, which a job may set for itself. Real client, real simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { Midjourney } from '../../src/generation/index.js';
import type { GenerationResult } from '../../src/generation/types.js';
import { EphemeralModerationError } from '../../src/midjourney/errors.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, startFastSimulator } from './helpers/simulator.js';

let sim: Simulator | undefined;
let mj: Midjourney | undefined;

afterEach(async () => {
  await mj?.close();
  await sim?.close();
  mj = undefined;
  sim = undefined;
});

describe('resultSeen and the per-job confirmation window', () => {
  it('emits resultSeen with the images before completed, and completed after the window', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway', { confirmWindowMs: 800 });
    const order: string[] = [];
    let seenAt = 0;
    let seen: GenerationResult | undefined;
    mj.on('resultSeen', (_job, result) => {
      seenAt = Date.now();
      seen = result;
      order.push('seen');
    });
    mj.on('completed', () => order.push('completed'));
    const result = await mj.imagine('a lighthouse at dawn');
    expect(order).toEqual(['seen', 'completed']);
    expect(seen?.imageUrl).toBe(result.imageUrl);
    expect(seen?.messageId).toBe(result.messageId);
    // The window ran between the two: the call settled no earlier than 800 ms after the sighting.
    expect(Date.now() - seenAt).toBeGreaterThanOrEqual(790);
  });

  it('resolves at first sight with confirmWindowMs 0 for that job only', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway', { confirmWindowMs: 5_000 });
    let seenAt = 0;
    mj.on('resultSeen', () => {
      seenAt = Date.now();
    });
    await mj.imagine('a quick sketch of a fox', { confirmWindowMs: 0 });
    expect(seenAt).toBeGreaterThan(0);
    // Far less than the client's 5 s window: the job's own 0 applied.
    expect(Date.now() - seenAt).toBeLessThan(2_000);
  });

  it('a result taken down inside the window was seen, then fails as ephemeral moderation', async () => {
    sim = await startFastSimulator();
    sim.bot.script({ match: 'zqtakedown', outcome: 'ephemeral-moderation', deleteAfterMs: 20_000 });
    mj = clientFor(sim, 'gateway', { confirmWindowMs: 1_000 });
    const events: string[] = [];
    mj.on('resultSeen', () => events.push('seen'));
    mj.on('failed', (_job, error) => events.push(error.name));
    await expect(mj.imagine('a zqtakedown harbour')).rejects.toBeInstanceOf(EphemeralModerationError);
    expect(events).toEqual(['seen', 'EphemeralModerationError']);
  });

  it('rejects a confirmation window out of range before anything is sent', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway');
    const error = await mj.imagine('a kettle', { confirmWindowMs: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message + JSON.stringify(error)).toMatch(/confirmWindowMs/);
    expect(sim.jobs).toHaveLength(0);
  });
});
