import { afterEach, describe, expect, it } from 'vitest';
import { FakeMidjourneyError } from './helpers/fake-generator.js';
import { KEY_A, KEY_B } from './helpers/http.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';
import { openSse } from './helpers/sse.js';

let t: TestService;
afterEach(async () => t?.close());

const auth = (key = KEY_A) => ({ authorization: `Bearer ${key}` });

describe('GET /v1/jobs/:id/events', () => {
  it('replays the current state, streams progress, then the outcome, and closes', async () => {
    t = await startTestService();
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'lighthouse' });
    const fake = await t.generator.job(1);
    fake.progress(10);
    await waitForStatus(t.started.service.runner, body.id, 'running');

    const stream = await openSse(`${t.url}/v1/jobs/${body.id}/events`, auth());
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe('text/event-stream; charset=utf-8');
    const state = await stream.next();
    expect(state).toMatchObject({
      event: 'state',
      id: '1',
      data: { id: body.id, status: 'running', progress: 10 },
    });

    fake.progress(55);
    expect(await stream.next()).toMatchObject({ event: 'progress', data: { progress: 55 } });
    fake.queuedNotice('Job queued: you have 3 jobs running');
    expect(await stream.next()).toMatchObject({
      event: 'notice',
      data: { notice: 'Job queued: you have 3 jobs running' },
    });
    fake.complete();
    const rest = await stream.rest();
    expect(rest.map((e) => e.event)).toEqual(['completed']);
    expect(rest[0]!.data).toMatchObject({
      status: 'succeeded',
      result: { actions: ['U1', 'U2', 'V1', 'V3', 'reroll'] },
    });
  });

  it('sends state and outcome at once for a finished job', async () => {
    t = await startTestService({
      fake: {
        script: (job) =>
          job.fail(new FakeMidjourneyError('QueueFullError', 'QUEUE_FULL', 'Queue full', job.prompt, true)),
      },
    });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'busy' });
    await waitForStatus(t.started.service.runner, body.id, 'failed');
    const stream = await openSse(`${t.url}/v1/jobs/${body.id}/events`, auth());
    const events = await stream.rest();
    expect(events.map((e) => e.event)).toEqual(['state', 'failed']);
    expect(events[1]!.data.error).toMatchObject({
      name: 'QueueFullError',
      code: 'QUEUE_FULL',
      retryable: true,
    });
  });

  it('streams a cancellation, and refuses other keys', async () => {
    t = await startTestService();
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'to cancel' });
    await t.generator.job(1);
    const other = await openSse(`${t.url}/v1/jobs/${body.id}/events`, auth(KEY_B));
    expect(other.status).toBe(404);
    const stream = await openSse(`${t.url}/v1/jobs/${body.id}/events`, auth());
    expect((await stream.next())?.event).toBe('state');
    await t.alice.del(`/v1/jobs/${body.id}`);
    const rest = await stream.rest();
    expect(rest.at(-1)).toMatchObject({ event: 'cancelled', data: { status: 'cancelled' } });
  });

  it('ends open streams when the service closes, also after another client left', async () => {
    t = await startTestService();
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'forever' });
    await t.generator.job(1);
    const leaving = await openSse(`${t.url}/v1/jobs/${body.id}/events`, auth());
    await leaving.next();
    leaving.close();
    const staying = await openSse(`${t.url}/v1/jobs/${body.id}/events`, auth());
    await staying.next();
    await t.close();
    expect(await staying.rest()).toEqual([]);
  });
});
