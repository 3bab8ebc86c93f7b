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
import type { JobClaim } from '../../src/service/jobs/job-claim.js';
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

/**
 * A store holding unfinished records as an older version stored them, unchecked. A record that
 * can be copied (over-deep metadata) is stored as is; one that cannot (what a broken row decoder
 * might hand back) is served raw by `get`, and can be claimed like any unfinished job: the runner
 * claims a job before it recovers it, and writes its failure under that claim.
 */
class SeededStore extends MemoryJobStore {
  private readonly raw = new Map<string, JobRecord>();

  static async of(seeds: JobRecord[]): Promise<SeededStore> {
    const store = new SeededStore();
    for (const seed of seeds) {
      try {
        structuredClone(seed);
      } catch {
        store.raw.set(seed.id, seed);
        continue;
      }
      await store.insert(seed);
    }
    return store;
  }

  override async listUnfinished(): Promise<JobRecord[]> {
    return [...this.raw.values(), ...(await super.listUnfinished())];
  }
  override async get(id: string): Promise<JobRecord | undefined> {
    return this.raw.get(id) ?? super.get(id);
  }
  override async claim(jobId: string, owner: string, ttlMs: number): Promise<JobClaim | null> {
    if (!this.raw.has(jobId)) return super.claim(jobId, owner, ttlMs);
    return { jobId, owner, fence: 1, expiresAt: Date.now() + ttlMs };
  }
  override async saveClaimed(job: JobRecord, claim: JobClaim): Promise<void> {
    if (!this.raw.has(job.id)) return super.saveClaimed(job, claim);
    // The failure replaces the raw row with a record that can be stored.
    this.raw.delete(job.id);
    await super.insert(job);
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
    const store = await SeededStore.of([deep, uncloneable, fine]);
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

/**
 * A store whose writes of one job throw synchronously (a driver bug), not reject. The runner
 * writes a job in flight under its claim (`saveClaimed`); `poisoned` prompts fail every such
 * write, `poisonedLate` ones every write after the ticket's.
 */
class ThrowingStore extends MemoryJobStore {
  poisoned = new Set<string>();
  poisonedLate = new Set<string>();
  override save(job: JobRecord): Promise<void> {
    if (this.poisoned.has(job.prompt)) throw new Error(`disk on fire for ${job.id}`);
    return super.save(job);
  }
  override saveClaimed(job: JobRecord, claim: JobClaim): Promise<void> {
    if (this.poisoned.has(job.prompt)) throw new Error(`disk on fire for ${job.id}`);
    if (this.poisonedLate.has(job.prompt) && job.status !== 'submitting') {
      throw new Error(`disk on fire for ${job.id}`);
    }
    return super.saveClaimed(job, claim);
  }
}

describe('one job failing inside the service', () => {
  it('never raises an unhandled rejection, and the other jobs complete', async () => {
    const store = new ThrowingStore();
    store.poisoned.add('store-throws');
    store.poisonedLate.add('store-throws-late');
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

    const prompts = [
      'fine-1',
      'sync-throw',
      'bad-error',
      'store-throws',
      'store-throws-late',
      'bad-progress',
      'fine-2',
    ];
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
    // Its ticket could not be stored, so nothing was sent (the restart rule needs the ticket
    // first); its other writes failed too (logged), so the store keeps it queued, unclaimed, for
    // a later adoption.
    expect(generator.sentPrompts).not.toContain('store-throws');
    expect((await store.get(ids['store-throws']!))?.status).toBe('queued');
    // Its writes after the ticket failed (logged); the job itself ran to its end, and the store
    // keeps the ticket, from which a later adoption resumes it without sending it again.
    expect(generator.sentPrompts).toContain('store-throws-late');
    expect((await store.get(ids['store-throws-late']!))?.status).toBe('submitting');
    expect(service.runner.activeCount).toBe(0);
    expect(unhandled).toEqual([]);
  });
});
