/**
 * Buttons answered with a form through the HTTP service, the real client watching the simulator's
 * gateway on 127.0.0.1: `/v1/jobs/:id/actions` with `prompt`, midjourney-proxy's
 * `/mj/submit/action` with `prompt`, and its two steps (`/mj/submit/action` answers 21 with a
 * ticket, `/mj/submit/modal` runs it with the prompt).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { startTestService, type TestService } from '../service/helpers/service.js';
import { generatorFor } from '../service/helpers/simulator.js';

let sim: Simulator;
let t: TestService;
let gen: ReturnType<typeof generatorFor>;

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 100, bot: { fastSlots: 10, queueSize: 10 } });
  gen = generatorFor(sim, 'gateway');
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

  it('fails Vary (Region) with MODAL_REQUIRED (no mask through the service), without waiting', async () => {
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

  it('refuses maskBase64 with a validation code', async () => {
    const { body } = await t.alice.post('/mj/submit/modal', {
      taskId: '9000000000000000',
      maskBase64: 'AAAA',
    });
    expect(body.code).toBe(4);
  });
});
