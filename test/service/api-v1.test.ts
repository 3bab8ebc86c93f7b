import { afterEach, describe, expect, it } from 'vitest';
import { FakeMidjourneyError } from './helpers/fake-generator.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

const until = (t: TestService, id: string, status: string) =>
  waitForStatus(t.started.service.runner, id, status);

describe('POST /v1/imagine and GET /v1/jobs/:id', () => {
  it('accepts a prompt with 202 {id, status}, then reports progress and the result', async () => {
    t = await startTestService();
    const submitted = await t.alice.post('/v1/imagine', { prompt: '  a red fox  ', metadata: { order: 42 } });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toEqual({ id: expect.stringMatching(/^\d{16}$/), status: 'queued' });
    expect(submitted.headers.get('location')).toBe(`/v1/jobs/${submitted.body.id}`);

    const fake = await t.generator.job(1);
    expect(fake.prompt).toBe('a red fox');
    fake.progress(45);
    const running = await t.alice.get(`/v1/jobs/${submitted.body.id}`);
    expect(running.body).toMatchObject({
      status: 'running',
      progress: 45,
      previewUrl: 'https://cdn.test/preview_45.webp',
    });

    const done = until(t, submitted.body.id, 'succeeded');
    const result = fake.complete();
    await done;
    const job = await t.alice.get(`/v1/jobs/${submitted.body.id}`);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({
      id: submitted.body.id,
      kind: 'imagine',
      status: 'succeeded',
      prompt: 'a red fox',
      progress: 100,
      metadata: { order: 42 },
      error: null,
      result: {
        jobId: result.jobId,
        imageUrl: result.imageUrl,
        echoedPrompt: 'a red fox --v 6',
        actions: ['U1', 'U2', 'V1', 'V3', 'reroll'],
        mode: 'fast',
      },
    });
    expect(new Date(job.body.finishedAt).getTime()).toBeGreaterThan(0);
  });

  it.each([
    ['QueueFullError', 'QUEUE_FULL', true],
    ['PreModerationError', 'PRE_MODERATION', false],
    ['InvalidRequestError', 'INVALID_REQUEST', false],
  ])('reports a %s outcome with the library name and code', async (name, code, retryable) => {
    t = await startTestService({
      fake: {
        script: (job) =>
          job.fail(new FakeMidjourneyError(name, code, `Midjourney said ${code}`, job.prompt, retryable)),
      },
    });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'x' });
    await until(t, body.id, 'failed');
    const job = await t.alice.get(`/v1/jobs/${body.id}`);
    expect(job.body).toMatchObject({
      status: 'failed',
      error: { name, code, retryable, message: `Midjourney said ${code}` },
    });
    expect(job.body.result).toBeNull();
  });

  it("answers 404 for an unknown job and for another key's job", async () => {
    t = await startTestService();
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'mine' });
    expect((await t.bob.get(`/v1/jobs/${body.id}`)).status).toBe(404);
    const missing = await t.alice.get('/v1/jobs/1234567890123456');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ name: 'UnknownJobError', code: 'UNKNOWN_JOB' });
  });
});

