/**
 * Jobs past the drive slots wait in the SQLite store, not in memory: the runner holds only the
 * jobs it drives and pulls the oldest queued one (with a claim) each time a slot frees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createJobRecord } from '../../src/service/jobs/job.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { CircuitBreaker } from '../../src/service/protection/circuit-breaker.js';
import { JobRunner } from '../../src/service/runner/job-runner.js';
import { FakeGenerator } from './helpers/fake-generator.js';
import { waitForStatus } from './helpers/service.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function setup(driveSlots: number) {
  const store = new SqliteJobStore({ path: ':memory:' });
  const generator = new FakeGenerator();
  const runner = new JobRunner({
    generator,
    store,
    breaker: new CircuitBreaker(),
    driveSlots,
    instanceId: 'a',
  });
  close = async () => {
    await runner.close();
    await store.close();
  };
  return { store, generator, runner };
}

const input = (prompt: string) => ({ clientId: 'alice', kind: 'imagine' as const, prompt });

describe('queued jobs wait in the store', () => {
  it('drives only driveSlots jobs and pulls the rest in order as slots free', async () => {
    const { store, generator, runner } = setup(2);
    await runner.init();
    const ids: string[] = [];
    for (const p of ['one', 'two', 'three', 'four']) ids.push((await runner.submit(input(p))).id);
    await generator.job(2);
    expect(generator.calls.map((j) => j.prompt)).toEqual(['one', 'two']);
    expect(runner.activeCount).toBe(2);
    expect(runner.waitingCount).toBe(2);
    // Waiting in the store, unclaimed: any runner sharing it may pull them.
    expect(await store.getClaim(ids[2]!)).toBeNull();
    expect((await store.get(ids[3]!))?.status).toBe('queued');

    (await generator.job(1)).complete();
    await waitForStatus(runner, ids[0]!, 'succeeded');
    const third = await generator.job(3);
    expect(third.prompt).toBe('three');
    expect(runner.activeCount).toBe(2);
    (await generator.job(2)).complete();
    expect((await generator.job(4)).prompt).toBe('four');
    expect(runner.waitingCount).toBe(0);
  });

  it('cancels a job waiting in the store without ever handing it to the generator', async () => {
    const { generator, runner } = setup(1);
    await runner.init();
    await runner.submit(input('driven'));
    const waiting = await runner.submit(input('waiting'));
    const cancelled = await runner.cancel(waiting.id, 'alice');
    expect(cancelled).toMatchObject({ id: waiting.id, status: 'cancelled' });
    (await generator.job(1)).complete();
    await runner.idle();
    expect(generator.calls.map((j) => j.prompt)).toEqual(['driven']);
    expect(runner.waitingCount).toBe(0);
  });

  it('recovery pulls queued jobs left by a previous run in order, up to the slots', async () => {
    const { store, generator, runner } = setup(2);
    for (const [i, p] of ['a', 'b', 'c'].entries()) {
      await store.insert(createJobRecord(String(1_700_000_000_000_000 + i), input(p), 1_750_000_000_000));
    }
    await runner.init();
    const report = await runner.recover();
    expect(report.submitted).toBe(2);
    expect(generator.calls.map((j) => j.prompt)).toEqual(['a', 'b']);
    (await generator.job(1)).complete();
    expect((await generator.job(3)).prompt).toBe('c');
  });
});
