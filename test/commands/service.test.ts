/**
 * describe / blend / shorten and image prompts through the HTTP service (/v1 and the
 * midjourney-proxy routes), with the real Midjourney client against the simulator on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { NIJI_APPLICATION_ID, seedOf, startSimulator } from '../../src/simulator/index.js';
import { startReceiver } from '../service/helpers/receiver.js';
import { startTestService, type TestService, waitForStatus } from '../service/helpers/service.js';
import { generatorFor } from '../service/helpers/simulator.js';
import { dataUrl, gridPng, imageServer, redPng } from './helpers.js';

let sim: Simulator;
let t: TestService;
let gen: ReturnType<typeof generatorFor>;
let images: Awaited<ReturnType<typeof imageServer>>;

beforeAll(async () => {
  sim = await startSimulator({
    timeScale: 100,
    bot: { fastSlots: 10, queueSize: 10, bannedWords: ['forbidden'], publicNotices: true },
  });
  gen = generatorFor(sim);
  // webhookAllowPrivate (the helper's default) lets the service fetch from the loopback server.
  t = await startTestService({
    generator: gen.midjourney,
    probe: gen.probe,
    channelId: sim.channelId,
    config: { submitRateLimit: { requests: 1_000, windowMs: 60_000, burst: 1_000 } },
  });
  images = await imageServer({ '/fox.png': gridPng() });
});

afterAll(async () => {
  await t?.close();
  await gen?.close();
  await sim?.close();
  await images?.close();
});

/** Polls /mj/task/{id}/fetch until the task is over. */
async function settled(id: string) {
  for (let i = 0; i < 200; i += 1) {
    const { body } = await t.alice.get(`/mj/task/${id}/fetch`);
    if (body.status === 'SUCCESS' || body.status === 'FAILURE') return body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`task ${id} did not settle`);
}

describe('/v1', () => {
  it('describes a data: URL and an http URL', async () => {
    for (const image of [dataUrl(redPng()), `${images.url}/fox.png`]) {
      const { status, body } = await t.alice.post('/v1/describe', { image });
      expect(status).toBe(200);
      expect(body.prompts).toHaveLength(4);
      expect(body.buttons['1']).toBe('MJ::Job::PicReader::1');
    }
  });

  it('takes images larger than the 64 KiB body limit of the API', async () => {
    const big = Buffer.concat([redPng(), Buffer.alloc(200_000, 7)]);
    const { status, body } = await t.alice.post('/v1/describe', { image: dataUrl(big) });
    expect(status).toBe(200);
    expect(body.prompts).toHaveLength(4);
  });

  it('blends two images into a grid', async () => {
    const { status, body } = await t.alice.post('/v1/blend', {
      images: [dataUrl(redPng()), gridPng().toString('base64')],
      dimensions: 'landscape',
    });
    expect(status).toBe(200);
    expect(body.kind).toBe('blend');
    expect(body.echoedPrompt).toMatch(/--ar 3:2$/);
    expect(body.imageUrl).toMatch(/\.png\?ex=/);
  });

  it('imagines with image prompts and references, uploaded at submit', async () => {
    const { status, body } = await t.alice.post('/v1/imagine', {
      prompt: 'a fox in the snow',
      images: [dataUrl(redPng())],
      sref: [`${images.url}/fox.png`],
    });
    expect(status).toBe(202);
    const job = await waitForStatus(t.started.service.runner, body.id, 'terminal');
    expect(job.status).toBe('succeeded');
    expect(job.prompt).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/attachments\/\S+ a fox in the snow --sref http:\/\/\S+fox\.png\S*$/,
    );
    const refused = await t.alice.post('/v1/imagine', { prompt: 'a fox', cref: ['aGVsbG8='] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('IMAGE_NOT_AN_IMAGE');
  });

  it('reads the seed of a succeeded job', async () => {
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'a seeded lighthouse' });
    const job = await waitForStatus(t.started.service.runner, body.id, 'terminal');
    const seed = await t.alice.post(`/v1/jobs/${body.id}/seed`, {});
    expect(seed.status).toBe(200);
    expect(seed.body).toMatchObject({
      id: body.id,
      jobId: job.result?.jobId,
      seed: String(seedOf(job.result!.jobId)),
    });
    const proxy = await t.alice.get(`/mj/task/${body.id}/image-seed`);
    expect(proxy.body).toMatchObject({ code: 1, result: String(seedOf(job.result!.jobId)) });
    expect((await t.bob.post(`/v1/jobs/${body.id}/seed`, {})).status).toBe(404);
  });

  it("reads the seed of a succeeded niji job from niji's DM (/v1 and image-seed)", async () => {
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'a seeded paper lantern', botType: 'niji' });
    const job = await waitForStatus(t.started.service.runner, body.id, 'terminal');
    expect(job).toMatchObject({ status: 'succeeded', botType: 'niji' });
    const jobId = job.result?.jobId ?? '';
    expect(sim.jobs.find((j) => j.id === jobId)?.botType).toBe('niji');
    const seed = await t.alice.post(`/v1/jobs/${body.id}/seed`, {});
    expect(seed.status).toBe(200);
    expect(seed.body).toMatchObject({ id: body.id, jobId, seed: String(seedOf(jobId)) });
    expect(sim.messages(seed.body.dmChannelId).find((m) => m.id === seed.body.messageId)?.author.id).toBe(
      NIJI_APPLICATION_ID,
    );
    const proxy = await t.alice.get(`/mj/task/${body.id}/image-seed`);
    expect(proxy.body).toMatchObject({ code: 1, result: String(seedOf(jobId)) });
  });

  it('shortens a prompt', async () => {
    const { status, body } = await t.alice.post('/v1/shorten', { prompt: 'a lighthouse in the fog at dusk' });
    expect(status).toBe(200);
    expect(body.prompts).toHaveLength(5);
    expect(body.tokens).toContainEqual({ text: 'lighthouse', weight: 'important' });
  });

  it('refuses bad images, forbidden URLs and moderated prompts with typed codes', async () => {
    const notImage = await t.alice.post('/v1/describe', {
      image: Buffer.from('plain text').toString('base64'),
    });
    expect(notImage.status).toBe(400);
    expect(notImage.body.error.code).toBe('IMAGE_NOT_AN_IMAGE');
    // A path is never read from the server's disk: it is taken as base64, which is no image.
    const path = await t.alice.post('/v1/describe', { image: '/etc/passwd' });
    expect(path.status).toBe(400);
    expect(path.body.error.code).toBe('IMAGE_NOT_AN_IMAGE');
    const forbidden = await t.alice.post('/v1/describe', { image: 'ftp://127.0.0.1/x.png' });
    expect(forbidden.body.error.code).toBe('IMAGE_UNREADABLE');
    const few = await t.alice.post('/v1/blend', { images: [dataUrl(redPng())] });
    expect(few.status).toBe(400);
    const banned = await t.alice.post('/v1/shorten', { prompt: 'a forbidden thing' });
    expect(banned.status).toBe(422);
    expect(banned.body.error.code).toBe('PRE_MODERATION');
  });
});

