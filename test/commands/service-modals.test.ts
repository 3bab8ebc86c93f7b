/**
 * Buttons answered with a form through the HTTP service, the real client watching the simulator's
 * gateway on 127.0.0.1: `/v1/jobs/:id/actions` with `prompt`, midjourney-proxy's
 * `/mj/submit/action` with `prompt`, and its two steps (`/mj/submit/action` answers 21 with a
 * ticket, `/mj/submit/modal` runs it with the prompt).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRecord } from '../../src/service/jobs/job.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import type { Simulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { encodeSolidPng } from '../../src/util/png-images.js';
import { startTestService, type TestService } from '../service/helpers/service.js';
import { generatorFor } from '../service/helpers/simulator.js';

let sim: Simulator;
let t: TestService;
let gen: ReturnType<typeof generatorFor>;

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 100, bot: { fastSlots: 10, queueSize: 10 } });
  gen = generatorFor(sim, 'gateway', 10, true);
  t = await startTestService({
    generator: gen.midjourney,
    probe: gen.probe,
    channelId: sim.channelId,
    config: {
      rateLimit: { requests: 100_000, windowMs: 60_000, burst: 100_000 },
      submitRateLimit: { requests: 1_000, windowMs: 60_000, burst: 1_000 },
    },
  });
});

afterAll(async () => {
  await t?.close();
  await gen?.close();
  await sim?.close();
});

const maskPng = () => Buffer.from(encodeSolidPng(16, 16, [255, 255, 255]));
const editorPosts = () => sim.requests.filter((r) => r.route === 'POST /inpaint/api/submit-job');
/** Requests that would change something (anything but reads). */
const sent = () => sim.requests.filter((r) => r.method !== 'GET');

async function settledTask(id: string) {
  for (let i = 0; i < 400; i += 1) {
    const { body } = await t.alice.get(`/mj/task/${id}/fetch`);
    if (body.status === 'SUCCESS' || body.status === 'FAILURE') return body;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`task ${id} did not settle`);
}

