/**
 * No input and no failure in one job may take the process down: over-deep metadata is refused
 * before it is stored, a poisoned stored record fails alone at recovery, and a store, generator
 * or listener that throws for one job leaves the others to complete, with no unhandled rejection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerationResult, JobOptions } from '../../src/generation/types.js';
import { buildService, type Service } from '../../src/service/app.js';
import { createJobRecord, type JobRecord } from '../../src/service/jobs/job.js';
import { MemoryJobStore } from '../../src/service/jobs/memory-store.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { FakeGenerator } from './helpers/fake-generator.js';
import { startTestService, waitForStatus } from './helpers/service.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `{"a": {"a": ...}}` nested `depth` levels, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i += 1) value = { a: value };
  return value;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** Lets every pending promise job and the next macrotask run, so a stray rejection would be reported. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let service: Service | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

const post = (s: Service, url: string, body: unknown) =>
  s.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('over-deep metadata', () => {
  it('is refused with 400 FIELD_LIMIT_EXCEEDED before anything is stored', async () => {
    const store = new MemoryJobStore();
    const generator = new FakeGenerator();
    service = await buildService({ generator, store, config: { authDisabled: true, apiKeys: [] } });
    // As a client would send it: 2,000 levels written by hand (JSON.stringify would need the stack too).
    const payload = `{"prompt":"x","metadata":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}`;
    const deep = await service.app.inject({
      method: 'POST',
      url: '/v1/imagine',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(deep.statusCode).toBe(400);
    // The body-wide bound (32) answers first; the metadata bound (16) below it.
    expect(deep.json().error).toMatchObject({ code: 'FIELD_LIMIT_EXCEEDED', field: 'body', limit: 'depth' });

    const seventeen = await post(service, '/v1/imagine', { prompt: 'x', metadata: nested(17) });
    expect(seventeen.statusCode).toBe(400);
    expect(seventeen.json().error).toEqual({
      name: 'FieldLimitError',
      code: 'FIELD_LIMIT_EXCEEDED',
      message: 'body.metadata is nested deeper than 16 levels',
      retryable: false,
      field: 'body.metadata',
      limit: 'depth',
      max: 16,
      status: 400,
    });
    const big = await post(service, '/v1/imagine', { prompt: 'x', metadata: { blob: 'x'.repeat(20_000) } });
    expect(big.statusCode).toBe(400);
    expect(big.json().error).toMatchObject({ field: 'body.metadata', limit: 'bytes', max: 16_384 });
    expect(await store.count()).toBe(0);
    expect(generator.calls).toHaveLength(0);

    const sixteen = await post(service, '/v1/imagine', { prompt: 'x', metadata: nested(16) });
    expect(sixteen.statusCode).toBe(202);
    await settle();
    expect(unhandled).toEqual([]);
  });
});

/** A store that seeds unfinished records as they were stored by an older version, unchecked. */
class SeededStore extends MemoryJobStore {
  constructor(private readonly seeds: JobRecord[]) {
    super();
  }
  override async listUnfinished(): Promise<JobRecord[]> {
    return [...this.seeds.splice(0), ...(await super.listUnfinished())];
  }
}

describe('recovery of a poisoned record', () => {
  it('fails that job alone (JOB_RECORD_INVALID) and recovers the others', async () => {
    const now = 1_750_000_000_000;
    const deep = createJobRecord(
      '1750000000000001',
      { clientId: 'anonymous', kind: 'imagine', prompt: 'deep' },
      now,
    );
    deep.metadata = nested(2_000);
    const uncloneable = createJobRecord(
      '1750000000000002',
      { clientId: 'anonymous', kind: 'imagine', prompt: 'fn' },
      now,
    );
    uncloneable.metadata = { f: () => 1 } as unknown as Record<string, unknown>;
    const fine = createJobRecord(
      '1750000000000003',
      { clientId: 'anonymous', kind: 'imagine', prompt: 'ok' },
      now,
    );
    const store = new SeededStore([deep, uncloneable, fine]);
    const generator = new FakeGenerator({ script: (job) => void job.complete() });
    service = await buildService({ generator, store, config: { authDisabled: true, apiKeys: [] } });

    const report = await service.recover();
    expect(report).toMatchObject({ failed: 2, submitted: 1, resumed: 0 });
    const failedDeep = await store.get(deep.id);
    expect(failedDeep).toMatchObject({
      status: 'failed',
      metadata: null,
      error: { code: 'JOB_RECORD_INVALID' },
    });
    expect(failedDeep?.error?.message).toMatch(/depth limit \(16\)/);
    expect(await store.get(uncloneable.id)).toMatchObject({
      status: 'failed',
      error: { code: 'JOB_RECORD_INVALID', message: expect.stringMatching(/cannot be copied/) },
    });
    await waitForStatus(service.runner, fine.id, 'succeeded');
    expect(generator.sentPrompts).toEqual(['ok']);
    await settle();
    expect(unhandled).toEqual([]);
  });
});

