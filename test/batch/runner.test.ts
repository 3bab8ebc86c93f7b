import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatchJournalError } from '../../src/batch/errors.js';
import { parseInput } from '../../src/batch/input/read-input.js';
import type { Journal } from '../../src/batch/journal.js';
import { BatchRunner } from '../../src/batch/runner.js';
import { runBatch } from '../../src/batch/session.js';
import { DailyCapReachedError } from '../../src/generation/errors.js';
import {
  CreditsExhaustedError,
  JobTimeoutError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
} from '../../src/midjourney/errors.js';
import { FakeGenerator, releaseAll } from './support/fake-generator.js';
import { batchFiles, journalRecords, resultLines, transitions } from './support/files.js';
import { ManualClock, settle, waitFor } from './support/manual-clock.js';

const prompts = (n: number): string => Array.from({ length: n }, (_, i) => `prompt ${i + 1}`).join('\n');

describe('BatchRunner slots', () => {
  it('keeps every slot busy and submits the next prompt as soon as one frees', async () => {
    const files = await batchFiles(prompts(8));
    const gen = new FakeGenerator(true);
    const run = runBatch({ input: files.input, out: files.out, generator: gen, concurrency: 3 });
    await waitFor(() => gen.sent.length === 3, 'three submissions');
    // Nothing more goes out while the three are running.
    await settle();
    expect(gen.sent).toHaveLength(3);
    gen.release(1);
    await waitFor(() => gen.sent.length === 4, 'a fourth submission after one job ended');
    expect(gen.inFlight).toBe(3);
    await releaseAll(gen, 8);
    const { report } = await run;
    expect(gen.maxInFlight).toBe(3);
    expect(report.outcomes).toEqual({ success: 8 });
    expect(report.notRun).toBe(0);
    const lines = await resultLines(files.out);
    expect(lines.map((l) => l.prompt).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `prompt ${i + 1}`).sort(),
    );
    expect(
      lines.every((l) => l.ok && l.attempts === 1 && l.jobId !== undefined && l.imageUrl !== undefined),
    ).toBe(true);
  });

  it('makes the ticket durable before the interaction is sent, then journals each transition', async () => {
    const files = await batchFiles('a fox\n');
    const gen = new FakeGenerator();
    const seenBeforeSend: boolean[] = [];
    gen.beforeSend = (ticket) =>
      seenBeforeSend.push(readFileSync(files.journal, 'utf8').includes(ticket.nonce));
    await runBatch({ input: files.input, out: files.out, generator: gen });
    expect(seenBeforeSend).toEqual([true]);
    const records = await journalRecords(files.journal);
    expect(records[0]).toMatchObject({ t: 'header', v: 1, prompts: 1 });
    const id = (await resultLines(files.out))[0]?.id as string;
    expect(transitions(records, id)).toEqual(['pending', 'submitting', 'submitted', 'step-done', 'done']);
  });
});