describe('GET /v1/jobs', () => {
  it.each([
    ['memory', undefined],
    ['SQLite, pre-rendered views', ':memory:'],
  ])('pages newest first with an opaque cursor and filters by status (%s store)', async (_, dbPath) => {
    t = await startTestService({
      fake: { script: (job) => (job.prompt.startsWith('ok') ? void job.complete() : undefined) },
      ...(dbPath === undefined ? {} : { config: { dbPath } }),
    });
    const ids: string[] = [];
    for (const prompt of ['ok 1', 'wait 2', 'ok 3', 'wait 4', 'ok 5']) {
      ids.push((await t.alice.post('/v1/imagine', { prompt })).body.id);
    }
    await t.bob.post('/v1/imagine', { prompt: 'ok bob' });

    const first = await t.alice.get('/v1/jobs?limit=2');
    expect(first.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[4], ids[3]]);
    const second = await t.alice.get(`/v1/jobs?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
    const third = await t.alice.get(`/v1/jobs?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body).toMatchObject({ jobs: [{ id: ids[0] }], nextCursor: null });

    for (const i of [0, 2, 4]) await until(t, ids[i]!, 'succeeded');
    const done = await t.alice.get('/v1/jobs?status=succeeded');
    expect(done.body.jobs.map((j: { prompt: string }) => j.prompt)).toEqual(['ok 5', 'ok 3', 'ok 1']);
    const both = await t.alice.get('/v1/jobs?status=succeeded,submitted');
    expect(both.body.jobs).toHaveLength(5);
    // A listed job is the same view as the job read alone, in flight or finished.
    for (const listed of both.body.jobs) {
      expect(listed).toEqual((await t.alice.get(`/v1/jobs/${listed.id}`)).body);
    }
  });

  it('refuses a bad status, limit or cursor, listing each problem', async () => {
    t = await startTestService();
    const bad = await t.alice.get('/v1/jobs?status=done&limit=500&cursor=bm9wZQ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems).toEqual([
      'querystring.status: "done" is not one of queued, submitting, submitted, running, succeeded, failed, cancelled',
      'querystring.limit: must be from 1 to 100',
      'querystring.cursor: not a cursor this API returned',
    ]);
  });
});

describe('POST /v1/jobs/:id/actions', () => {
  it('presses a button on a finished job as a new job', async () => {
    t = await startTestService({ fake: { script: (job) => void job.complete() } });
    const parent = (await t.alice.post('/v1/imagine', { prompt: 'castle' })).body.id;
    await t.started.service.runner.idle();
    const child = await t.alice.post(`/v1/jobs/${parent}/actions`, { action: 'u2' });
    expect(child.status).toBe(202);
    await t.started.service.runner.idle();
    const fake = t.generator.calls[1]!;
    expect([fake.method, fake.action, fake.kind]).toEqual(['act', 'U2', 'upscale']);
    const job = await t.alice.get(`/v1/jobs/${child.body.id}`);
    expect(job.body).toMatchObject({
      kind: 'upscale',
      action: 'U2',
      parentId: parent,
      status: 'succeeded',
      prompt: 'castle',
    });
  });

  it('refuses an action that is not on the result (422) and a job that has not succeeded (409)', async () => {
    t = await startTestService({
      fake: { script: (job) => (job.prompt === 'done' ? void job.complete() : undefined) },
    });
    const done = (await t.alice.post('/v1/imagine', { prompt: 'done' })).body.id;
    const pending = (await t.alice.post('/v1/imagine', { prompt: 'pending' })).body.id;
    await new Promise((r) => setImmediate(r));
    const missing = await t.alice.post(`/v1/jobs/${done}/actions`, { action: 'V4' });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({
      code: 'ACTION_UNAVAILABLE',
      available: ['U1', 'U2', 'V1', 'V3', 'reroll'],
    });
    const early = await t.alice.post(`/v1/jobs/${pending}/actions`, { action: 'U1' });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'JOB_STATE_CONFLICT', jobStatus: 'submitted' });
  });
});

describe('DELETE /v1/jobs/:id', () => {
  it('cancels before sending: nothing reaches Discord', async () => {
    t = await startTestService({ fake: { autoSend: false } });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'never sent' });
    const cancelled = await t.alice.del(`/v1/jobs/${body.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(t.generator.sent).toBe(0);
    expect(t.generator.calls[0]!.options.signal?.aborted).toBe(true);
  });

  it('cancels a running job, and refuses to cancel it twice', async () => {
    t = await startTestService();
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'long' });
    (await t.generator.job(1)).progress(10);
    expect((await t.alice.del(`/v1/jobs/${body.id}`)).body.status).toBe('cancelled');
    const again = await t.alice.del(`/v1/jobs/${body.id}`);
    expect(again.status).toBe(409);
    expect((await t.bob.del(`/v1/jobs/${body.id}`)).status).toBe(404);
  });
});
