/**
 * niji・journey through the service: `botType` on POST /v1/imagine (stored with the job, shown in
 * its view, followed by its buttons), on POST /v1/describe and /v1/blend, and midjourney-proxy's
 * `botType: "NIJI_JOURNEY"` on /mj/submit/imagine, /mj/submit/describe and /mj/submit/blend; the job store is SQLite, so the field survives a write and a read.
 * HTTP on 127.0.0.1 -> the real client -> the simulated Discord with both bots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NIJI_APPLICATION_ID, type Simulator } from '../../src/simulator/index.js';
import { dataUrl, gridPng, redPng } from '../commands/helpers.js';
import { KEY_A } from './helpers/http.js';
import { startTestService, waitForStatus } from './helpers/service.js';
import { generatorFor, interactionPosts, startFastSimulator } from './helpers/simulator.js';

const MJ = '936929561302675456';
const dir = mkdtempSync(join(tmpdir(), 'mjw-niji-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serviceOn(sim: Simulator) {
  const gen = generatorFor(sim, 'poll');
  const t = await startTestService({
    generator: gen.midjourney,
    probe: gen.probe,
    telemetry: gen.telemetry,
    channelId: sim.channelId,
    config: { dbPath: join(dir, `jobs-${cleanups.length}-${Date.now()}.sqlite`) },
  });
  cleanups.push(async () => {
    await t.close();
    await gen.close();
  });
  return t;
}

function authorOf(sim: Simulator, messageId: string | undefined): string | undefined {
  return sim.messages().find((m) => m.id === messageId)?.author.id;
}

describe('niji・journey in the service', () => {
  it('POST /v1/imagine {botType: "niji"} runs on niji, shows the bot in the view, and its button follows', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const t = await serviceOn(sim);
    const runner = t.started.service.runner;
    const niji = (await t.alice.post('/v1/imagine', { prompt: 'a fox spirit', botType: 'niji' })).body.id;
    const plain = (await t.alice.post('/v1/imagine', { prompt: 'a fox spirit' })).body.id;
    const nijiJob = await waitForStatus(runner, niji, 'succeeded');
    const plainJob = await waitForStatus(runner, plain, 'succeeded');

    const view = (await t.alice.get(`/v1/jobs/${niji}`)).body;
    expect(view).toMatchObject({ botType: 'niji', status: 'succeeded' });
    expect(authorOf(sim, view.result.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(sim.jobs.find((j) => j.id === view.result.jobId)).toMatchObject({
      botType: 'niji',
      prompt: 'a fox spirit',
    });
    const plainView = (await t.alice.get(`/v1/jobs/${plain}`)).body;
    expect(plainView.botType).toBe('midjourney');
    expect(authorOf(sim, plainView.result.messageId)).toBe(MJ);
    expect(nijiJob.result?.messageId).not.toBe(plainJob.result?.messageId);
    // Stored with the job (SQLite), and in the list's stored views too.
    expect((await t.started.service.store.get(niji))?.botType).toBe('niji');
    const list = (await t.alice.get('/v1/jobs')).body.jobs as { id: string; botType: string }[];
    expect(Object.fromEntries(list.map((j) => [j.id, j.botType]))).toMatchObject({
      [niji]: 'niji',
      [plain]: 'midjourney',
    });

    const child = (await t.alice.post(`/v1/jobs/${niji}/actions`, { action: 'U3' })).body.id;
    await waitForStatus(runner, child, 'succeeded');
    const childView = (await t.alice.get(`/v1/jobs/${child}`)).body;
    expect(childView).toMatchObject({ kind: 'upscale', botType: 'niji', parentId: niji });
    expect(authorOf(sim, childView.result.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(sim.jobs.find((j) => j.kind === 'upscale')).toMatchObject({ botType: 'niji', index: 3 });
  });

  it('refuses an unknown botType with 400 and sends nothing', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const t = await serviceOn(sim);
    const refused = await t.alice.post('/v1/imagine', { prompt: 'a fox', botType: 'dalle' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('botType');
    expect(interactionPosts(sim)).toBe(0);
  });

  it('/mj/submit/imagine takes botType NIJI_JOURNEY; the task says so, and UPSCALE goes to niji', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const t = await serviceOn(sim);
    const secret = { 'mj-api-secret': KEY_A };
    const submitted = await t.anonymous.post(
      '/mj/submit/imagine',
      { prompt: 'a koi pond', botType: 'NIJI_JOURNEY' },
      secret,
    );
    expect(submitted.body).toMatchObject({ code: 1 });
    const id = submitted.body.result as string;
    await waitForStatus(t.started.service.runner, id, 'succeeded');
    const task = (await t.anonymous.get(`/mj/task/${id}/fetch`, secret)).body;
    expect(task).toMatchObject({ status: 'SUCCESS', properties: { botType: 'NIJI_JOURNEY' } });
    expect(authorOf(sim, task.properties.messageId)).toBe(NIJI_APPLICATION_ID);

    const change = await t.anonymous.post(
      '/mj/submit/change',
      { taskId: id, action: 'UPSCALE', index: 1 },
      secret,
    );
    expect(change.body).toMatchObject({ code: 1 });
    await waitForStatus(t.started.service.runner, change.body.result, 'succeeded');
    const upscale = (await t.anonymous.get(`/mj/task/${change.body.result}/fetch`, secret)).body;
    expect(upscale).toMatchObject({ action: 'UPSCALE', properties: { botType: 'NIJI_JOURNEY' } });
    expect(authorOf(sim, upscale.properties.messageId)).toBe(NIJI_APPLICATION_ID);

    const plain = await t.anonymous.post(
      '/mj/submit/imagine',
      { prompt: 'a koi pond', botType: 'MID_JOURNEY' },
      secret,
    );
    await waitForStatus(t.started.service.runner, plain.body.result, 'succeeded');
    const plainTask = (await t.anonymous.get(`/mj/task/${plain.body.result}/fetch`, secret)).body;
    expect(plainTask.properties.botType).toBe('MID_JOURNEY');
    expect(authorOf(sim, plainTask.properties.messageId)).toBe(MJ);

    const posts = interactionPosts(sim);
    const refused = await t.anonymous.post(
      '/mj/submit/imagine',
      { prompt: 'a fox', botType: 'DALLE' },
      secret,
    );
    expect(refused.body).toMatchObject({
      code: 4,
      description: 'botType must be MID_JOURNEY or NIJI_JOURNEY',
    });
    expect(interactionPosts(sim)).toBe(posts);
    expect(sim.jobs.map((j) => [j.kind, j.botType])).toEqual([
      ['imagine', 'niji'],
      ['upscale', 'niji'],
      ['imagine', 'midjourney'],
    ]);
  });

  it('POST /v1/describe and /v1/blend {botType: "niji"} run niji\'s own commands; unknown is 400', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const t = await serviceOn(sim);
    const described = await t.alice.post('/v1/describe', { image: dataUrl(redPng()), botType: 'niji' });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ kind: 'describe', botType: 'niji' });
    expect(described.body.prompts).toHaveLength(4);
    expect(authorOf(sim, described.body.messageId)).toBe(NIJI_APPLICATION_ID);
    const plain = await t.alice.post('/v1/describe', { image: dataUrl(redPng()) });
    expect(plain.body.botType).toBe('midjourney');
    expect(authorOf(sim, plain.body.messageId)).toBe(MJ);

    const blended = await t.alice.post('/v1/blend', {
      images: [dataUrl(redPng()), dataUrl(gridPng())],
      botType: 'niji',
    });
    expect(blended.status).toBe(200);
    expect(blended.body).toMatchObject({ kind: 'blend', botType: 'niji' });
    expect(authorOf(sim, blended.body.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(sim.jobs.find((j) => j.id === blended.body.jobId)).toMatchObject({
      kind: 'blend',
      botType: 'niji',
    });

    const posts = interactionPosts(sim);
    for (const [route, body] of [
      ['/v1/describe', { image: dataUrl(redPng()), botType: 'NIJI_JOURNEY' }],
      ['/v1/blend', { images: [dataUrl(redPng()), dataUrl(gridPng())], botType: 'dalle' }],
    ] as const) {
      const refused = await t.alice.post(route, body);
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('botType');
    }
    expect(interactionPosts(sim)).toBe(posts);
  });

  it('/mj/submit/describe and /mj/submit/blend take botType NIJI_JOURNEY; tasks say so; others are code 4', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    const t = await serviceOn(sim);
    const secret = { 'mj-api-secret': KEY_A };
    const settled = async (id: string) => {
      for (let i = 0; i < 200; i += 1) {
        const { body } = await t.anonymous.get(`/mj/task/${id}/fetch`, secret);
        if (body.status === 'SUCCESS' || body.status === 'FAILURE') return body;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`task ${id} did not settle`);
    };
    const described = await t.anonymous.post(
      '/mj/submit/describe',
      { base64: dataUrl(redPng()), botType: 'NIJI_JOURNEY' },
      secret,
    );
    expect(described.body).toMatchObject({ code: 1 });
    const blended = await t.anonymous.post(
      '/mj/submit/blend',
      { base64Array: [dataUrl(redPng()), dataUrl(gridPng())], botType: 'NIJI_JOURNEY' },
      secret,
    );
    expect(blended.body).toMatchObject({ code: 1 });
    const plain = await t.anonymous.post('/mj/submit/describe', { base64: dataUrl(redPng()) }, secret);

    const describe = await settled(described.body.result);
    expect(describe).toMatchObject({
      action: 'DESCRIBE',
      status: 'SUCCESS',
      properties: { botType: 'NIJI_JOURNEY' },
    });
    expect(describe.properties.prompts).toHaveLength(4);
    expect(authorOf(sim, describe.properties.messageId)).toBe(NIJI_APPLICATION_ID);
    const blend = await settled(blended.body.result);
    expect(blend).toMatchObject({
      action: 'BLEND',
      status: 'SUCCESS',
      properties: { botType: 'NIJI_JOURNEY' },
    });
    expect(authorOf(sim, blend.properties.messageId)).toBe(NIJI_APPLICATION_ID);
    expect(sim.jobs.find((j) => j.id === blend.properties.jobId)).toMatchObject({ botType: 'niji' });
    const plainTask = await settled(plain.body.result);
    expect(plainTask.properties.botType).toBe('MID_JOURNEY');
    expect(authorOf(sim, plainTask.properties.messageId)).toBe(MJ);

    const posts = interactionPosts(sim);
    const refusedDescribe = await t.anonymous.post(
      '/mj/submit/describe',
      { base64: dataUrl(redPng()), botType: 'niji' },
      secret,
    );
    const refusedBlend = await t.anonymous.post(
      '/mj/submit/blend',
      { base64Array: [dataUrl(redPng()), dataUrl(gridPng())], botType: 'DALLE' },
      secret,
    );
    for (const refused of [refusedDescribe, refusedBlend]) {
      expect(refused.body).toMatchObject({
        code: 4,
        description: 'botType must be MID_JOURNEY or NIJI_JOURNEY',
      });
    }
    expect(interactionPosts(sim)).toBe(posts);
  });
});
