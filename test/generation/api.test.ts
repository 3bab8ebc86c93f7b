/**
 * The library surface: types callers compile against, option validation, and the event sequence
 * of one job as a caller observes it.
 */
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createMidjourney,
  GenerationOptionsError,
  type GenerationResult,
  type GenerationStats,
  type Generator,
  type JobRef,
  Midjourney,
  type ProgressInfo,
  type SubmissionTicket,
} from '../../src/generation/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { clientFor, startFastSimulator } from './helpers/simulator.js';

describe('types', () => {
  it('Midjourney is a Generator with typed events', () => {
    expectTypeOf<Midjourney>().toMatchTypeOf<Generator>();
    expectTypeOf<Midjourney['imagine']>().returns.toEqualTypeOf<Promise<GenerationResult>>();
    expectTypeOf<Midjourney['upscale']>().parameters.toEqualTypeOf<
      [GenerationResult, number, JobOptionsArg?]
    >();
    expectTypeOf<Midjourney['resume']>().parameter(0).toEqualTypeOf<SubmissionTicket>();
    expectTypeOf<Midjourney['stats']>().returns.toEqualTypeOf<GenerationStats>();
    const mj = {} as Midjourney;
    expectTypeOf(mj.on).toBeFunction();
    type ProgressListener = Parameters<typeof mj.on<'progress'>>[1];
    expectTypeOf<ProgressListener>().parameters.toEqualTypeOf<[JobRef, ProgressInfo]>();
    expectTypeOf(createMidjourney).returns.toEqualTypeOf<Midjourney>();
  });
});

type JobOptionsArg = Parameters<Midjourney['imagine']>[1];

describe('options', () => {
  const base = { token: 'x'.repeat(30), channelId: '1100000000000000200', guildId: '1100000000000000100' };

  it.each([
    [{ pollMinMs: 0 }, 'pollMinMs'],
    [{ pollMinMs: 5_000, pollMaxMs: 3_000 }, 'pollMaxMs'],
    [{ concurrentJobs: 0 }, 'concurrentJobs'],
    [{ watch: 'carrier-pigeon' }, 'watch'],
    [{ channelId: 'general' }, 'channelId'],
    [{ confirmWindowMs: -1 }, 'confirmWindowMs'],
    [{ nijiApplicationId: 'niji' }, 'nijiApplicationId'],
    [{ nijiApplicationId: '936929561302675456' }, 'nijiApplicationId'],
  ])('refuses %j, naming the option', (bad, option) => {
    expect(() => new Midjourney({ ...base, ...(bad as object) })).toThrow(GenerationOptionsError);
    expect(() => new Midjourney({ ...base, ...(bad as object) })).toThrow(option);
  });

  it('needs a token unless the transports are given', () => {
    expect(() => new Midjourney({ channelId: base.channelId })).toThrow(/token/);
  });

  it('rejects an empty prompt with a ValidationError, sending nothing', async () => {
    const mj = new Midjourney(base);
    await expect(mj.imagine('   ')).rejects.toMatchObject({
      name: 'ValidationError',
      problems: [expect.stringContaining('prompt')],
    });
    await mj.close();
  });
});

describe('events of one job', () => {
  let sim: Simulator | undefined;
  let mj: Midjourney | undefined;
  afterEach(async () => {
    await mj?.close();
    await sim?.close();
  });

  it('emits submitted, started, progress..., completed in order, with the same job ref', async () => {
    sim = await startFastSimulator();
    mj = clientFor(sim, 'gateway');
    const seen: string[] = [];
    const refs = new Set<JobRef>();
    const record = (name: string) => (job: JobRef) => {
      refs.add(job);
      seen.push(name);
    };
    mj.on('submitted', record('submitted'))
      .on('queued', record('queued'))
      .on('started', record('started'))
      .on('progress', record('progress'))
      .on('completed', record('completed'))
      .on('failed', record('failed'));
    const result = await mj.imagine('an orderly parade');
    expect(refs.size).toBe(1);
    expect(seen[0]).toBe('submitted');
    expect(seen[1]).toBe('started');
    expect(seen.filter((e) => e === 'progress').length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe('completed');
    expect(mj.stats()).toMatchObject({
      jobsInFlight: 0,
      slots: { inUse: 0 },
      limiter: { totals: expect.any(Object) },
    });
    expect(result.timings.startedAt).toBeGreaterThanOrEqual(result.timings.submittedAt);
  });
});
