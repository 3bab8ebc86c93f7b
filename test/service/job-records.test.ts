/**
 * A job read after the fact: `GET /v1/jobs/:id/deliveries` (each webhook attempt, the receiver's
 * host only) and `GET /v1/jobs/:id/history` (its stored events), both scoped to the caller's key;
 * `GET /v1/whoami`; the last `/info` per account (`/v1/accounts/info`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AccountPool } from '../../src/accounts/account-pool.js';
import type { AccountInfo } from '../../src/midjourney/info-answer.js';
import { historyEvent } from '../../src/service/history/job-history-recorder.js';
import { createJobRecord } from '../../src/service/jobs/job.js';
import { FakeGenerator } from './helpers/fake-generator.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

let t: TestService | undefined;
let receiver: Receiver | undefined;
let pool: AccountPool | undefined;
afterEach(async () => {
  await t?.close();
  await receiver?.close();
  await pool?.close();
  t = receiver = pool = undefined;
});

describe('GET /v1/jobs/:id/deliveries', () => {
  it('lists each attempt with its status, the next retry, and the host only', async () => {
    receiver = await startReceiver();
    receiver.script = [503];
    t = await startTestService({ fake: { script: (job) => void job.complete() } });
    const hook = `${receiver.url}/hooks/private-path?token=receiver-secret-123`;
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'hooked', webhookUrl: hook });
    await receiver.waitFor(2);
    await t.started.service.webhooks.idle();

    const answer = await t.alice.get(`/v1/jobs/${body.id}/deliveries`);
    expect(answer.status).toBe(200);
    expect(answer.body.webhook).toBe(true);
    const [delivery] = answer.body.deliveries;
    expect(delivery).toMatchObject({
      event: 'completed',
      host: new URL(receiver.url).host,
      state: 'delivered',
      attempts: 2,
      lastStatus: 200,
      nextAttemptAt: null,
    });
    expect(delivery.log.map((a: { attempt: number; status: number }) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 200],
    ]);
    const [first, second] = delivery.log;
    expect(first.error).toBe('receiver answered 503');
    // The retry was due after the first attempt, within the configured delays (10-40 ms in tests).
    const due = Date.parse(first.nextAttemptAt) - Date.parse(first.at);
    expect(due).toBeGreaterThanOrEqual(10);
    expect(due).toBeLessThanOrEqual(40);
    expect(Date.parse(second.at)).toBeGreaterThanOrEqual(Date.parse(first.nextAttemptAt));
    expect(second.nextAttemptAt).toBeNull();
    // Neither the path, the query, nor the signed body is shown.
    const text = JSON.stringify(answer.body);
    expect(text).not.toContain('private-path');
    expect(text).not.toContain('receiver-secret-123');
    expect(text).not.toContain('"body"');
    expect(text).not.toContain('hooked');
  });

  it("answers a job without a webhook with none, and another key's job with 404", async () => {
    t = await startTestService({ fake: { script: (job) => void job.complete() } });
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'no hook' });
    await waitForStatus(t.started.service.runner, body.id, 'succeeded');
    expect((await t.alice.get(`/v1/jobs/${body.id}/deliveries`)).body).toEqual({
      webhook: false,
      deliveries: [],
      omitted: 0,
    });
    const other = await t.bob.get(`/v1/jobs/${body.id}/deliveries`);
    expect([other.status, other.body.error.code]).toEqual([404, 'UNKNOWN_JOB']);
    expect((await t.anonymous.get(`/v1/jobs/${body.id}/deliveries`)).status).toBe(401);
  });
});

describe('GET /v1/jobs/:id/history', () => {
  it('keeps status changes, progress milestones, notices and the outcome, in order', async () => {
    t = await startTestService();
    const { body } = await t.alice.post('/v1/imagine', { prompt: 'remembered' });
    const fake = await t.generator.job(1);
    await waitForStatus(t.started.service.runner, body.id, 'submitted');
    for (const p of [5, 10, 30, 35, 60, 80]) fake.progress(p);
    await waitForStatus(t.started.service.runner, body.id, 'running');
    fake.fail(
      Object.assign(new Error('the bot refused it'), { name: 'PreModerationError', code: 'PRE_MODERATION' }),
    );
    await waitForStatus(t.started.service.runner, body.id, 'failed');

    const answer = await t.alice.get(`/v1/jobs/${body.id}/history`);
    expect(answer.status).toBe(200);
    const events = answer.body.events as { type: string; status: string; progress: number; at: string }[];
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.progress);
    // One per band of 25 %: 5 (first), 30, 60, 80; 10 and 35 add nothing.
    expect(progress).toEqual([5, 30, 60, 80]);
    // Each status the job went through, in order (the first progress is where it started running).
    const statuses = events.map((e) => e.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['submitting', 'submitted', 'running', 'failed']);
    expect(events.at(-1)).toMatchObject({ type: 'failed', status: 'failed' });
    expect(events.at(-1)).toHaveProperty('error.message', 'the bot refused it');
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const other = await t.bob.get(`/v1/jobs/${body.id}/history`);
    expect([other.status, other.body.error.code]).toEqual([404, 'UNKNOWN_JOB']);
  });
});

describe('GET /v1/whoami', () => {
  it("answers the caller's key name, never the key", async () => {
    t = await startTestService();
    const me = await t.alice.get('/v1/whoami');
    expect(me.status).toBe(200);
    expect(Object.keys(me.body)).toEqual(['apiKey']);
    expect(me.body.apiKey).not.toBe('');
    expect(me.body.apiKey).not.toBe((await t.bob.get('/v1/whoami')).body.apiKey);
  });
});

/** A fake account client that answers /info. */
class InfoGenerator extends FakeGenerator {
  reads = 0;
  async info(): Promise<AccountInfo> {
    this.reads += 1;
    return {
      subscription: 'Pro (Active monthly)',
      jobMode: 'Fast',
      fastTimeRemaining: { hours: 12.5, totalHours: 30, percent: 42 },
      fields: { 'User ID': '123456789' },
    };
  }
}

