/**
 * The service end to end: HTTP on 127.0.0.1 -> the real Midjourney client -> the simulated
 * Discord and Midjourney bot on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { KEY_A } from './helpers/http.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';
import { generatorFor, interactionPosts, startFastSimulator } from './helpers/simulator.js';
import { openSse } from './helpers/sse.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serviceOn(
  sim: Simulator,
  options: { dbPath?: string; watch?: 'poll' | 'gateway'; slots?: number } = {},
) {
  const gen = generatorFor(sim, options.watch, options.slots);
  const t: TestService = await startTestService({
    generator: gen.midjourney,
    probe: gen.probe,
    telemetry: gen.telemetry,
    channelId: sim.channelId,
    ...(options.dbPath ? { config: { dbPath: options.dbPath } } : {}),
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await t.close();
      await gen.close();
    })();
    return closing;
  };
  cleanups.push(close);
  return { t, close };
}

describe('service against the simulator', () => {
  it('runs imagine to a result over SSE, then a button, with Discord calls in /metrics', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const { t } = await serviceOn(sim);
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'a lighthouse at dusk --ar 3:2' });
    const stream = await openSse(`${t.url}/v1/jobs/${body.id}/events`, { authorization: `Bearer ${KEY_A}` });
    const events = await stream.rest();
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('state');
    expect(kinds).toContain('progress');
    expect(kinds.at(-1)).toBe('completed');
    const done = events.at(-1)!.data;
    expect(done.result.actions).toEqual(expect.arrayContaining(['U1', 'U4', 'V2', 'reroll']));
    expect(done.result.imageUrl).toContain(sim.cdnBaseUrl);
    expect(done.result.jobId).toMatch(/^[0-9a-f-]{36}$/);

    const child = await t.alice.post(`/v1/jobs/${body.id}/actions`, { action: 'U2' });
    expect(child.status).toBe(202);
    const upscaled = await waitForStatus(t.started.service.runner, child.body.id, 'succeeded');
    expect(upscaled.result).toMatchObject({ kind: 'upscale' });
    expect(sim.jobs.map((j) => j.kind)).toEqual(['imagine', 'upscale']);

    const metrics: string = (await t.alice.get('/metrics')).body;
    expect(metrics).toMatch(/mjw_discord_requests_total\{route="POST \/interactions",status="204"\} 2/);
    expect(metrics).toContain('mjw_jobs_total{outcome="succeeded"} 2');
    const health = await t.alice.get('/health');
    expect(health.body).toMatchObject({
      status: 'ok',
      discord: { reachable: true, tokenValid: true, user: 'sim-user' },
    });
  });

  it('shows the result image at first sight (progress 100), before the confirmation window ends the job', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const { t } = await serviceOn(sim, { watch: 'gateway' });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'a lighthouse seen at once' });
    const stream = await openSse(`${t.url}/v1/jobs/${body.id}/events`, { authorization: `Bearer ${KEY_A}` });
    const events = await stream.rest();
    const done = events.at(-1)!;
    expect(done.event).toBe('completed');
    const seen = events.find((e) => e.event === 'progress' && e.data.progress === 100);
    expect(seen?.data).toMatchObject({ status: 'running', previewUrl: done.data.result.imageUrl });
    // Seen over the gateway, it came a confirmation window (200 ms here) before the outcome.
    const record = sim.jobs.find((j) => j.prompt.includes('a lighthouse seen at once'));
    expect(record?.resultMessageId).toBe(done.data.result.messageId);
  });

  it('reports every Midjourney outcome with the library name and code, over the API and the proxy routes', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const table = [
      ['pre-moderation', 'PreModerationError', 'PRE_MODERATION'],
      ['post-moderation', 'PostModerationError', 'POST_MODERATION'],
      ['ephemeral-moderation', 'EphemeralModerationError', 'EPHEMERAL_MODERATION'],
      ['queue-full', 'QueueFullError', 'QUEUE_FULL'],
      ['invalid-parameter', 'InvalidRequestError', 'INVALID_REQUEST'],
      ['output-filter', 'OutputFilterError', 'OUTPUT_FILTER'],
      ['duplicate-images', 'DuplicateImagesError', 'DUPLICATE_IMAGES'],
      ['outage', 'JobFailedError', 'JOB_FAILED'],
    ] as const;
    for (const [outcome] of table) sim.bot.script({ match: `case ${outcome}`, outcome });
    const { t } = await serviceOn(sim, { watch: 'gateway' });
    const ids = new Map<string, string>();
    for (const [outcome] of table) {
      ids.set(outcome, (await t.alice.post('/v1/imagine', { prompt: `a scene, case ${outcome}` })).body.id);
    }
    for (const [outcome, name, code] of table) {
      const job = await waitForStatus(t.started.service.runner, ids.get(outcome)!, 'failed');
      expect({ outcome, error: job.error }).toMatchObject({ outcome, error: { name, code } });
      const view = (await t.alice.get(`/v1/jobs/${job.id}`)).body;
      expect(view.error).toMatchObject({ name, code });
    }
    const proxied = (
      await t.anonymous.post(
        '/mj/submit/imagine',
        { prompt: 'again, case queue-full' },
        { 'mj-api-secret': KEY_A },
      )
    ).body.result;
    await waitForStatus(t.started.service.runner, proxied, 'failed');
    const task = await t.anonymous.get(`/mj/task/${proxied}/fetch`, { 'mj-api-secret': KEY_A });
    expect(task.body).toMatchObject({ status: 'FAILURE', properties: { errorCode: 'QUEUE_FULL' } });
    expect(task.body.failReason).toMatch(/^\[QUEUE_FULL\] /);
    const metrics: string = (await t.alice.get('/metrics')).body;
    expect(metrics).toContain('mjw_jobs_total{outcome="QUEUE_FULL"} 2');
  });

  it('after a restart with jobs in flight, follows them to their results without submitting again', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const dbPath = join(dir, 'restart.sqlite');
    // Two slots: the third job waits in the orchestrator's queue, unsent, when the service stops.
    const first = await serviceOn(sim, { dbPath, slots: 2 });
    const ids: string[] = [];
    for (const prompt of ['first castle', 'second castle', 'third castle']) {
      ids.push((await first.t.alice.post('/v1/imagine', { prompt })).body.id);
    }
    await waitForStatus(first.t.started.service.runner, ids[0]!, 'submitted');
    await waitForStatus(first.t.started.service.runner, ids[1]!, 'submitted');
    expect((await first.t.alice.get(`/v1/jobs/${ids[2]}`)).body.status).toBe('queued');
    await first.close();
    expect(interactionPosts(sim)).toBe(2);

    const second = await serviceOn(sim, { dbPath });
    expect(second.t.started.recovered).toMatchObject({ resumed: 2, submitted: 1 });
    for (const id of ids) {
      const job = await waitForStatus(second.t.started.service.runner, id, 'succeeded');
      expect(job.submissions).toBe(1);
    }
    // Three jobs, three interactions: nothing was paid for twice, nothing was lost.
    expect(sim.jobs).toHaveLength(3);
    expect(interactionPosts(sim)).toBe(3);
    const listed = await second.t.alice.get('/v1/jobs?status=succeeded');
    expect(listed.body.jobs.map((j: { prompt: string }) => j.prompt)).toEqual([
      'third castle',
      'second castle',
      'first castle',
    ]);
  });
});
