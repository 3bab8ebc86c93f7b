import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BatchInputError } from '../../src/batch/errors.js';
import type { JournalRecord } from '../../src/batch/journal-records.js';
import { runBatch } from '../../src/batch/session.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { QueueFullError } from '../../src/midjourney/errors.js';
import { writeCrashedJournal } from './support/crashed-journal.js';
import { FakeGenerator } from './support/fake-generator.js';
import { batchFiles, journalRecords, resultLines, transitions } from './support/files.js';
import { ManualClock, settle, waitFor } from './support/manual-clock.js';

const prompts = (n: number): string => Array.from({ length: n }, (_, i) => `prompt ${i + 1}`).join('\n');

describe('stopping (SIGINT / SIGTERM)', () => {
  it('stops submitting, lets jobs in flight finish, and a re-run does only the rest', async () => {
    const files = await batchFiles(prompts(6));
    const gen = new FakeGenerator(true);
    const controller = new AbortController();
    const run = runBatch({ input: files.input, out: files.out, generator: gen, signal: controller.signal });
    await waitFor(() => gen.pending.length === 3, 'three jobs');
    controller.abort(new Error('SIGINT'));
    gen.release();
    const { report } = await run;
    expect(gen.sent).toHaveLength(3);
    expect(report).toMatchObject({ stopReason: 'interrupted', notRun: 3, outcomes: { success: 3 } });
    expect(await resultLines(files.out)).toHaveLength(3);
    const records = await journalRecords(files.journal);
    const ids = (await resultLines(files.out)).map((l) => l.id);
    for (const id of ids) expect(transitions(records, id).at(-1)).toBe('done');
    const untouched = records.filter((r) => r.t === 'pending' && !ids.includes(r.id));
    for (const r of untouched) expect(transitions(records, (r as { id: string }).id)).toEqual(['pending']);

    // Re-running the same command continues: only the three others are sent.
    const again = new FakeGenerator(false, 2_000_000_000_000_000_000n);
    const second = await runBatch({ input: files.input, out: files.out, generator: again });
    expect(again.sent.map((s) => s.prompt)).toEqual(['prompt 4', 'prompt 5', 'prompt 6']);
    expect(second.resume).toMatchObject({ resumed: true, alreadyFinished: 3 });
    const lines = await resultLines(files.out);
    expect(new Set(lines.map((l) => l.id)).size).toBe(6);
    expect(lines).toHaveLength(6);
  });

  it('does not resubmit a prompt waiting out a backoff when stopped', async () => {
    const files = await batchFiles('busy\n');
    const gen = new FakeGenerator().when('busy', new QueueFullError({ prompt: 'busy' }), 'ok');
    const clock = new ManualClock();
    const controller = new AbortController();
    const run = runBatch({
      input: files.input,
      out: files.out,
      generator: gen,
      clock,
      signal: controller.signal,
    });
    await waitFor(() => clock.sleeping.length === 1, 'the backoff');
    controller.abort();
    const { report } = await run;
    expect(gen.sent).toHaveLength(1);
    expect(report.notRun).toBe(1);
    const records = await journalRecords(files.journal);
    expect(records.at(-1)).toMatchObject({ t: 'attempt-failed', outcome: 'queue-full' });
    expect(await resultLines(files.out)).toEqual([]);
  });
});