describe('BatchRunner outcomes and retries', () => {
  /** Runs the session, advancing the manual clock whenever everything else is waiting on it. */
  async function drive<T>(clock: ManualClock, run: Promise<T>): Promise<T> {
    let settled = false;
    void run.finally(() => {
      settled = true;
    });
    while (!settled) {
      await waitFor(() => settled || clock.sleeping.length > 0, 'the run to settle or sleep');
      if (!settled) clock.advance(Math.max(...clock.sleeping));
    }
    return run;
  }

  it('records mixed outcomes, retries what --retry lists and never moderation', async () => {
    const files = await batchFiles('fine\nbusy\nbanned\nstopped\nslow\n');
    const gen = new FakeGenerator()
      .when('busy', new QueueFullError({ prompt: 'busy' }), 'ok')
      .when('banned', new PreModerationError({ prompt: 'banned' }))
      .when('stopped', new PostModerationError({ prompt: 'stopped', percent: 93 }))
      .when('slow', new JobTimeoutError({ prompt: 'slow', timeoutMs: 10 }));
    const clock = new ManualClock();
    const retries: string[] = [];
    const { report } = await drive(
      clock,
      runBatch({
        input: files.input,
        out: files.out,
        generator: gen,
        clock,
        random: () => 1,
        retry: { outcomes: new Set(['queue-full', 'timeout']), maxAttempts: 3, baseDelayMs: 1_000 },
        onRunner: (runner) =>
          runner.on('retry', (_id, outcome, delay) => retries.push(`${outcome}:${delay}`)),
      }),
    );
    expect(gen.submissionsOf('fine')).toBe(1);
    expect(gen.submissionsOf('busy')).toBe(2);
    expect(gen.submissionsOf('banned')).toBe(1);
    expect(gen.submissionsOf('stopped')).toBe(1);
    expect(gen.submissionsOf('slow')).toBe(3);
    expect(retries.sort()).toEqual(['queue-full:1000', 'timeout:1000', 'timeout:2000']);
    expect(report.outcomes).toEqual({ success: 2, 'pre-moderation': 1, 'post-moderation': 1, timeout: 1 });
    const byPrompt = Object.fromEntries((await resultLines(files.out)).map((l) => [l.prompt, l]));
    expect(byPrompt.busy).toMatchObject({ outcome: 'success', ok: true, attempts: 2 });
    expect(byPrompt.banned).toMatchObject({
      outcome: 'pre-moderation',
      ok: false,
      attempts: 1,
      error: { name: 'PreModerationError', code: 'PRE_MODERATION', retryable: false },
    });
    expect(byPrompt.slow).toMatchObject({ outcome: 'timeout', attempts: 3, error: { code: 'JOB_TIMEOUT' } });
    expect(byPrompt.stopped?.jobId).toBeUndefined();
  });

  it('on queue full pauses every slot, then refills them all after the backoff', async () => {
    const files = await batchFiles(prompts(6));
    const gen = new FakeGenerator(true).when('prompt 1', new QueueFullError({ prompt: 'prompt 1' }), 'ok');
    const clock = new ManualClock();
    const paused: string[] = [];
    const run = runBatch({
      input: files.input,
      out: files.out,
      generator: gen,
      clock,
      random: () => 1,
      retry: { baseDelayMs: 30_000 },
      onRunner: (runner) => runner.on('paused', (reason, ms) => paused.push(`${reason}:${ms}`)),
    });
    await waitFor(() => gen.pending.length === 3, 'three jobs');
    gen.release(1); // prompt 1 ends in "Queue full"
    await waitFor(() => paused.length === 1, 'the pause');
    expect(paused).toEqual(['queue-full:30000']);
    gen.release(1); // prompt 2 succeeds: its slot wants prompt 4 but must wait
    await waitFor(() => clock.sleeping.length === 2, 'both free slots to wait out the pause');
    expect(gen.sent.map((s) => s.prompt)).toEqual(['prompt 1', 'prompt 2', 'prompt 3']);
    expect(clock.sleeping.every((ms) => ms === 30_000)).toBe(true);
    clock.advance(29_999);
    await settle();
    expect(gen.sent).toHaveLength(3);
    clock.advance(1);
    await waitFor(() => gen.sent.length === 5, 'both slots refilled');
    expect(
      gen.sent
        .slice(3)
        .map((s) => s.prompt)
        .sort(),
    ).toEqual(['prompt 1', 'prompt 4']);
    await releaseAll(gen, 7);
    const { report } = await run;
    expect(report.outcomes).toEqual({ success: 6 });
    expect(gen.maxInFlight).toBe(3);
  });

  it('on "Job queued" stops refilling until the queued job runs', async () => {
    const files = await batchFiles(prompts(5));
    const gen = new FakeGenerator(true);
    let runner: BatchRunner | undefined;
    const run = runBatch({
      input: files.input,
      out: files.out,
      generator: gen,
      onRunner: (r) => {
        runner = r;
      },
    });
    await waitFor(() => gen.pending.length === 3, 'three jobs');
    const queued = gen.pending[2];
    if (queued === undefined || runner === undefined) throw new Error('no queued job');
    gen.queue(queued);
    gen.release(1);
    await waitFor(() => runner?.progress.waiting === 1, 'the freed slot to wait');
    expect(gen.sent).toHaveLength(3);
    gen.emit('progress', queued.ref, { percent: 15, messageId: '1' });
    await waitFor(() => gen.sent.length === 4, 'refill once the queued job runs');
    await releaseAll(gen, 5);
    expect((await run).report.outcomes).toEqual({ success: 5 });
  });

  it('stops submitting when the account cannot take jobs, leaving the rest for a re-run', async () => {
    const files = await batchFiles(prompts(5));
    const gen = new FakeGenerator().when('prompt 2', new CreditsExhaustedError({ prompt: 'prompt 2' }));
    const { report } = await runBatch({ input: files.input, out: files.out, generator: gen, concurrency: 1 });
    expect(gen.sent.map((s) => s.prompt)).toEqual(['prompt 1', 'prompt 2']);
    expect(report.outcomes).toEqual({ success: 1, 'credits-exhausted': 1 });
    expect(report.notRun).toBe(3);
    expect(report.stopReason).toMatch(/the account cannot take jobs/);
    expect(report.fatal?.code).toBe('CREDITS_EXHAUSTED');
  });

  it('stops without recording an outcome when the local daily cap refuses a prompt', async () => {
    const files = await batchFiles(prompts(5));
    const gen = new FakeGenerator().when('prompt 2', new DailyCapReachedError(1, 60_000));
    const { report } = await runBatch({ input: files.input, out: files.out, generator: gen, concurrency: 1 });
    expect(report).toMatchObject({ outcomes: { success: 1 }, notRun: 4 });
    expect(report.stopReason).toMatch(/^DailyCapReachedError: The daily job cap of 1/);
    expect((await resultLines(files.out)).map((l) => l.prompt)).toEqual(['prompt 1']);
  });

  it('runs the actions of a line on its grid and reports each', async () => {
    const files = await batchFiles('{"id":"fox","prompt":"a fox","actions":["U1","V2"]}\n', 'in.jsonl');
    const gen = new FakeGenerator();
    await runBatch({ input: files.input, out: files.out, generator: gen });
    expect(gen.sent.map((s) => `${s.kind}:${s.action ?? ''}`)).toEqual([
      'imagine:',
      'upscale:U1',
      'variation:V2',
    ]);
    const [line] = await resultLines(files.out);
    expect(line).toMatchObject({
      id: 'fox',
      outcome: 'success',
      actions: [
        { action: 'U1', outcome: 'success', ok: true, attempts: 1 },
        { action: 'V2', outcome: 'success', ok: true, attempts: 1 },
      ],
    });
    expect(line?.actions[0]?.jobId).not.toBe(line?.jobId);
  });
});

describe('BatchRunner when the journal fails', () => {
  it('stops submitting at once and reports the journal error', async () => {
    const gen = new FakeGenerator();
    let appends = 0;
    // The disk fills up after the pending records and the first ticket.
    const journal = {
      append: async () => {
        appends += 1;
        if (appends > 2) throw new BatchJournalError('cannot write the journal (ENOSPC)', 'r.journal');
      },
    } as unknown as Journal;
    const lines: unknown[] = [];
    const runner = new BatchRunner({
      generator: gen,
      journal,
      concurrency: 1,
      writeResult: async (line) => {
        lines.push(line);
      },
    });
    const input = parseInput(prompts(5), 'p.txt');
    const report = await runner.run(input.prompts, new Map());
    expect(gen.sent.map((s) => s.prompt)).toEqual(['prompt 1']);
    expect(report.fatal).toMatchObject({
      name: 'BatchJournalError',
      message: expect.stringMatching(/ENOSPC/),
    });
    expect(report.stopReason).toMatch(/^BatchJournalError: /);
    expect(lines).toEqual([]);
    expect(report.notRun).toBe(5);
  });
});