describe('midjourney-proxy', () => {
  it('runs DESCRIBE, BLEND and SHORTEN as tasks', async () => {
    const described = await t.alice.post('/mj/submit/describe', { base64: dataUrl(redPng()), state: 's1' });
    expect(described.body.code).toBe(1);
    const blended = await t.alice.post('/mj/submit/blend', {
      base64Array: [dataUrl(redPng()), dataUrl(gridPng())],
      dimensions: 'PORTRAIT',
    });
    expect(blended.body.code).toBe(1);
    const shortened = await t.alice.post('/mj/submit/shorten', { prompt: 'a red fox in the style of ink' });
    expect(shortened.body.code).toBe(1);

    const describe = await settled(described.body.result);
    expect(describe).toMatchObject({ action: 'DESCRIBE', status: 'SUCCESS', state: 's1' });
    expect(describe.properties.prompts).toHaveLength(4);
    expect(describe.prompt).toMatch(/^1️⃣ /);
    const blend = await settled(blended.body.result);
    expect(blend).toMatchObject({ action: 'BLEND', status: 'SUCCESS' });
    expect(blend.imageUrl).toMatch(/\.png\?ex=/);
    expect(blend.buttons.map((b: { label: string }) => b.label)).toContain('U1');
    const shorten = await settled(shortened.body.result);
    expect(shorten).toMatchObject({ action: 'SHORTEN', status: 'SUCCESS' });
    expect(shorten.properties.finalPrompt).toMatch(/^## Important tokens\n~~a~~ \*\*red\*\* fox/);
    expect(shorten.properties.prompts).toHaveLength(5);
    // Another key cannot read them.
    expect((await t.bob.get(`/mj/task/${described.body.result}/fetch`)).status).toBe(404);
  });

  it('refuses bad input with code 4 and reports a moderated describe as FAILURE', async () => {
    const bad = await t.alice.post('/mj/submit/describe', { base64: Buffer.from('nope').toString('base64') });
    expect(bad.body.code).toBe(4);
    expect(bad.body.properties.code).toBe('IMAGE_NOT_AN_IMAGE');
    const forbidden = await t.alice.post('/mj/submit/describe', { link: 'file:///etc/passwd' });
    expect(forbidden.body.code).toBe(4);
    const one = await t.alice.post('/mj/submit/blend', { base64Array: [dataUrl(redPng())] });
    expect(one.body.code).toBe(4);
    const banned = await t.alice.post('/mj/submit/shorten', { prompt: 'forbidden words' });
    const task = await settled(banned.body.result);
    expect(task.status).toBe('FAILURE');
    expect(task.properties.errorCode).toBe('PRE_MODERATION');
  });

  it('delivers DESCRIBE, SHORTEN and a FAILURE to the notifyHook once settled', async () => {
    const receiver = await startReceiver();
    try {
      const described = await t.alice.post('/mj/submit/describe', {
        base64: dataUrl(redPng()),
        notifyHook: `${receiver.url}/hook`,
        state: 'd1',
      });
      const banned = await t.alice.post('/mj/submit/shorten', {
        prompt: 'forbidden words again',
        notifyHook: `${receiver.url}/hook`,
      });
      const received = await receiver.waitFor(2);
      const bodies = received.map((r) => JSON.parse(r.body));
      const describe = bodies.find((b) => b.id === described.body.result);
      expect(describe).toMatchObject({ action: 'DESCRIBE', status: 'SUCCESS', state: 'd1' });
      expect(describe.properties.prompts).toHaveLength(4);
      const failed = bodies.find((b) => b.id === banned.body.result);
      expect(failed).toMatchObject({ action: 'SHORTEN', status: 'FAILURE' });
      expect(received.every((r) => r.path === '/hook')).toBe(true);
      const refused = await t.alice.post('/mj/submit/shorten', {
        prompt: 'x',
        notifyHook: 'ftp://example.com/hook',
      });
      expect(refused.body.code).toBe(4);
    } finally {
      await receiver.close();
    }
  });

  it('takes base64Array image prompts on /mj/submit/imagine', async () => {
    const { body } = await t.alice.post('/mj/submit/imagine', {
      prompt: 'a lighthouse at dusk',
      base64Array: [dataUrl(redPng())],
    });
    expect(body).toMatchObject({ code: 1 });
    const job = await waitForStatus(t.started.service.runner, body.result, 'terminal');
    expect(job.status).toBe('succeeded');
    expect(job.prompt).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/attachments\/\S+ a lighthouse at dusk$/);
    const refused = await t.alice.post('/mj/submit/imagine', { prompt: 'x', base64Array: ['aGVsbG8='] });
    expect(refused.body.code).toBe(4);
  });
});