describe('resuming after a crash', () => {
  it('follows journaled tickets, never resends one whose send was unconfirmed, restores lost lines', async () => {
    const files = await batchFiles(prompts(6));
    // First process: prompt 1 finishes, prompts 2-4 are in flight when it "dies".
    const first = new FakeGenerator(true);
    void runBatch({ input: files.input, out: files.out, generator: first });
    await waitFor(() => first.pending.length === 3, 'three jobs');
    first.release(1);
    await waitFor(() => first.sent.length === 4, 'the fourth submission');
    let records: JournalRecord[] = [];
    for (let i = 0; i < 200 && records.filter((r) => r.t === 'submitting').length < 4; i++) {
      records = await journalRecords(files.journal);
      await settle(5);
    }
    const tickets = records.flatMap((r) => (r.t === 'submitting' ? [r.ticket as SubmissionTicket] : []));
    expect(tickets.map((t) => t.prompt)).toEqual(['prompt 1', 'prompt 2', 'prompt 3', 'prompt 4']);
    // The process died before Discord answered prompt 4's POST: no `submitted` record for it.
    const fourth = records.find((r) => r.t === 'submitting' && r.ticket.prompt === 'prompt 4') as {
      id: string;
    };
    await settle(20);
    const kept = (await journalRecords(files.journal)).filter(
      (r) => !(r.t === 'submitted' && r.id === fourth.id),
    );
    await writeFile(files.journal, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    // The crash tore the journal's last write and lost prompt 1's result line.
    await appendFile(files.journal, '{"t":"submitted","id":"L');
    await writeFile(files.out, '{"id":"L1-torn');

    // Second process: Midjourney has jobs for prompts 2 and 3; prompt 4's POST may have been
    // pending at the crash (written and refused unseen, or never left): it is not resent.
    const second = new FakeGenerator(false, 2_000_000_000_000_000_000n);
    second.preexisting(tickets[1] as SubmissionTicket);
    second.preexisting(tickets[2] as SubmissionTicket);
    // The first "process" died: its journal lock is judged stale and taken over.
    const { resume, report } = await runBatch({
      input: files.input,
      out: files.out,
      generator: second,
      lockOptions: { isProcessAlive: () => false },
    });
    expect(resume).toEqual({ resumed: true, alreadyFinished: 1, inFlight: 3, restoredLines: 1 });
    expect(second.resumed.sort()).toEqual([tickets[1]?.nonce, tickets[2]?.nonce, tickets[3]?.nonce].sort());
    // The journal told resume which sends Discord had confirmed.
    expect(second.confirmedOnResume.get(tickets[1]?.nonce as string)).toBe(true);
    expect(second.confirmedOnResume.get(tickets[3]?.nonce as string)).toBe(false);
    expect(second.sent.map((s) => s.prompt).sort()).toEqual(['prompt 5', 'prompt 6']);
    expect(report.outcomes).toEqual({ success: 5, error: 1 });
    const lines = await resultLines(files.out);
    expect(lines.map((l) => l.prompt).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `prompt ${i + 1}`));
    // Every line of the journal is readable again (the torn tail was cut, not glued to).
    expect(
      (await readFile(files.journal, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .every((l) => JSON.parse(l)),
    ).toBe(true);
    const resumedLine = lines.find((l) => l.prompt === 'prompt 2');
    expect(resumedLine).toMatchObject({ ok: true, attempts: 1 });
    const uncertain = lines.find((l) => l.prompt === 'prompt 4');
    expect(uncertain).toMatchObject({ ok: false, error: { code: 'SUBMISSION_UNCERTAIN', retryable: false } });
  });
});

describe('journal and output checks', () => {
  it('refuses a journal written for other prompts unless --resume', async () => {
    const files = await batchFiles(prompts(2));
    await runBatch({ input: files.input, out: files.out, generator: new FakeGenerator() });
    await writeFile(files.input, `${prompts(2)}\nprompt 3\n`);
    const gen = new FakeGenerator(false, 2_000_000_000_000_000_000n);
    await expect(runBatch({ input: files.input, out: files.out, generator: gen })).rejects.toThrowError(
      /written for other prompts .* pass --resume/,
    );
    expect(gen.sent).toHaveLength(0);
    const { report } = await runBatch({ input: files.input, out: files.out, generator: gen, resume: true });
    expect(gen.sent.map((s) => s.prompt)).toEqual(['prompt 3']);
    expect(report.outcomes).toEqual({ success: 3 });
  });

  it('starts a first run given --resume, and refuses an output file without its journal', async () => {
    const first = await batchFiles(prompts(1));
    const started = await runBatch({
      input: first.input,
      out: first.out,
      generator: new FakeGenerator(),
      resume: true,
    });
    expect(started.resume.resumed).toBe(false);
    expect(await resultLines(first.out)).toHaveLength(1);
    const files = await batchFiles(prompts(1));
    const gen = new FakeGenerator();
    await writeFile(files.out, '{"id":"x"}\n');
    for (const resume of [false, true]) {
      await expect(
        runBatch({ input: files.input, out: files.out, generator: gen, resume }),
      ).rejects.toThrowError(/already holds results but has no journal/);
    }
    expect(gen.sent).toHaveLength(0);
  });

  it('creates the output directory when missing', async () => {
    const files = await batchFiles(prompts(1));
    const out = `${files.dir}/nested/deeper/results.jsonl`;
    await runBatch({ input: files.input, out, generator: new FakeGenerator() });
    expect(await resultLines(out)).toHaveLength(1);
  });

  it('with --strict and a bad line, sends nothing and writes no journal', async () => {
    const files = await batchFiles('{"prompt":"ok"}\n{"prompt":""}\n', 'in.jsonl');
    const gen = new FakeGenerator();
    await expect(
      runBatch({ input: files.input, out: files.out, generator: gen, strict: true }),
    ).rejects.toThrowError(BatchInputError);
    expect(gen.sent).toHaveLength(0);
    await expect(readFile(files.journal)).rejects.toThrowError(/ENOENT/);
  });
});

describe('the restart rule (src/generation/restart-rule.ts) in the batch runner', () => {
  const input = 'ran\nnever left\nrefused unseen\nunknown\n';

  it('follows a found job, never resends an unconfirmed or a confirmed one that is not found', async () => {
    const files = await batchFiles(input);
    const tickets = await writeCrashedJournal(files, [
      { prompt: 'ran', confirmed: true },
      { prompt: 'never left', confirmed: false },
      { prompt: 'refused unseen', confirmed: true },
    ]);
    const gen = new FakeGenerator(false, 2_000_000_000_000_000_000n);
    gen.preexisting(tickets.get('ran') as SubmissionTicket);
    const { report } = await runBatch({ input: files.input, out: files.out, generator: gen });
    // The journal's `submitted` records reached resume as sendConfirmed.
    expect(Object.fromEntries([...tickets].map(([p, t]) => [p, gen.confirmedOnResume.get(t.nonce)]))).toEqual(
      {
        ran: true,
        'never left': false,
        'refused unseen': true,
      },
    );
    expect(gen.sent.map((s) => s.prompt).sort()).toEqual(['unknown']);
    const lines = await resultLines(files.out);
    const byPrompt = Object.fromEntries(lines.map((l) => [l.prompt, l]));
    expect(byPrompt.ran).toMatchObject({ ok: true, attempts: 1 });
    // Journaled as submitting, never confirmed: its POST may have run, so it fails as uncertain.
    expect(byPrompt['never left']).toMatchObject({ ok: false, error: { code: 'SUBMISSION_UNCERTAIN' } });
    expect(byPrompt['refused unseen']).toMatchObject({ ok: false, outcome: 'pre-moderation' });
    expect(report.outcomes).toEqual({ success: 2, error: 1, 'pre-moderation': 1 });
  });

  it('never resends a job it could not find while reads failed; the next run resolves it', async () => {
    const files = await batchFiles(input);
    const tickets = await writeCrashedJournal(files, [
      { prompt: 'ran', confirmed: true },
      { prompt: 'never left', confirmed: false },
    ]);
    const ran = tickets.get('ran') as SubmissionTicket;
    const neverLeft = tickets.get('never left') as SubmissionTicket;
    const failing = new FakeGenerator(false, 2_000_000_000_000_000_000n);
    failing.unresolved.add(ran.nonce);
    failing.unresolved.add(neverLeft.nonce);
    const first = await runBatch({ input: files.input, out: files.out, generator: failing });
    expect(failing.sent.map((s) => s.prompt).sort()).toEqual(['refused unseen', 'unknown']);
    expect(first.report.notRun).toBe(2);
    const records = await journalRecords(files.journal);
    expect(records.filter((r) => r.t === 'attempt-failed' || r.t === 'step-failed')).toEqual([]);

    // Reads work again: the job that ran is followed; the unconfirmed one is not found and is
    // never resent (its POST may have been pending at the crash).
    const healthy = new FakeGenerator(false, 3_000_000_000_000_000_000n);
    healthy.preexisting(ran);
    const second = await runBatch({ input: files.input, out: files.out, generator: healthy });
    expect(healthy.resumed.sort()).toEqual([ran.nonce, neverLeft.nonce].sort());
    expect(healthy.sent).toEqual([]);
    expect(second.report.notRun).toBe(0);
    const byPrompt = Object.fromEntries((await resultLines(files.out)).map((l) => [l.prompt, l]));
    expect(byPrompt.ran).toMatchObject({ ok: true });
    expect(byPrompt['never left']).toMatchObject({ ok: false, error: { code: 'SUBMISSION_UNCERTAIN' } });
  });
});
