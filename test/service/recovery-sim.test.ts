/**
 * The restart rule in the service, end to end: the real Midjourney client against the simulator
 * on 127.0.0.1, while channel reads fail (503 on `GET /channels/{id}/messages`) for the first
 * part of the recovery. The store holds what a crashed run left: a job that ran (confirmed), one
 * whose POST never got an answer (`submitting`), and one Discord accepted but Midjourney refused
 * unseen (confirmed, nothing in the channel).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RestClient } from '../../src/discord/rest/index.js';
import { Midjourney } from '../../src/generation/index.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { createJobRecord, type JobRecord, type JobStatus } from '../../src/service/jobs/job.js';
import { MemoryJobStore } from '../../src/service/jobs/memory-store.js';
import type { Simulator } from '../../src/simulator/index.js';
import { startTestService, waitForStatus } from './helpers/service.js';
import { interactionPosts, startFastSimulator } from './helpers/simulator.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A client whose reads are not retried inside the REST client: every 503 is one failed poll. */
function clientFor(sim: Simulator): Midjourney {
  const rest = new RestClient({
    token: sim.token,
    baseUrl: sim.apiBaseUrl,
    retries: 0,
    limiterOptions: { minSpacingMs: 0 },
  });
  const mj = new Midjourney({
    rest,
    token: sim.token,
    guildId: sim.guildId,
    channelId: sim.channelId,
    watch: 'poll',
    pollMinMs: 30,
    pollMaxMs: 60,
    confirmWindowMs: 200,
    notSeenTimeoutMs: 1_500,
    resumeGraceMs: 500,
    ambiguousGraceMs: 500,
    jobTimeoutMs: 15_000,
  });
  cleanups.push(async () => {
    await mj.close();
    await rest.close();
  });
  return mj;
}

let seq = 0;
function stored(prompt: string, status: JobStatus, ticket: SubmissionTicket): JobRecord {
  seq += 1;
  const id = String(1_750_000_000_000_000 + seq);
  return {
    ...createJobRecord(id, { clientId: 'alice', kind: 'imagine', prompt }, Date.now()),
    status,
    ticket,
  };
}

function ticketFor(sim: Simulator, prompt: string, nonce: string): SubmissionTicket {
  return {
    kind: 'imagine',
    prompt,
    channelId: sim.channelId,
    nonce,
    afterMessageId: null,
    submittedAt: Date.now(),
  };
}

describe('service restart with failing channel reads', () => {
  it('follows the job that ran, never resends the unconfirmed one (SUBMISSION_UNCERTAIN) nor the confirmed one', async () => {
    const sim = await startFastSimulator();
    cleanups.push(() => sim.close());
    // The job that ran: sent by the process that then crashed, once Discord had confirmed it.
    const crashed = clientFor(sim);
    let ran: SubmissionTicket | undefined;
    const lost = crashed.imagine('a lighthouse that ran', {
      onSubmit: (t) => {
        ran = t;
      },
    });
    await new Promise((resolve) => crashed.once('submitted', resolve));
    await crashed.close();
    await lost.catch(() => undefined);

    const store = new MemoryJobStore();
    const jobs = {
      ran: stored('a lighthouse that ran', 'submitted', ran as SubmissionTicket),
      neverSent: stored(
        'a lighthouse never sent',
        'submitting',
        ticketFor(sim, 'a lighthouse never sent', '1300000000000000001'),
      ),
      refused: stored(
        'a lighthouse refused unseen',
        'submitted',
        ticketFor(sim, 'a lighthouse refused unseen', '1300000000000000002'),
      ),
    };
    for (const job of Object.values(jobs)) await store.insert(job);

    sim.faults.add({ kind: 'status', status: 503, route: MESSAGES, count: Infinity });
    // Reads fail for a second from the first failed one (not from now: on a loaded machine the
    // service may take longer than that to start), then Discord recovers.
    let recover: NodeJS.Timeout | undefined;
    const watch = setInterval(() => {
      if (recover || !sim.requests.some((r) => r.route === MESSAGES && r.status === 503)) return;
      recover = setTimeout(() => sim.faults.clear(), 1_000);
    }, 20);
    cleanups.push(async () => {
      clearInterval(watch);
      clearTimeout(recover);
    });
    const service = await startTestService({ generator: clientFor(sim), store });
    cleanups.push(() => service.close());
    expect(service.started.recovered).toMatchObject({ resumed: 3, submitted: 0, failed: 0 });
    const { runner } = service.started.service;

    const ranDone = await waitForStatus(runner, jobs.ran.id, 'terminal');
    const resent = await waitForStatus(runner, jobs.neverSent.id, 'terminal');
    const refused = await waitForStatus(runner, jobs.refused.id, 'terminal');
    const simJobs = (prompt: string) => sim.jobs.filter((j) => j.prompt === prompt);
    expect(ranDone).toMatchObject({
      status: 'succeeded',
      result: { jobId: simJobs('a lighthouse that ran')[0]?.id },
    });
    // Stored as `submitting`: its POST may have been pending at the crash, so it is never resent.
    expect(resent).toMatchObject({
      status: 'failed',
      error: { code: 'SUBMISSION_UNCERTAIN', retryable: false },
    });
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'PRE_MODERATION', retryable: false } });
    expect(simJobs('a lighthouse that ran')).toHaveLength(1);
    expect(simJobs('a lighthouse never sent')).toHaveLength(0);
    expect(simJobs('a lighthouse refused unseen')).toHaveLength(0);
    // One POST before the crash, and none after it: nothing paid twice.
    expect(interactionPosts(sim)).toBe(1);
    expect(sim.requests.some((r) => r.route === MESSAGES && r.status === 503)).toBe(true);
  });
});
