/**
 * The runner in a cluster, on one Redis store: an API node stores and dispatches, workers drive.
 * Nothing is sent twice: a worker that finds a job claimed elsewhere leaves it, and a job whose
 * worker died is resumed from its ticket by another, never submitted again.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { NoAccountAvailableError } from '../../src/accounts/errors.js';
import { AccountReleasedError, isHandBackError } from '../../src/cluster/errors.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import type { JobRecord } from '../../src/service/jobs/job.js';
import { RedisJobStore } from '../../src/service/jobs/redis-store.js';
import { CircuitBreaker } from '../../src/service/protection/circuit-breaker.js';
import { JobRunner } from '../../src/service/runner/job-runner.js';
import { openTestRedis } from '../cluster/redis-test-env.js';
import { FakeGenerator } from './helpers/fake-generator.js';

const env = await openTestRedis(7);

describe.skipIf(env === undefined)('JobRunner in a cluster (Redis store)', () => {
  if (!env) return;
  afterAll(() => env.close());
  let prefix = '';
  const opened: { close(): Promise<void> }[] = [];
  beforeEach(async () => {
    for (const n of opened.splice(0)) await n.close();
    prefix = `cluster-${Math.random()}`;
  });

  function node(
    name: string,
    options: {
      dispatch?: (job: JobRecord) => Promise<void>;
      drives?: boolean;
      handsBack?: (error: unknown, job: JobRecord) => boolean | Error;
      canResume?: (ticket: SubmissionTicket) => boolean;
      /** False: jobs are not sent unless the test sends them (a refusal before sending). */
      autoSend?: boolean;
    },
  ) {
    const store = new RedisJobStore({ redis: env!.connect(), prefix });
    const { autoSend, ...runnerOptions } = options;
    const generator = new FakeGenerator(autoSend === undefined ? {} : { autoSend });
    const runner = new JobRunner({
      generator,
      store,
      breaker: new CircuitBreaker({}),
      instanceId: name,
      claimTtlMs: 3_000,
      adoptQueued: options.dispatch !== undefined,
      ...runnerOptions,
    });
    const handle = {
      store,
      generator,
      runner,
      async close() {
        await runner.close();
      },
    };
    opened.push(handle);
    return handle;
  }

  it('an API node stores and dispatches without sending; a worker drives the job to its end', async () => {
    const queue: JobRecord[] = [];
    const api = node('api', { dispatch: async (job) => void queue.push(job), drives: false });
    const worker = node('worker-1', {});
    const accepted = await api.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: 'a lighthouse' });
    expect(queue.map((j) => j.id)).toEqual([accepted.id]);
    expect(api.generator.calls).toHaveLength(0);
    expect(await api.store.getClaim(accepted.id)).toBeNull();
    await expect(api.runner.drive(accepted.id)).rejects.toThrow(/does not drive/);

    const driving = worker.runner.drive(accepted.id);
    (await worker.generator.job(1)).complete();
    expect(await driving).toBe('ended');
    expect((await api.store.get(accepted.id))?.status).toBe('succeeded');
    expect(worker.generator.sent).toBe(1);
    // A second delivery of the same queue entry finds it over.
    expect(await worker.runner.drive(accepted.id)).toBe('finished');
    expect(worker.generator.calls).toHaveLength(1);
  });

  it('a second worker leaves a job another one drives, and resumes it (never resubmits) after that one dies', async () => {
    const queue: JobRecord[] = [];
    const api = node('api', { dispatch: async (job) => void queue.push(job), drives: false });
    const w1 = node('worker-1', {});
    const w2 = node('worker-2', {});
    const job = await api.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: 'a fox' });

    void w1.runner.drive(job.id);
    await w1.generator.job(1);
    // Wait for the positive signal: worker-1 stored its ticket (it has sent).
    while ((await api.store.get(job.id))?.ticket == null) await new Promise((r) => setTimeout(r, 5));
    expect(await w2.runner.drive(job.id)).toBe('elsewhere');
    expect(w2.generator.calls).toHaveLength(0);

    // worker-1 dies: its claim is taken from the store as its TTL would take it.
    opened.splice(opened.indexOf(w1), 1);
    await env.redis.del(`${prefix}:{jobs}:claim:${job.id}`);
    await env.redis.hset(`${prefix}:{jobs}:claim:${job.id}`, 'fence', '1', 'owner', '', 'expiresAt', '0');
    const driving = w2.runner.drive(job.id);
    const resumed = await w2.generator.job(1);
    expect(resumed.method).toBe('resume');
    resumed.complete();
    expect(await driving).toBe('ended');
    expect(w1.generator.sent + w2.generator.sent).toBe(1);
    expect((await api.store.get(job.id))?.status).toBe('succeeded');
  });

  it('hands a job back, neither failed nor resent, when its account left the worker; only the account holder follows its ticket', async () => {
    const queue: JobRecord[] = [];
    const api = node('api', { dispatch: async (job) => void queue.push(job), drives: false });
    const w1 = node('worker-1', { handsBack: isHandBackError });
    let holdsA1 = false;
    const w2 = node('worker-2', { canResume: (ticket) => holdsA1 && ticket.accountId === 'a1' });
    const job = await api.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: 'a heron' });

    const driving = w1.runner.drive(job.id);
    const sent = await w1.generator.job(1);
    while ((await api.store.get(job.id))?.ticket == null) await new Promise((r) => setTimeout(r, 5));
    await api.store.save({
      ...((await api.store.get(job.id)) as JobRecord),
      ticket: { ...(sent.ticket as SubmissionTicket), accountId: 'a1' },
    });
    // The lease of a1 was lost: the pool aborts the attempt with a hand-back error.
    sent.fail(new AccountReleasedError('a1', 'lost'));
    expect(await driving).toBe('ended');
    const stored = await api.store.get(job.id);
    expect(stored?.status).not.toBe('failed');
    expect(await api.store.getClaim(job.id)).toBeNull();

    // A worker that does not drive a1 leaves it; the one that does resumes it, never resubmits.
    expect(await w2.runner.drive(job.id)).toBe('elsewhere');
    expect(w2.generator.calls).toHaveLength(0);
    holdsA1 = true;
    const following = w2.runner.drive(job.id);
    const resumed = await w2.generator.job(1);
    expect(resumed.method).toBe('resume');
    resumed.complete();
    expect(await following).toBe('ended');
    expect(w1.generator.sent + w2.generator.sent).toBe(1);
    expect((await api.store.get(job.id))?.status).toBe('succeeded');
  });

  it('fails a job at once, with the cluster’s reason, when no worker can serve it; hands it back while one can', async () => {
    const queue: JobRecord[] = [];
    const api = node('api', { dispatch: async (job) => void queue.push(job), drives: false });
    let servable = true;
    const seen: string[] = [];
    const worker = node('worker-1', {
      autoSend: false,
      handsBack: (error, job) => {
        seen.push(job.id);
        if (!(error instanceof NoAccountAvailableError)) return false;
        return servable
          ? true
          : new NoAccountAvailableError('account "a2"', ['a2: disabled (banned)'], { account: 'a2' });
      },
    });
    const job = await api.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: 'a kestrel' });
    // The pool here refuses it before anything is sent: another worker's account could take it.
    const first = worker.runner.drive(job.id);
    (await worker.generator.job(1)).fail(new NoAccountAvailableError('account "a2"', [], { account: 'a2' }));
    expect(await first).toBe('ended');
    expect((await api.store.get(job.id))?.status).not.toBe('failed');
    expect(await api.store.getClaim(job.id)).toBeNull();

    // Now a2 is disabled cluster-wide: the next delivery fails the job with that reason, once.
    servable = false;
    const second = worker.runner.drive(job.id);
    (await worker.generator.job(2)).fail(new NoAccountAvailableError('account "a2"', [], { account: 'a2' }));
    expect(await second).toBe('ended');
    const failed = await api.store.get(job.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatchObject({ code: 'NO_ACCOUNT_AVAILABLE' });
    expect(failed?.error?.message).toContain('a2: disabled (banned)');
    expect(seen).toEqual([job.id, job.id]);
    expect(worker.generator.sent).toBe(0);
    expect(await worker.runner.drive(job.id)).toBe('finished');
  });
});
