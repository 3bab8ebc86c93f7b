import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/service/webhooks/signature.js';
import { FakeMidjourneyError } from './helpers/fake-generator.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

const secret = 'whsec-test-0123456789abcdef';
let t: TestService | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await t?.close();
  await receiver?.close();
  t = undefined;
  receiver = undefined;
});

async function deliveries(t: TestService, jobId: string) {
  await waitForStatus(t.started.service.runner, jobId, 'terminal');
  await t.started.service.webhooks.idle();
  return t.started.service.store.listDeliveries(jobId);
}

describe('webhooks', () => {
  it('POSTs the outcome signed with X-Mjw-Signature and records the delivery', async () => {
    receiver = await startReceiver();
    t = await startTestService({
      config: { webhookSecret: secret },
      fake: { script: (job) => void job.complete() },
    });
    const { body } = await t.alice.post('/v1/imagine', {
      prompt: 'signed',
      webhookUrl: `${receiver.url}/hooks/mj`,
      metadata: { ref: 'A-1' },
    });
    const [hit] = await receiver.waitFor(1);
    expect(hit!.path).toBe('/hooks/mj');
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(hit!.headers['x-mjw-event']).toBe('completed');
    const header = hit!.headers['x-mjw-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, hit!.body)).toBe(true);
    expect(verifyWebhookSignature('wrong-secret-0123456789', header, hit!.body)).toBe(false);
    const payload = JSON.parse(hit!.body);
    expect(payload).toMatchObject({
      event: 'completed',
      job: { id: body.id, status: 'succeeded', metadata: { ref: 'A-1' } },
    });
    const [delivery] = await deliveries(t, body.id);
    expect(delivery).toMatchObject({
      event: 'completed',
      state: 'delivered',
      attempts: 1,
      lastStatus: 200,
      body: hit!.body,
    });
    expect(hit!.headers['x-mjw-delivery']).toBe(delivery!.id);
  });

  it('retries 5xx and 429 with backoff until the receiver takes it', async () => {
    receiver = await startReceiver();
    receiver.script = [500, 503, 429];
    t = await startTestService({
      fake: {
        script: (job) =>
          job.fail(
            new FakeMidjourneyError('PreModerationError', 'PRE_MODERATION', 'Banned prompt', job.prompt),
          ),
      },
    });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'retry me', webhookUrl: receiver.url });
    await receiver.waitFor(4);
    const [delivery] = await deliveries(t, body.id);
    expect(delivery).toMatchObject({
      event: 'failed',
      state: 'delivered',
      attempts: 4,
      lastStatus: 200,
      lastError: null,
    });
    const bodies = new Set(receiver.received.map((r) => r.body));
    expect(bodies.size).toBe(1);
    expect(JSON.parse([...bodies][0]!).job.error).toMatchObject({ code: 'PRE_MODERATION' });
  });

  it('does not retry a 4xx answer, and gives up after the attempt budget', async () => {
    receiver = await startReceiver();
    receiver.script = [410, 500, 500, 500];
    t = await startTestService({
      config: { webhookMaxAttempts: 3 },
      fake: { script: (job) => void job.complete() },
    });
    const gone = (await t.alice.post('/v1/imagine', { prompt: 'gone', webhookUrl: receiver.url })).body.id;
    expect(await deliveries(t, gone)).toMatchObject([
      { state: 'failed', attempts: 1, lastStatus: 410, lastError: 'receiver answered 410' },
    ]);
    const down = (await t.alice.post('/v1/imagine', { prompt: 'down', webhookUrl: receiver.url })).body.id;
    await waitForStatus(t.started.service.runner, down, 'succeeded');
    expect(await deliveries(t, down)).toMatchObject([{ state: 'failed', attempts: 3, lastStatus: 500 }]);
    expect(receiver.received).toHaveLength(4);
    const metrics = await t.alice.get('/metrics');
    expect(metrics.body).toContain('mjw_webhook_deliveries_total{event="completed",state="failed"} 2');
  });

  it('sends progress too when MJW_WEBHOOK_PROGRESS is on', async () => {
    receiver = await startReceiver();
    t = await startTestService({ config: { webhookProgress: true } });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'progress', webhookUrl: receiver.url });
    const fake = await t.generator.job(1);
    fake.progress(30);
    await receiver.waitFor(1);
    fake.complete();
    const events = (await receiver.waitFor(2)).map((r) => JSON.parse(r.body).event);
    expect(events).toEqual(['progress', 'completed']);
    expect(JSON.parse(receiver.received[0]!.body).job.progress).toBe(30);
    expect((await deliveries(t, body.id)).map((d) => d.state)).toEqual(['delivered', 'delivered']);
  });
});

describe('webhook target policy', () => {
  const resolve = async (host: string) => {
    if (host === 'hooks.example.test') return ['93.184.216.34'];
    if (host === 'intranet.example.test') return ['10.0.0.7'];
    throw new Error(`ENOTFOUND ${host}`);
  };

  it('refuses loopback and private targets with 400 and creates no job', async () => {
    t = await startTestService({ resolve, config: { webhookAllowPrivate: false } });
    const loop = await t.alice.post('/v1/imagine', {
      prompt: 'x',
      webhookUrl: 'http://127.0.0.1:8080/admin',
    });
    expect(loop.status).toBe(400);
    expect(loop.body.error).toMatchObject({
      name: 'WebhookTargetError',
      code: 'WEBHOOK_TARGET_FORBIDDEN',
      url: 'http://127.0.0.1:8080/admin',
    });
    expect(loop.body.error.reason).toMatch(/loopback/);
    const metadataService = await t.alice.post('/v1/imagine', {
      prompt: 'x',
      webhookUrl: 'http://169.254.169.254/latest',
    });
    expect(metadataService.body.error.reason).toMatch(/link-local/);
    const named = await t.alice.post('/v1/imagine', {
      prompt: 'x',
      webhookUrl: 'https://intranet.example.test/h',
    });
    expect(named.body.error.reason).toBe(
      'intranet.example.test resolves to 10.0.0.7, private (RFC 1918) 10.0.0.0/8',
    );
    expect(t.generator.calls).toHaveLength(0);
    expect((await t.alice.get('/v1/jobs')).body.jobs).toEqual([]);
  });

  it('refuses at delivery a name that has since moved to a private address (DNS rebinding)', async () => {
    let answer = '93.184.216.34';
    t = await startTestService({
      resolve: async () => [answer],
      config: { webhookAllowPrivate: false },
    });
    const { body } = await t.alice.post('/v1/imagine', {
      prompt: 'x',
      webhookUrl: 'http://rebind.example.test:9/h',
    });
    expect(body.id).toBeDefined();
    answer = '127.0.0.1';
    (await t.generator.job(1)).complete();
    await waitForStatus(t.started.service.runner, body.id, 'succeeded');
    const [delivery] = await deliveries(t, body.id);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1, lastStatus: null });
    expect(delivery!.lastError).toMatch(/rebind\.example\.test resolves to 127\.0\.0\.1, loopback/);
  });
});
