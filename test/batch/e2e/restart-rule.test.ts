/**
 * The restart rule in `mjw batch`, with the real client against the real simulator on 127.0.0.1
 * while channel reads fail (503 on `GET /channels/{id}/messages`) for the first part of the run.
 * A crashed run left three prompts in flight: one that ran (send confirmed), one whose POST never
 * left (no `submitted` record), one Discord accepted but Midjourney refused unseen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src/batch/session.js';
import { RestClient } from '../../../src/discord/rest/index.js';
import type { SubmissionTicket } from '../../../src/generation/types.js';
import { ticketFor, writeCrashedJournal } from '../support/crashed-journal.js';
import { batchFiles, resultLines } from '../support/files.js';
import { type SimSetup, startBatchSim } from '../support/sim.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';

let setup: SimSetup | undefined;
let rest: RestClient | undefined;
afterEach(async () => {
  await setup?.close();
  await rest?.close();
  setup = undefined;
  rest = undefined;
});

describe('mjw batch after a crash, with failing channel reads', () => {
  it('follows the job that ran, never resends the unconfirmed one (SUBMISSION_UNCERTAIN) nor the confirmed one', async () => {
    setup = await startBatchSim();
    const { sim } = setup;
    // The job that ran: sent by the process that then crashed, once Discord had confirmed it.
    const crashed = setup.client();
    let ran: SubmissionTicket | undefined;
    const lost = crashed.imagine('a lighthouse that ran', {
      onSubmit: (t) => {
        ran = t;
      },
    });
    await new Promise((resolve) => crashed.once('submitted', resolve));
    await crashed.close();
    await lost.catch(() => undefined);

    const files = await batchFiles(
      'a lighthouse that ran\na lighthouse never sent\na lighthouse refused unseen\n',
    );
    await writeCrashedJournal(files, [
      { prompt: 'a lighthouse that ran', confirmed: true, ticket: ran as SubmissionTicket },
      {
        prompt: 'a lighthouse never sent',
        confirmed: false,
        ticket: ticketFor('a lighthouse never sent', sim.channelId),
      },
      {
        prompt: 'a lighthouse refused unseen',
        confirmed: true,
        ticket: ticketFor('a lighthouse refused unseen', sim.channelId),
      },
    ]);

    sim.faults.add({ kind: 'status', status: 503, route: MESSAGES, count: Infinity });
    const recover = setTimeout(() => sim.faults.clear(), 2_000);
    rest = new RestClient({
      token: sim.token,
      baseUrl: sim.apiBaseUrl,
      retries: 0,
      limiterOptions: { minSpacingMs: 0 },
    });
    const generator = setup.client({ rest });
    const { report } = await runBatch({ input: files.input, out: files.out, generator }).finally(() =>
      clearTimeout(recover),
    );

    const jobs = (prompt: string) => sim.jobs.filter((j) => j.prompt === prompt);
    expect(jobs('a lighthouse that ran')).toHaveLength(1);
    // Journaled as submitting only: its POST may have been pending at the crash, never resent.
    expect(jobs('a lighthouse never sent')).toHaveLength(0);
    expect(jobs('a lighthouse refused unseen')).toHaveLength(0);
    expect(sim.requests.some((r) => r.route === MESSAGES && r.status === 503)).toBe(true);

    const lines = Object.fromEntries((await resultLines(files.out)).map((l) => [l.prompt, l]));
    expect(lines['a lighthouse that ran']).toMatchObject({
      ok: true,
      jobId: jobs('a lighthouse that ran')[0]?.id,
    });
    expect(lines['a lighthouse never sent']).toMatchObject({
      ok: false,
      error: { code: 'SUBMISSION_UNCERTAIN', retryable: false },
    });
    expect(lines['a lighthouse refused unseen']).toMatchObject({ ok: false, outcome: 'pre-moderation' });
    expect(report.outcomes).toEqual({ success: 1, error: 1, 'pre-moderation': 1 });
  });
});
