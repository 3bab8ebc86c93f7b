import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { JournalLockedError } from '../../src/batch/errors.js';
import { JournalLock, journalLockPathFor } from '../../src/batch/journal-lock.js';
import { runBatch } from '../../src/batch/session.js';
import { ExitCode } from '../../src/cli/command.js';
import { batchCommand } from '../../src/cli/commands/batch.js';
import { serializeHolder } from '../../src/ownership/lock-holder.js';
import { capture } from '../cli/helpers.js';
import { FakeGenerator } from './support/fake-generator.js';
import { batchFiles, resultLines } from './support/files.js';
import { ManualClock, waitFor } from './support/manual-clock.js';

const prompts = (n: number): string => Array.from({ length: n }, (_, i) => `prompt ${i + 1}`).join('\n');

describe('one run per journal', () => {
  it('two runs on the same --out at once: exactly one submits, the other is refused naming pid and host', async () => {
    const files = await batchFiles(prompts(6));
    const a = new FakeGenerator();
    const b = new FakeGenerator(false, 2_000_000_000_000_000_000n);
    const settled = await Promise.allSettled([
      runBatch({ input: files.input, out: files.out, generator: a }),
      runBatch({ input: files.input, out: files.out, generator: b }),
    ]);
    expect(a.sent.length + b.sent.length).toBe(6);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const refused = settled.find((s) => s.status === 'rejected')?.reason as unknown;
    expect(refused).toBeInstanceOf(JournalLockedError);
    expect(refused).toMatchObject({
      code: 'BATCH_JOURNAL_LOCKED',
      retryable: true,
      path: files.journal,
      holder: { pid: process.pid, hostname: hostname() },
    });
    expect((refused as Error).message).toContain(
      `in use by another mjw batch run, pid ${process.pid} on host ${hostname()}`,
    );
    expect(await resultLines(files.out)).toHaveLength(6);
    // Released at the end: the next run may go (and finds nothing left to do).
    await expect(readFile(journalLockPathFor(files.journal))).rejects.toMatchObject({ code: 'ENOENT' });
    const c = new FakeGenerator(false, 3_000_000_000_000_000_000n);
    await runBatch({ input: files.input, out: files.out, generator: c });
    expect(c.sent).toEqual([]);
  });

  it('takes over the lock of a run that died, and resumes its journal', async () => {
    const files = await batchFiles(prompts(2));
    await writeFile(
      journalLockPathFor(files.journal),
      serializeHolder({
        pid: 999_999,
        hostname: hostname(),
        startedAt: 0,
        heartbeatAt: 0,
        ownerId: 'dead-run',
        purpose: 'mjw batch journal',
      }),
    );
    const gen = new FakeGenerator();
    const { report } = await runBatch({
      input: files.input,
      out: files.out,
      generator: gen,
      lockOptions: { isProcessAlive: (pid) => pid !== 999_999 },
    });
    expect(report.outcomes).toEqual({ success: 2 });
    await expect(readFile(journalLockPathFor(files.journal))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops submitting when a heartbeat finds the lock taken over', async () => {
    const files = await batchFiles(prompts(4));
    const gen = new FakeGenerator(true);
    const clock = new ManualClock();
    const lock = await JournalLock.acquire(files.journal, {
      clock,
      heartbeatIntervalMs: 1_000,
      releaseOnExit: false,
    });
    const run = runBatch({ input: files.input, out: files.out, generator: gen, concurrency: 1, lock });
    await waitFor(() => gen.pending.length === 1, 'the first job');
    const usurper = serializeHolder({
      pid: 4_321,
      hostname: 'other-host',
      startedAt: clock.now(),
      heartbeatAt: clock.now(),
      ownerId: 'usurper',
      purpose: 'mjw batch journal',
    });
    await writeFile(journalLockPathFor(files.journal), usurper);
    clock.advance(1_000);
    await waitFor(() => lock.lost.aborted, 'the heartbeat to find the lock lost');
    gen.release();
    const { report } = await run;
    expect(gen.sent).toHaveLength(1);
    expect(report).toMatchObject({ notRun: 3, stopReason: 'interrupted' });
    // The new owner's file is left alone.
    await lock.release();
    expect(await readFile(journalLockPathFor(files.journal), 'utf8')).toBe(usurper);
  });
});

describe('mjw batch with its journal held', () => {
  it('exits 1 naming the holder, before opening anything', async () => {
    const files = await batchFiles(prompts(2));
    const held = await JournalLock.acquire(files.journal, { releaseOnExit: false });
    const stdout = capture();
    const stderr = capture();
    try {
      const code = await batchCommand.run({
        argv: [files.input, '--out', files.out],
        env: { LOG_LEVEL: 'silent' },
        stdout,
        stderr,
        signal: new AbortController().signal,
      });
      expect(code).toBe(ExitCode.Failure);
    } finally {
      await held.release();
    }
    expect(stderr.text).toContain(
      `mjw batch: ${files.journal}: in use by another mjw batch run, pid ${process.pid} on host ${hostname()}`,
    );
    expect(stderr.text).not.toContain('simulator');
    expect(stdout.text).toBe('');
    await expect(readFile(files.journal)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
