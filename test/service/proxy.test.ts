import { afterEach, describe, expect, it } from 'vitest';
import { FakeMidjourneyError } from './helpers/fake-generator.js';
import { KEY_A } from './helpers/http.js';
import { startReceiver } from './helpers/receiver.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

let t: TestService;
afterEach(async () => t?.close());

/** A midjourney-proxy client: the `mj-api-secret` header, as apps written for it send. */
const proxyHeaders = { 'mj-api-secret': KEY_A };

describe('midjourney-proxy compatible API', () => {
  it('submits with /mj/submit/imagine and fetches the task with its field names', async () => {
    t = await startTestService();
    const submit = await t.anonymous.post(
      '/mj/submit/imagine',
      { prompt: 'cat --ar 3:2', state: 'order-9' },
      proxyHeaders,
    );
    expect(submit.status).toBe(200);
    expect(submit.body).toEqual({
      code: 1,
      description: 'Submit success',
      result: expect.stringMatching(/^\d{16}$/),
      properties: {},
    });
    const id = submit.body.result;

    const fake = await t.generator.job(1);
    fake.progress(31, 'https://cdn.test/grid_0.webp');
    const running = await t.anonymous.get(`/mj/task/${id}/fetch`, proxyHeaders);
    expect(running.body).toMatchObject({
      id,
      action: 'IMAGINE',
      status: 'IN_PROGRESS',
      progress: '31%',
      imageUrl: 'https://cdn.test/grid_0.webp',
      prompt: 'cat --ar 3:2',
      promptEn: 'cat --ar 3:2',
      description: '/imagine cat --ar 3:2',
      state: 'order-9',
      failReason: null,
      buttons: [],
    });
    expect(running.body.submitTime).toEqual(expect.any(Number));

    const result = fake.complete();
    await waitForStatus(t.started.service.runner, id, 'succeeded');
    const done = await t.anonymous.get(`/mj/task/${id}/fetch`, proxyHeaders);
    expect(done.body).toMatchObject({
      status: 'SUCCESS',
      progress: '100%',
      imageUrl: result.imageUrl,
      finishTime: expect.any(Number),
      properties: {
        finalPrompt: 'cat --ar 3:2 --v 6',
        messageId: result.messageId,
        messageHash: result.jobId,
        flags: 0,
      },
    });
    expect(done.body.buttons).toEqual([
      { customId: result.actions.U1, emoji: '', label: 'U1', type: 2, style: 2 },
      { customId: result.actions.U2, emoji: '', label: 'U2', type: 2, style: 2 },
      { customId: result.actions.V1, emoji: '', label: 'V1', type: 2, style: 2 },
      { customId: result.actions.V3, emoji: '', label: 'V3', type: 2, style: 2 },
      { customId: result.actions.reroll, emoji: '🔄', label: '', type: 2, style: 2 },
    ]);
  });

  it('answers the proxy codes: 4 for a blank prompt, 3 for an unknown task, FAILURE with failReason', async () => {
    t = await startTestService({
      fake: {
        script: (job) =>
          job.fail(
            new FakeMidjourneyError(
              'PreModerationError',
              'PRE_MODERATION',
              'Banned prompt detected',
              job.prompt,
            ),
          ),
      },
    });
    expect((await t.anonymous.post('/mj/submit/imagine', { prompt: '  ' }, proxyHeaders)).body).toMatchObject(
      {
        code: 4,
        description: 'prompt is required',
      },
    );
    expect(
      (
        await t.anonymous.post(
          '/mj/submit/imagine',
          { prompt: 'x', base64Array: ['data:image/png;base64,AA'] },
          proxyHeaders,
        )
      ).body.code,
    ).toBe(4);
    const missing = await t.anonymous.get('/mj/task/1234567890123456/fetch', proxyHeaders);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 3 });

    const { body } = await t.anonymous.post('/mj/submit/imagine', { prompt: 'bad words' }, proxyHeaders);
    await waitForStatus(t.started.service.runner, body.result, 'failed');
    const task = await t.anonymous.get(`/mj/task/${body.result}/fetch`, proxyHeaders);
    expect(task.body).toMatchObject({
      status: 'FAILURE',
      failReason: '[PRE_MODERATION] Banned prompt detected',
      properties: { errorName: 'PreModerationError', errorCode: 'PRE_MODERATION' },
    });
  });

  it('presses buttons with /submit/action (customId), /submit/change and /submit/simple-change; 21 for an existing one', async () => {
    t = await startTestService({
      fake: { script: (job) => (job.method === 'imagine' ? void job.complete() : undefined) },
    });
    const parent = (await t.anonymous.post('/mj/submit/imagine', { prompt: 'dragon' }, proxyHeaders)).body
      .result;
    await waitForStatus(t.started.service.runner, parent, 'succeeded');
    const task = (await t.anonymous.get(`/mj/task/${parent}/fetch`, proxyHeaders)).body;

    const byCustomId = await t.anonymous.post(
      '/mj/submit/action',
      { taskId: parent, customId: task.buttons[0].customId },
      proxyHeaders,
    );
    expect(byCustomId.body).toMatchObject({ code: 1, result: expect.stringMatching(/^\d{16}$/) });
    const upscale = (await t.anonymous.get(`/mj/task/${byCustomId.body.result}/fetch`, proxyHeaders)).body;
    expect(upscale).toMatchObject({ action: 'UPSCALE', description: `/up ${parent} U1` });

    const again = await t.anonymous.post(
      '/mj/submit/change',
      { taskId: parent, action: 'UPSCALE', index: 1 },
      proxyHeaders,
    );
    expect(again.body).toMatchObject({
      code: 21,
      result: byCustomId.body.result,
      properties: { status: 'SUBMITTED' },
    });

    const variation = await t.anonymous.post(
      '/mj/submit/change',
      { taskId: parent, action: 'VARIATION', index: 3 },
      proxyHeaders,
    );
    expect(variation.body.code).toBe(1);
    const reroll = await t.anonymous.post(
      '/mj/submit/simple-change',
      { content: `${parent} R` },
      proxyHeaders,
    );
    expect(reroll.body.code).toBe(1);
    expect(t.generator.calls.map((c) => c.action ?? c.method)).toEqual(['imagine', 'U1', 'V3', 'reroll']);

    const unknownButton = await t.anonymous.post(
      '/mj/submit/action',
      { taskId: parent, customId: 'MJ::nope' },
      proxyHeaders,
    );
    expect(unknownButton.body).toMatchObject({ code: 4 });
    const noIndex = await t.anonymous.post(
      '/mj/submit/change',
      { taskId: parent, action: 'UPSCALE' },
      proxyHeaders,
    );
    expect(noIndex.body).toMatchObject({ code: 4 });
    const unknownTask = await t.anonymous.post(
      '/mj/submit/action',
      { taskId: '1234567890123456', customId: 'x' },
      proxyHeaders,
    );
    expect(unknownTask.status).toBe(404);
    expect(unknownTask.body.code).toBe(3);
  });

  it('lists tasks by ids (own only), and cancels', async () => {
    t = await startTestService();
    const a = (await t.anonymous.post('/mj/submit/imagine', { prompt: 'a' }, proxyHeaders)).body.result;
    const b = (await t.anonymous.post('/mj/submit/imagine', { prompt: 'b' }, proxyHeaders)).body.result;
    const bobs = (await t.bob.post('/mj/submit/imagine', { prompt: 'bob' })).body.result;
    const listed = await t.anonymous.post(
      '/mj/task/list-by-condition',
      { ids: [b, a, bobs, '1'] },
      proxyHeaders,
    );
    expect(listed.body.map((task: { id: string }) => task.id)).toEqual([b, a]);
    expect((await t.anonymous.get('/mj/task/list', proxyHeaders)).body).toHaveLength(2);
    const cancelled = await t.anonymous.post(`/mj/task/${a}/cancel`, {}, proxyHeaders);
    expect(cancelled.body).toMatchObject({ code: 1, result: a, properties: { status: 'FAILURE' } });
    expect((await t.anonymous.get(`/mj/task/${a}/fetch`, proxyHeaders)).body.failReason).toBe(
      '[CANCELLED] Cancelled by the client',
    );
  });

  it('calls the notifyHook with the task on each change', async () => {
    const receiver = await startReceiver();
    try {
      t = await startTestService();
      const { body } = await t.anonymous.post(
        '/mj/submit/imagine',
        { prompt: 'hooked', notifyHook: `${receiver.url}/notify` },
        proxyHeaders,
      );
      const fake = await t.generator.job(1);
      await waitForStatus(t.started.service.runner, body.result, 'submitted');
      fake.progress(50);
      await waitForStatus(t.started.service.runner, body.result, 'running');
      fake.complete();
      await waitForStatus(t.started.service.runner, body.result, 'succeeded');
      await t.started.service.webhooks.idle();
      const tasks = receiver.received.map((r) => JSON.parse(r.body));
      // In order, and submitting -> submitted (both SUBMITTED) sent once.
      expect(tasks.map((task) => [task.status, task.progress])).toEqual([
        ['SUBMITTED', '0%'],
        ['IN_PROGRESS', '50%'],
        ['SUCCESS', '100%'],
      ]);
      expect(tasks.at(-1)).toMatchObject({
        id: body.result,
        action: 'IMAGINE',
        properties: { notifyHook: `${receiver.url}/notify` },
      });
    } finally {
      await receiver.close();
    }
  });

  it('answers a body that is not an object with 400 in the proxy shape, and 401 without the secret', async () => {
    t = await startTestService();
    const bad = await t.anonymous.post('/mj/submit/imagine', { prompt: 5 }, proxyHeaders);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 4,
      result: null,
      properties: { errorCode: 'VALIDATION_FAILED', problems: ['body.prompt: must be string'] },
    });
    const anonymous = await t.anonymous.post('/mj/submit/imagine', { prompt: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: 9, properties: { errorCode: 'UNAUTHORIZED' } });
  });
});