async function settledJob(id: string) {
  for (let i = 0; i < 400; i += 1) {
    const { body } = await t.alice.get(`/v1/jobs/${id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(body.status)) return body;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`job ${id} did not settle`);
}

/** An upscaled task (its buttons include Custom Zoom). */
async function upscaledTask(prompt: string): Promise<string> {
  const imagine = await t.alice.post('/mj/submit/imagine', { prompt });
  await settledTask(imagine.body.result);
  const up = await t.alice.post('/mj/submit/change', {
    taskId: imagine.body.result,
    action: 'UPSCALE',
    index: 1,
  });
  const done = await settledTask(up.body.result);
  expect(done.status).toBe('SUCCESS');
  return up.body.result;
}

async function inpaintButton(taskId: string): Promise<string> {
  const task = await t.alice.get(`/mj/task/${taskId}/fetch`);
  const button = (task.body.buttons as { customId: string }[]).find((b) =>
    b.customId.startsWith('MJ::Inpaint::'),
  );
  expect(button).toBeDefined();
  return button!.customId;
}

describe('/v1', () => {
  it('runs a Remix variation with the new prompt', async () => {
    const created = await t.alice.post('/v1/imagine', { prompt: 'a windmill in a field' });
    const grid = await settledJob(created.body.id);
    expect(grid.status).toBe('succeeded');
    sim.bot.setRemix(true, sim.userId);
    try {
      const action = await t.alice.post(`/v1/jobs/${grid.id}/actions`, {
        action: 'V2',
        prompt: 'a windmill in the snow',
      });
      expect(action.status).toBe(202);
      const remixed = await settledJob(action.body.id);
      expect(remixed.status).toBe('succeeded');
      expect(remixed.result.echoedPrompt).toBe('a windmill in the snow');
      expect(remixed.prompt).toBe('a windmill in the snow');
    } finally {
      sim.bot.setRemix(false, sim.userId);
    }
  });

  it('runs Vary (Region) with a mask (data: URL) and a prompt', async () => {
    const id = await upscaledTask('a blue door');
    sim.clearRequests();
    const action = await t.alice.post(`/v1/jobs/${id}/actions`, {
      action: 'vary-region',
      prompt: 'a green door',
      mask: `data:image/png;base64,${maskPng().toString('base64')}`,
    });
    expect(action.status).toBe(202);
    expect(action.body).not.toHaveProperty('mask');
    const job = await settledJob(action.body.id);
    expect(job.status).toBe('succeeded');
    expect(job.kind).toBe('variation');
    expect(job.result.echoedPrompt).toBe('a green door');
    expect(editorPosts().map((r) => r.status)).toEqual([200]);
    // The stored job drops the mask once it ended.
    expect((await t.started.service.store.get(job.id))?.mask ?? null).toBeNull();
  });

  it('refuses a mask that is not a PNG, or too big, with 400 and nothing sent', async () => {
    const id = await upscaledTask('a yellow door');
    sim.clearRequests();
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
    const notPng = await t.alice.post(`/v1/jobs/${id}/actions`, {
      action: 'vary-region',
      mask: jpeg.toString('base64'),
    });
    expect(notPng.status).toBe(400);
    expect(notPng.body.error).toMatchObject({ name: 'ImageInputError', code: 'IMAGE_NOT_AN_IMAGE' });
    expect(notPng.body.error.message).toContain('PNG');
    const big = Buffer.concat([maskPng(), Buffer.alloc(1024 * 1024)]);
    const tooBig = await t.alice.post(`/v1/jobs/${id}/actions`, {
      action: 'vary-region',
      mask: big.toString('base64'),
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.code).toBe('IMAGE_TOO_LARGE');
    const notRegion = await t.alice.post(`/v1/jobs/${id}/actions`, {
      action: 'vary-strong',
      mask: maskPng().toString('base64'),
    });
    expect(notRegion.status).toBe(400);
    expect(notRegion.body.error.code).toBe('VALIDATION_FAILED');
    expect(sent()).toEqual([]);
  });

  it('fails Vary (Region) with MODAL_REQUIRED without a mask, without waiting', async () => {
    const id = await upscaledTask('a red barn');
    const action = await t.alice.post(`/v1/jobs/${id}/actions`, { action: 'vary-region' });
    const job = await settledJob(action.body.id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('MODAL_REQUIRED');
  });
});

describe('midjourney-proxy', () => {
  it('/mj/submit/action with a prompt answers the Custom Zoom form', async () => {
    const id = await upscaledTask('a stone bridge');
    const task = await t.alice.get(`/mj/task/${id}/fetch`);
    const zoom = (task.body.buttons as { customId: string }[]).find((b) =>
      b.customId.startsWith('MJ::CustomZoom::'),
    );
    expect(zoom).toBeDefined();
    const submitted = await t.alice.post('/mj/submit/action', {
      taskId: id,
      customId: zoom!.customId,
      prompt: 'a stone bridge --zoom 1.8',
    });
    expect(submitted.body.code).toBe(1);
    const done = await settledTask(submitted.body.result);
    expect(done.status).toBe('SUCCESS');
    expect(done.promptEn ?? done.prompt).toContain('--zoom 1.8');
  });

  it('two steps: /mj/submit/action answers 21 with a ticket, /mj/submit/modal runs it', async () => {
    const id = await upscaledTask('a lighthouse keeper');
    const task = await t.alice.get(`/mj/task/${id}/fetch`);
    const zoom = (task.body.buttons as { customId: string }[]).find((b) =>
      b.customId.startsWith('MJ::CustomZoom::'),
    );
    const first = await t.alice.post('/mj/submit/action', { taskId: id, customId: zoom!.customId });
    expect(first.body).toMatchObject({ code: 21, description: 'Waiting for window confirm' });
    expect(first.body.properties.finalPrompt).toBe('a lighthouse keeper');
    const second = await t.alice.post('/mj/submit/modal', {
      taskId: first.body.result,
      prompt: 'a lighthouse keeper --zoom 1.2',
    });
    expect(second.body.code).toBe(1);
    const done = await settledTask(second.body.result);
    expect(done.status).toBe('SUCCESS');
    // A ticket is used once.
    const again = await t.alice.post('/mj/submit/modal', {
      taskId: first.body.result,
      prompt: 'x --zoom 1.2',
    });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe(3);
  });

  it('Vary (Region) in one step: /mj/submit/action with maskBase64 and a prompt', async () => {
    const id = await upscaledTask('a wooden gate');
    const region = await inpaintButton(id);
    sim.clearRequests();
    const submitted = await t.alice.post('/mj/submit/action', {
      taskId: id,
      customId: region,
      prompt: 'an iron gate',
      maskBase64: maskPng().toString('base64'),
    });
    expect(submitted.body.code).toBe(1);
    const done = await settledTask(submitted.body.result);
    expect(done.status).toBe('SUCCESS');
    expect(done.action).toBe('VARIATION');
    expect(editorPosts().map((r) => r.status)).toEqual([200]);
  });

  it('Vary (Region) in two steps: action answers 21, modal brings the mask', async () => {
    const id = await upscaledTask('a garden shed');
    const region = await inpaintButton(id);
    const first = await t.alice.post('/mj/submit/action', { taskId: id, customId: region });
    expect(first.body).toMatchObject({ code: 21, description: 'Waiting for window confirm' });
    // Without the mask the ticket is refused (and used).
    const second = await t.alice.post('/mj/submit/action', { taskId: id, customId: region });
    const noMask = await t.alice.post('/mj/submit/modal', { taskId: second.body.result, prompt: 'x' });
    expect(noMask.body.code).toBe(4);
    sim.clearRequests();
    const done = await t.alice.post('/mj/submit/modal', {
      taskId: first.body.result,
      prompt: 'a glass shed',
      maskBase64: `data:image/png;base64,${maskPng().toString('base64')}`,
    });
    expect(done.body.code).toBe(1);
    const task = await settledTask(done.body.result);
    expect(task.status).toBe('SUCCESS');
    expect(editorPosts()).toHaveLength(1);
  });

  it('refuses a bad maskBase64 with 400, code 4 and the image code, nothing sent', async () => {
    const id = await upscaledTask('a brick wall');
    const region = await inpaintButton(id);
    sim.clearRequests();
    const notImage = await t.alice.post('/mj/submit/action', {
      taskId: id,
      customId: region,
      maskBase64: 'AAAA',
    });
    expect(notImage.status).toBe(400);
    expect(notImage.body).toMatchObject({ code: 4, properties: { code: 'IMAGE_NOT_AN_IMAGE' } });
    const big = Buffer.concat([maskPng(), Buffer.alloc(1024 * 1024)]).toString('base64');
    const tooBig = await t.alice.post('/mj/submit/modal', { taskId: '9000000000000000', maskBase64: big });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ code: 4, properties: { code: 'IMAGE_TOO_LARGE' } });
    const upscale = await t.alice.get(`/mj/task/${id}/fetch`);
    const other = (upscale.body.buttons as { customId: string }[]).find(
      (b) => !b.customId.startsWith('MJ::Inpaint::'),
    );
    const notRegion = await t.alice.post('/mj/submit/action', {
      taskId: id,
      customId: other!.customId,
      maskBase64: maskPng().toString('base64'),
    });
    expect(notRegion.body.code).toBe(4);
    expect(sent()).toEqual([]);
  });
});

describe('restart', () => {
  it('a Vary (Region) job not yet sent when the service stopped runs with its stored mask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-region-'));
    const dbPath = join(dir, 'jobs.db');
    const config = { dbPath, rateLimit: { requests: 100_000, windowMs: 60_000, burst: 100_000 } };
    try {
      const first = await startTestService({ generator: gen.midjourney, probe: gen.probe, config });
      const grid = await first.alice.post('/v1/imagine', { prompt: 'a tin roof' });
      let done = await waitJob(first, grid.body.id);
      const up = await first.alice.post(`/v1/jobs/${done.id}/actions`, { action: 'U1' });
      done = await waitJob(first, up.body.id);
      expect(done.status).toBe('succeeded');
      await first.close();
      // What a stop leaves: the job accepted and stored with its mask, nothing sent yet.
      const store = new SqliteJobStore({ path: dbPath });
      const id = String(BigInt(done.id) + 1_000n).padStart(16, '0');
      await store.insert(
        createJobRecord(
          id,
          {
            clientId: 'alice',
            kind: 'variation',
            action: 'vary-region',
            parentId: done.id,
            prompt: 'a copper roof',
            mask: maskPng().toString('base64'),
          },
          Date.now(),
        ),
      );
      await store.close();
      sim.clearRequests();
      const second = await startTestService({ generator: gen.midjourney, probe: gen.probe, config });
      try {
        const region = await waitJob(second, id);
        expect(region.status).toBe('succeeded');
        expect(region.result.echoedPrompt).toBe('a copper roof');
        expect(editorPosts().map((r) => r.status)).toEqual([200]);
        expect((await second.started.service.store.get(id))?.mask ?? null).toBeNull();
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function waitJob(service: TestService, id: string) {
  for (let i = 0; i < 400; i += 1) {
    const { body } = await service.alice.get(`/v1/jobs/${id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(body.status)) return body;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`job ${id} did not settle`);
}
