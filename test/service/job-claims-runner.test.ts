/**
 * Two runners (two services) on one SQLite file: every job is driven by one claim owner, so
 * nothing is sent twice however the restarts, stalls and deaths interleave.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { createJobRecord, type JobRecord } from '../../src/service/jobs/job.js';
import { SqliteJobStore } from '../../src/service/jobs/sqlite-store.js';
import { CircuitBreaker } from '../../src/service/protection/circuit-breaker.js';
import { JobRunner } from '../../src/service/runner/job-runner.js';
import { FakeGenerator } from './helpers/fake-generator.js';
import { ManualClock } from './helpers/http.js';
import { startTestService, waitForStatus } from './helpers/service.js';

const dir = mkdtempSync(join(tmpdir(), 'mjw-claims-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const TTL = 10_000;

/** A node: its own connection to the shared file, generator, breaker and runner. */
function node(
  path: string,
  clock: ManualClock,
  name: string,
  fake: ConstructorParameters<typeof FakeGenerator>[0] = {},
) {
  const store = new SqliteJobStore({ path, clock });
  const generator = new FakeGenerator({ now: () => clock.now(), ...fake });
  const runner = new JobRunner({
    generator,
    store,
    breaker: new CircuitBreaker({ clock }),
    clock,
    instanceId: name,
    claimTtlMs: TTL,
  });
  return {
    store,
    generator,
    runner,
    async close() {
      await runner.close();
      await store.close();
    },
  };
}

function ticket(prompt: string, nonce: string): SubmissionTicket {
  return {
    kind: 'imagine',
    prompt,
    channelId: '1100000000000000001',
    nonce,
    afterMessageId: '1100000000000000002',
    submittedAt: 1_750_000_000_000,
  };
}

/** What a killed service leaves: jobs in three stages, claimed by an owner that will never renew. */
async function leftByDeadNode(path: string, clock: ManualClock): Promise<JobRecord[]> {
  const store = new SqliteJobStore({ path, clock });
  const jobs: JobRecord[] = [];
  const stages: [string, Partial<JobRecord>][] = [
    ['queued', {}],
    [
      'submitting',
      { status: 'submitting', ticket: ticket('submitting', '1100000000000000101'), submissions: 1 },
    ],
    ['running', { status: 'running', ticket: ticket('running', '1100000000000000102'), submissions: 1 }],
  ];
  for (const [i, [prompt, patch]] of stages.entries()) {
    const record = createJobRecord(
      String(1_750_000_000_000_000 + i),
      { clientId: 'alice', kind: 'imagine', prompt },
      clock.now(),
    );
    const claim = await store.insertClaimed(record, 'dead-node', TTL);
    await store.saveClaimed({ ...record, ...patch }, claim);
    jobs.push({ ...record, ...patch });
  }
  await store.close();
  return jobs;
}