describe('a poisoned SQLite database (the job stored by an older version)', () => {
  it('starts, fails the poisoned job alone, and starts again cleanly', async () => {
    const dbPath = join(dir, 'poisoned.sqlite');
    const seed = new SqliteJobStore({ path: dbPath });
    const poisoned = createJobRecord(
      '1750000000000001',
      { clientId: 'alice', kind: 'imagine', prompt: 'deep' },
      1_750_000_000_000,
    );
    poisoned.metadata = nested(2_000);
    await seed.insert(poisoned);
    await seed.insert(
      createJobRecord(
        '1750000000000002',
        { clientId: 'alice', kind: 'imagine', prompt: 'ok' },
        1_750_000_000_000,
      ),
    );
    await seed.close();

    for (const run of [1, 2]) {
      const t = await startTestService({
        config: { dbPath },
        fake: { script: (job) => void job.complete() },
      });
      try {
        if (run === 1) expect(t.started.recovered).toMatchObject({ failed: 1, submitted: 1 });
        else expect(t.started.recovered).toMatchObject({ failed: 0, submitted: 0, resumed: 0 });
        await t.started.service.runner.idle();
        const deep = await t.alice.get('/v1/jobs/1750000000000001');
        expect(deep.body).toMatchObject({
          status: 'failed',
          metadata: null,
          error: { code: 'JOB_RECORD_INVALID' },
        });
        expect((await t.alice.get('/v1/jobs/1750000000000002')).body.status).toBe('succeeded');
        // The same input today is refused before it is stored.
        const again = await t.alice.post('/v1/imagine', { prompt: 'deep', metadata: nested(17) });
        expect(again.status).toBe(400);
      } finally {
        await t.close();
      }
    }
    await settle();
    expect(unhandled).toEqual([]);
  });
});

/** A generator that breaks its contract for one prompt: throws instead of rejecting. */
class ThrowingGenerator extends FakeGenerator {
  override imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    if (prompt === 'sync-throw') throw new Error('generator exploded synchronously');
    if (prompt === 'bad-error') {
      // An error that cannot even be described: its toJSON throws.
      const error = Object.assign(new Error('unreadable'), {
        toJSON: () => {
          throw new Error('toJSON exploded');
        },
      });
      return Promise.reject(error);
    }
    if (prompt === 'bad-progress') {
      // onProgress with nothing: the runner's handler throws inside the generator's call.
      (options.onProgress as unknown as (p: undefined) => void)(undefined);
    }
    return super.imagine(prompt, options);
  }
}

/** A store whose writes of one job throw synchronously (a driver bug), not reject. */
class ThrowingStore extends MemoryJobStore {
  poisoned = new Set<string>();
  override save(job: JobRecord): Promise<void> {
    if (this.poisoned.has(job.prompt)) throw new Error(`disk on fire for ${job.id}`);
    return super.save(job);
  }
}

describe('one job failing inside the service', () => {
  it('never raises an unhandled rejection, and the other jobs complete', async () => {
    const store = new ThrowingStore();
    store.poisoned.add('store-throws');
    const generator = new ThrowingGenerator({
      script: (job) => {
        job.progress(50);
        job.complete();
      },
    });
    service = await buildService({ generator, store, config: { authDisabled: true, apiKeys: [] } });
    // A change listener that throws for every change (a broken subscriber).
    service.runner.on('change', () => {
      throw new Error('listener exploded');
    });

    const prompts = ['fine-1', 'sync-throw', 'bad-error', 'store-throws', 'bad-progress', 'fine-2'];
    const ids: Record<string, string> = {};
    for (const prompt of prompts) {
      const reply = await post(service, '/v1/imagine', { prompt });
      expect(reply.statusCode).toBe(202);
      ids[prompt] = reply.json().id;
    }
    await service.runner.idle();
    await settle();

    const status = async (prompt: string) => (await service!.runner.get(ids[prompt]!))?.status;
    expect(await status('fine-1')).toBe('succeeded');
    expect(await status('fine-2')).toBe('succeeded');
    expect(await status('bad-progress')).toBe('succeeded');
    expect(await service.runner.get(ids['sync-throw']!)).toMatchObject({
      status: 'failed',
      error: { code: 'INTERNAL_ERROR', message: 'generator exploded synchronously' },
    });
    expect(await service.runner.get(ids['bad-error']!)).toMatchObject({
      status: 'failed',
      error: { code: 'INTERNAL_ERROR' },
    });
    // Its writes failed (logged); the job itself ran to its end.
    expect(generator.sentPrompts).toContain('store-throws');
    expect(service.runner.activeCount).toBe(0);
    expect(unhandled).toEqual([]);
  });
});
