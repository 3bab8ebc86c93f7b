import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeGenerator } from './helpers/fake-generator.js';
import { startReceiver } from './helpers/receiver.js';
import { startTestService, waitForStatus } from './helpers/service.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-recovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('restart with jobs in flight', () => {
  it('re-finds sent jobs, submits only what had no ticket, and pays for nothing twice', async () => {
    const dbPath = join(dir, 'jobs.sqlite');
    const receiver = await startReceiver();
    receiver.script = [500];

    // --- First run: five jobs in five different stages when the process stops.
    const first = new FakeGenerator({ autoSend: false });
    const one = await startTestService({
      generator: first,
      config: { dbPath, webhookMinDelayMs: 60_000, webhookMaxDelayMs: 60_000 },
    });
    const submit = async (prompt: string, webhookUrl?: string) =>
      (await one.alice.post('/v1/imagine', { prompt, ...(webhookUrl ? { webhookUrl } : {}) })).body
        .id as string;
    const running = await submit('running');
    const queued = await submit('queued');
    const unconfirmedFound = await submit('unconfirmed-found');
    const confirmedLost = await submit('confirmed-lost');
    const unconfirmedLost = await submit('unconfirmed-lost');
    const notified = await submit('notified', receiver.url);

    const [a, , c, d, e, f] = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => first.job(n)));
    await a!.send();
    a!.progress(40);
    await c!.prepare();
    await d!.send();
    await e!.prepare();
    await f!.send();
    f!.complete();
    await receiver.waitFor(1); // the first attempt gets a 500; the retry is a minute away
    await waitForStatus(one.started.service.runner, running, 'running');
    const statuses = async (ids: string[]) =>
      Promise.all(ids.map(async (id) => (await one.alice.get(`/v1/jobs/${id}`)).body.status));
    expect(await statuses([running, queued, unconfirmedFound, confirmedLost, unconfirmedLost])).toEqual([
      'running',
      'queued',
      'submitting',
      'submitted',
      'submitting',
    ]);
    await one.close();
    expect(first.sentPrompts).toEqual(['running', 'confirmed-lost', 'notified']);

    // --- Second run on the same database.
    const lost = new Set([d!.ticket!.nonce, e!.ticket!.nonce]);
    const second = new FakeGenerator({
      resume: (ticket) => (lost.has(ticket.nonce) ? 'not-found' : 'found'),
    });
    const two = await startTestService({ generator: second, config: { dbPath } });
    expect(two.started.recovered).toEqual({ resumed: 4, submitted: 1, failed: 0, webhooks: 1 });

    // Jobs with a ticket are looked for, never blindly resent.
    expect(second.resumed.map((ticket) => ticket.prompt)).toEqual([
      'running',
      'unconfirmed-found',
      'confirmed-lost',
      'unconfirmed-lost',
    ]);
    // Each resume was told whether Discord had confirmed the send (the stored status).
    expect(second.resumed.map((t) => second.confirmedOnResume.get(t.nonce))).toEqual([
      true,
      false,
      true,
      false,
    ]);
    // Discord confirmed "confirmed-lost": it fails rather than risk a second paid job.
    const failed = await waitForStatus(two.started.service.runner, confirmedLost, 'failed');
    expect(failed.error).toMatchObject({ name: 'JobNotFoundError', code: 'JOB_NOT_FOUND' });
    // "unconfirmed-lost" was stored but never confirmed sent, and is not in the channel: its POST
    // may have been pending at the stop, an ambiguous send, so it fails too (restart-rule.ts).
    const uncertain = await waitForStatus(two.started.service.runner, unconfirmedLost, 'failed');
    expect(uncertain.status).toBe('failed');
    await waitForStatus(two.started.service.runner, queued, 'submitted');
    expect(second.sentPrompts.sort()).toEqual(['queued']);
    const allSent = [...first.sentPrompts, ...second.sentPrompts];
    expect(new Set(allSent).size).toBe(allSent.length);

    // The resumed job carries on to its result through the new process.
    const resumedRunning = second.calls.find((job) => job.prompt === 'running')!;
    expect(resumedRunning.method).toBe('resume');
    resumedRunning.progress(80);
    resumedRunning.complete();
    await waitForStatus(two.started.service.runner, running, 'succeeded');
    expect((await two.alice.get(`/v1/jobs/${running}`)).body).toMatchObject({
      status: 'succeeded',
      progress: 100,
    });

    // The webhook left pending by the first run is delivered by the second.
    const hits = await receiver.waitFor(2);
    expect(hits[1]!.body).toBe(hits[0]!.body);
    await two.started.service.webhooks.idle();
    expect(await two.started.service.store.listDeliveries(notified)).toMatchObject([
      { state: 'delivered', attempts: 2, lastStatus: 200 },
    ]);
    await two.close();
    await receiver.close();
  });

  it('never resends a job whose resume stayed unresolved (reads kept failing), confirmed or not', async () => {
    const dbPath = join(dir, 'unresolved.sqlite');
    const first = new FakeGenerator({ autoSend: false });
    const one = await startTestService({ generator: first, config: { dbPath } });
    const confirmed = (await one.alice.post('/v1/imagine', { prompt: 'confirmed' })).body.id as string;
    const unconfirmed = (await one.alice.post('/v1/imagine', { prompt: 'unconfirmed' })).body.id as string;
    const [c, u] = await Promise.all([first.job(1), first.job(2)]);
    await c!.send();
    await u!.prepare();
    await waitForStatus(one.started.service.runner, unconfirmed, 'submitting');
    await one.close();

    const second = new FakeGenerator({ resume: () => 'unresolved' });
    const two = await startTestService({ generator: second, config: { dbPath } });
    expect(two.started.recovered).toMatchObject({ resumed: 2, submitted: 0 });
    for (const id of [confirmed, unconfirmed]) {
      const failed = await waitForStatus(two.started.service.runner, id, 'failed');
      expect(failed.error).toMatchObject({ code: 'RESUME_UNRESOLVED', retryable: true });
    }
    expect(second.sentPrompts).toEqual([]);
    await two.close();
  });

  it('recovers a button job with its source result', async () => {
    const dbPath = join(dir, 'actions.sqlite');
    const first = new FakeGenerator({
      script: (job) => (job.method === 'imagine' ? void job.complete() : undefined),
    });
    const one = await startTestService({ generator: first, config: { dbPath } });
    const parent = (await one.alice.post('/v1/imagine', { prompt: 'tower' })).body.id;
    await waitForStatus(one.started.service.runner, parent, 'succeeded');
    const child = (await one.alice.post(`/v1/jobs/${parent}/actions`, { action: 'V1' })).body.id;
    await waitForStatus(one.started.service.runner, child, 'submitted');
    await one.close();

    const second = new FakeGenerator();
    const two = await startTestService({ generator: second, config: { dbPath } });
    expect(two.started.recovered).toMatchObject({ resumed: 1, submitted: 0 });
    expect(second.resumed[0]).toMatchObject({ kind: 'variation', prompt: 'tower' });
    (await second.job(1)).complete();
    await waitForStatus(two.started.service.runner, child, 'succeeded');
    await two.close();
  });
});