describe('/v1/accounts/info', () => {
  it('reads /info on demand, remembers it with its time, and says when a client cannot', async () => {
    pool = new AccountPool();
    const reader = new InfoGenerator();
    pool.add({ id: 'a1', generator: reader as never, channelId: '1', slots: 1 });
    pool.add({ id: 'a2', generator: new FakeGenerator(), channelId: '2', slots: 1 });
    t = await startTestService({ generator: pool as never, accounts: pool });

    const before = await t.alice.get('/v1/accounts/info');
    expect(before.body).toEqual({
      supported: true,
      accounts: [
        { id: 'a1', info: null },
        { id: 'a2', info: null },
      ],
    });
    const read = await t.alice.post('/v1/accounts/a1/info', {});
    expect(read.status).toBe(200);
    expect(read.body.info).toMatchObject({
      plan: 'Pro (Active monthly)',
      fastTimeRemaining: { hours: 12.5, totalHours: 30, percent: 42 },
    });
    expect(JSON.stringify(read.body)).not.toContain('123456789');
    const after = await t.alice.get('/v1/accounts/info');
    expect(after.body.accounts[0].info).toEqual(read.body.info);
    expect(reader.reads).toBe(1);

    const cannot = await t.alice.post('/v1/accounts/a2/info', {});
    expect([cannot.status, cannot.body.error.code]).toEqual([501, 'INFO_UNSUPPORTED']);
    expect((await t.alice.post('/v1/accounts/nope/info', {})).status).toBe(404);
  });

  it('answers ACCOUNTS_NOT_CONFIGURED without a pool', async () => {
    t = await startTestService();
    const answer = await t.alice.get('/v1/accounts/info');
    expect([answer.status, answer.body.error.code]).toEqual([404, 'ACCOUNTS_NOT_CONFIGURED']);
  });
});

describe('historyEvent', () => {
  const base = createJobRecord(
    '0000000000000001',
    { clientId: 'alice', kind: 'imagine', prompt: 'p' },
    1_000,
  );
  it('keeps progress once per band of 25 %, a notice once per text, and every status', () => {
    const seen = { band: -1, notice: null };
    const at = (progress: number) =>
      historyEvent({ ...base, status: 'running', progress }, 'progress', seen)?.progress;
    expect([0, 10, 24, 25, 49, 50, 99].map(at)).toEqual([0, undefined, undefined, 25, undefined, 50, 99]);
    const notice = (text: string) => historyEvent({ ...base, notice: text }, 'notice', seen)?.notice;
    expect([notice('Job queued'), notice('Job queued'), notice('Queue full')]).toEqual([
      'Job queued',
      undefined,
      'Queue full',
    ]);
    expect(historyEvent({ ...base, status: 'submitted' }, 'status', seen)).toMatchObject({
      type: 'status',
      status: 'submitted',
      at: 1_000,
      error: null,
    });
  });
});