describe('midjourney-proxy tasks after a restart', () => {
  it('answers DESCRIBE and SHORTEN tasks (final state) from the same SQLite file, in list-by-condition too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-tasks-'));
    const config = {
      dbPath: join(dir, 'jobs.db'),
      submitRateLimit: { requests: 1_000, windowMs: 60_000, burst: 1_000 },
    };
    const options = { generator: gen.midjourney, probe: gen.probe, channelId: sim.channelId, config };
    try {
      const first = await startTestService(options);
      const poll = async (id: string) => {
        for (let i = 0; i < 200; i += 1) {
          const { body } = await first.alice.get(`/mj/task/${id}/fetch`);
          if (body.status === 'SUCCESS' || body.status === 'FAILURE') return body;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        throw new Error(`task ${id} did not settle`);
      };
      const described = await first.alice.post('/mj/submit/describe', {
        base64: dataUrl(redPng()),
        state: 'r1',
      });
      const banned = await first.alice.post('/mj/submit/shorten', { prompt: 'forbidden fruit' });
      const imagine = await first.alice.post('/mj/submit/imagine', { prompt: 'a quiet harbour' });
      const before = await poll(described.body.result);
      expect(before).toMatchObject({ action: 'DESCRIBE', status: 'SUCCESS', state: 'r1' });
      const failed = await poll(banned.body.result);
      expect(failed.status).toBe('FAILURE');
      await poll(imagine.body.result);
      await first.close();

      const second = await startTestService(options);
      try {
        const after = await second.alice.get(`/mj/task/${described.body.result}/fetch`);
        expect(after.status).toBe(200);
        expect(after.body).toEqual(before);
        expect(after.body.properties.prompts).toHaveLength(4);
        const shorten = await second.alice.get(`/mj/task/${banned.body.result}/fetch`);
        expect(shorten.body).toMatchObject({ action: 'SHORTEN', status: 'FAILURE' });
        expect(shorten.body.properties.errorCode).toBe('PRE_MODERATION');
        const listed = await second.alice.post('/mj/task/list-by-condition', {
          ids: [imagine.body.result, described.body.result, '9999999999999999', banned.body.result],
        });
        expect(listed.body.map((task: { id: string; action: string }) => [task.id, task.action])).toEqual([
          [imagine.body.result, 'IMAGINE'],
          [described.body.result, 'DESCRIBE'],
          [banned.body.result, 'SHORTEN'],
        ]);
        // Still the owner's only.
        expect((await second.bob.get(`/mj/task/${described.body.result}/fetch`)).status).toBe(404);
        const bobs = await second.bob.post('/mj/task/list-by-condition', { ids: [described.body.result] });
        expect(bobs.body).toEqual([]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