describe('two runners on one SQLite file', () => {
  it('leave a dead owner’s jobs alone while its claims live, then recover each exactly once', async () => {
    const path = join(dir, `shared-${files++}.sqlite`);
    const clock = new ManualClock();
    const jobs = await leftByDeadNode(path, clock);
    const a = node(path, clock, 'node-a');
    const b = node(path, clock, 'node-b');

    expect(await Promise.all([a.runner.recover(), b.runner.recover()])).toEqual([
      { resumed: 0, submitted: 0, failed: 0 },
      { resumed: 0, submitted: 0, failed: 0 },
    ]);

    clock.advance(TTL); // the dead node's claims expire
    const reports = await Promise.all([a.runner.recover(), b.runner.recover()]);
    const total = reports.reduce(
      (sum, r) => ({ resumed: sum.resumed + r.resumed, submitted: sum.submitted + r.submitted }),
      { resumed: 0, submitted: 0 },
    );
    expect(total).toEqual({ resumed: 2, submitted: 1 });
    // Jobs with a ticket are resumed (looked for), never resent; the queued one is sent once.
    const resumed = [...a.generator.resumed, ...b.generator.resumed].map((t) => t.prompt).sort();
    expect(resumed).toEqual(['running', 'submitting']);
    const owners = await Promise.all(jobs.map((j) => a.store.getClaim(j.id)));
    expect(new Set(owners.map((c) => c?.fence))).toEqual(new Set([2]));
    const queuedOwner = owners[0]!.owner === 'node-a' ? a : b;
    await waitForStatus(queuedOwner.runner, jobs[0]!.id, 'submitted');
    expect(a.generator.sentPrompts.length + b.generator.sentPrompts.length).toBe(1);
    expect([...a.generator.sentPrompts, ...b.generator.sentPrompts]).toEqual(['queued']);

    // Another round of recovery changes nothing: every job has a live owner.
    expect(await b.runner.recover()).toEqual({ resumed: 0, submitted: 0, failed: 0 });
    expect(await a.runner.recover()).toEqual({ resumed: 0, submitted: 0, failed: 0 });
    await a.close();
    await b.close();
  });

  it('two services restarted on the same file after a stop submit each queued job once', async () => {
    const dbPath = join(dir, `services-${files++}.sqlite`);
    const first = await startTestService({ config: { dbPath }, fake: { autoSend: false } });
    const ids: string[] = [];
    for (const prompt of ['one', 'two', 'three', 'four']) {
      ids.push((await first.alice.post('/v1/imagine', { prompt })).body.id);
    }
    await first.close();
    expect(first.generator.sent).toBe(0);

    const [one, two] = await Promise.all([
      startTestService({ config: { dbPath } }),
      startTestService({ config: { dbPath } }),
    ]);
    const sent = () => [...one.generator.sentPrompts, ...two.generator.sentPrompts].sort();
    const recovered = one.started.recovered.submitted + two.started.recovered.submitted;
    expect(recovered).toBe(4);
    await expect.poll(() => sent().length).toBe(4);
    expect(sent()).toEqual(['four', 'one', 'three', 'two']);
    await one.close();
    await two.close();
  });

  it('a runner that stalled past its claim sends nothing once a survivor took the job', async () => {
    const path = join(dir, `stall-${files++}.sqlite`);
    const clock = new ManualClock();
    const a = node(path, clock, 'node-a', { autoSend: false });
    const b = node(path, clock, 'node-b');
    const job = await a.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: 'stalled' });
    const stalled = await a.generator.job(1);

    clock.advance(TTL); // node-a's heartbeat never ran: its claim expired
    expect(await b.runner.recover()).toEqual({ resumed: 0, submitted: 1, failed: 0 });
    await waitForStatus(b.runner, job.id, 'submitted');

    // node-a wakes up and reaches onSubmit: the fenced write of its ticket is refused, so the
    // generator never sends.
    await expect(stalled.send()).rejects.toMatchObject({ name: 'JobClaimLostError', code: 'JOB_CLAIM_LOST' });
    expect(a.generator.sent).toBe(0);
    expect(b.generator.sentPrompts).toEqual(['stalled']);
    await expect.poll(() => a.runner.activeCount).toBe(0);
    const stored = await b.store.get(job.id);
    expect(stored).toMatchObject({ status: 'submitted', submissions: 1 });
    expect(await b.store.getClaim(job.id)).toMatchObject({ owner: 'node-b', fence: 2 });
    await a.close();
    await b.close();
  });

  it('a heartbeat that finds the claim lost stops the job here without writing', async () => {
    const path = join(dir, `lost-${files++}.sqlite`);
    const clock = new ManualClock();
    const a = node(path, clock, 'node-a');
    const b = node(path, clock, 'node-b');
    const job = await a.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: 'watched' });
    await waitForStatus(a.runner, job.id, 'submitted');
    await a.runner.beat();
    expect(a.runner.activeCount).toBe(1);

    clock.advance(TTL);
    expect(await b.runner.recover()).toEqual({ resumed: 1, submitted: 0, failed: 0 });
    await a.runner.beat();
    await expect.poll(() => a.runner.activeCount).toBe(0);
    // node-a's generator call was aborted; node-b follows the job and finishes it.
    expect((await a.generator.job(1)).settled).toBe(true);
    (await b.generator.job(1)).complete();
    await waitForStatus(b.runner, job.id, 'succeeded');
    expect(a.generator.sent + b.generator.sent).toBe(1);
    expect(await a.store.get(job.id)).toMatchObject({ status: 'succeeded' });
    await a.close();
    await b.close();
  });

  it('a restarted runner adopts a dead owner’s jobs on its own heartbeat once their claims expire', async () => {
    const path = join(dir, `timer-${files++}.sqlite`);
    const clock = new ManualClock();
    const jobs = await leftByDeadNode(path, clock);
    const a = new SqliteJobStore({ path, clock });
    const generator = new FakeGenerator({ now: () => clock.now() });
    // The shortest claim (1 s): the heartbeat timer beats every 333 ms.
    const runner = new JobRunner({
      generator,
      store: a,
      breaker: new CircuitBreaker({ clock }),
      clock,
      claimTtlMs: 1_000,
    });
    expect(await runner.recover()).toEqual({ resumed: 0, submitted: 0, failed: 0 });
    clock.advance(TTL);
    await expect.poll(() => runner.activeCount, { timeout: 5_000 }).toBe(jobs.length);
    expect(generator.resumed.map((t) => t.prompt).sort()).toEqual(['running', 'submitting']);
    await expect.poll(() => generator.sentPrompts).toEqual(['queued']);
    await runner.close();
    await a.close();
  });

  it('two runners accepting jobs in the same millisecond never share an id', async () => {
    const path = join(dir, `ids-${files++}.sqlite`);
    const clock = new ManualClock();
    const a = node(path, clock, 'node-a', { autoSend: false });
    const b = node(path, clock, 'node-b', { autoSend: false });
    await Promise.all([a.runner.init(), b.runner.init()]);
    const jobs = await Promise.all(
      [a, b, a, b].map((n, i) => n.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: `p${i}` })),
    );
    expect(new Set(jobs.map((j) => j.id)).size).toBe(4);
    expect(await a.store.count()).toBe(4);
    for (const j of jobs) expect((await a.store.get(j.id))?.prompt).toBe(j.prompt);
    await a.close();
    await b.close();
  });

  it('a survivor adopts the jobs of a stopped runner on its heartbeat, through resume', async () => {
    const path = join(dir, `adopt-${files++}.sqlite`);
    const clock = new ManualClock();
    const a = node(path, clock, 'node-a');
    const b = node(path, clock, 'node-b');
    await b.runner.recover();
    const job = await a.runner.submit({ clientId: 'alice', kind: 'imagine', prompt: 'handed over' });
    await waitForStatus(a.runner, job.id, 'submitted');
    await b.runner.beat();
    expect(b.runner.activeCount).toBe(0); // node-a holds it

    await a.close(); // a stop releases its claims
    await b.runner.beat();
    expect(b.generator.resumed.map((t) => t.prompt)).toEqual(['handed over']);
    (await b.generator.job(1)).complete();
    await waitForStatus(b.runner, job.id, 'succeeded');
    expect(a.generator.sent + b.generator.sent).toBe(1);
    await b.close();
  });
  it('adoption fails a poisoned record alone under its new claim, and leaves a job to a later attempt while the circuit is open', async () => {
    const path = join(dir, `poisoned-${files++}.sqlite`);
    const clock = new ManualClock();
    const dead = new SqliteJobStore({ path, clock });
    let metadata: Record<string, unknown> = {};
    for (let i = 1; i < 2_000; i += 1) metadata = { a: metadata };
    const poisoned = {
      ...createJobRecord(
        '1750000000000000001',
        { clientId: 'alice', kind: 'imagine', prompt: 'deep' },
        clock.now(),
      ),
      metadata,
    };
    const queued = createJobRecord(
      '1750000000000000002',
      { clientId: 'alice', kind: 'imagine', prompt: 'queued' },
      clock.now(),
    );
    await dead.insertClaimed(poisoned, 'dead-node', TTL);
    await dead.insertClaimed(queued, 'dead-node', TTL);
    await dead.close();
    clock.advance(TTL); // the dead node's claims expire

    const store = new SqliteJobStore({ path, clock });
    const breaker = new CircuitBreaker({ clock });
    breaker.open('Discord is failing');
    const generator = new FakeGenerator({ now: () => clock.now() });
    const runner = new JobRunner({ generator, store, breaker, clock, instanceId: 'node-a', claimTtlMs: TTL });
    const changes: string[] = [];
    runner.on('change', (job, type) => changes.push(`${job.id}:${type}`));

    expect(await runner.recover()).toEqual({ resumed: 0, submitted: 0, failed: 1 });
    expect(await store.get(poisoned.id)).toMatchObject({
      status: 'failed',
      metadata: null,
      error: { code: 'JOB_RECORD_INVALID' },
    });
    expect(changes).toEqual([`${poisoned.id}:failed`]);
    // The queued job was claimed, found the circuit open, and was given back untouched.
    expect(await store.get(queued.id)).toMatchObject({ status: 'queued' });
    expect(await store.getClaim(queued.id)).toBeNull();
    expect(generator.sent).toBe(0);
    await runner.close();

    // Another runner with a closed circuit takes it (fence 3: the dead node's, node-a's, its own).
    const b = node(path, clock, 'node-b');
    expect(await b.runner.recover()).toEqual({ resumed: 0, submitted: 1, failed: 0 });
    expect((await b.store.getClaim(queued.id))?.fence).toBe(3);
    await waitForStatus(b.runner, queued.id, 'submitted');
    expect(b.generator.sentPrompts).toEqual(['queued']);
    await b.close();
    await store.close();
  });
});
