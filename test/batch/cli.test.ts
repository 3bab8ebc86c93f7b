import { describe, expect, it } from 'vitest';
import type { BatchRunReport } from '../../src/batch/runner.js';
import { UsageError } from '../../src/cli/command.js';
import { batchCommand, exitCodeFor, parseBatchArgs } from '../../src/cli/commands/batch.js';
import { capture } from '../cli/helpers.js';
import { batchFiles, resultLines } from './support/files.js';

describe('mjw batch arguments', () => {
  it('parses the documented flags', () => {
    expect(
      parseBatchArgs([
        'in.jsonl',
        '--out',
        'r.jsonl',
        '--concurrency',
        '5',
        '--download',
        'img',
        '--split',
        '--retry',
        'queue-full,timeout',
        '--resume',
        '--strict',
      ]),
    ).toEqual({
      input: 'in.jsonl',
      out: 'r.jsonl',
      concurrency: 5,
      download: 'img',
      split: true,
      retry: new Set(['queue-full', 'timeout']),
      resume: true,
      strict: true,
    });
    expect(parseBatchArgs(['a.txt', '--out=r.jsonl'])).toEqual({
      input: 'a.txt',
      out: 'r.jsonl',
      split: false,
      resume: false,
      strict: false,
    });
  });

  it.each([
    [['--out', 'r.jsonl'], 'missing <input> file'],
    [['a.txt', 'b.txt', '--out', 'r'], 'expected one <input>, got a.txt b.txt'],
    [['a.txt'], '--out <results.jsonl> is required'],
    [
      ['a.txt', '--out', 'r', '--concurrency', '0'],
      '--concurrency: expected an integer from 1 to 24, got "0"',
    ],
    [
      ['a.txt', '--out', 'r', '--concurrency', 'many'],
      '--concurrency: expected an integer from 1 to 24, got "many"',
    ],
    [['a.txt', '--out', 'r', '--split'], '--split needs --download <dir>'],
    [
      ['a.txt', '--out', 'r', '--retry', 'post-moderation'],
      '--retry post-moderation: moderation outcomes are never retried',
    ],
    [['a.txt', '--out', 'r', '--fast'], "Unknown option '--fast'"],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseBatchArgs(argv)).toThrowError(UsageError);
    expect(() => parseBatchArgs(argv)).toThrowError(message);
  });
});

describe('mjw batch exit codes', () => {
  const report = (over: Partial<BatchRunReport>): BatchRunReport => ({
    progress: {
      total: 1,
      finished: 1,
      succeeded: 1,
      failed: 0,
      running: 0,
      waiting: 0,
      finishedThisRun: 1,
      startedAt: 0,
    },
    outcomes: { success: 1 },
    durations: [],
    notRun: 0,
    downloadFailures: 0,
    wallMs: 1,
    ...over,
  });

  it.each([
    [{}, 0],
    [{ outcomes: { success: 1, 'pre-moderation': 1 } }, 3],
    [{ outcomes: { 'queue-full': 1 } }, 3],
    [{ outcomes: { 'pre-moderation': 1, discord: 1 } }, 4],
    [{ outcomes: { error: 1 } }, 1],
    [{ notRun: 2 }, 1],
    [{ downloadFailures: 1 }, 1],
    [
      {
        fatal: {
          name: 'BatchJournalError',
          code: 'BATCH_JOURNAL_INVALID',
          message: 'disk full',
          retryable: false,
        },
      },
      1,
    ],
  ] as [Partial<BatchRunReport>, number][])('%j -> %i', (over, code) => {
    expect(exitCodeFor(report(over))).toBe(code);
  });
});

describe('mjw batch runs', () => {
  it('refuses a bad input with --strict before starting anything (exit 2)', async () => {
    const files = await batchFiles('{"prompt":"ok"}\n{"prompt":1}\n', 'in.jsonl');
    const stdout = capture();
    const stderr = capture();
    const code = await batchCommand.run({
      argv: [files.input, '--out', files.out, '--strict'],
      env: {},
      stdout,
      stderr,
      signal: new AbortController().signal,
    });
    expect(code).toBe(2);
    expect(stderr.text).toContain(`${files.input}:2: "prompt" must be a string`);
    expect(stderr.text).not.toContain('simulator');
    expect(stdout.text).toBe('');
  });

  it('without credentials runs against the built-in simulator and says so', async () => {
    const files = await batchFiles('a quiet harbour\n# a comment\n\n');
    const stdout = capture();
    const stderr = capture();
    const code = await batchCommand.run({
      argv: [files.input, '--out', files.out],
      env: { MJ_CONFIRM_WINDOW_MS: '50' },
      stdout,
      stderr,
      signal: new AbortController().signal,
    });
    expect(stderr.text).toContain('running against the built-in simulator (nothing is sent to Discord)');
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/^Batch finished\n {2}success +1\n/);
    expect(stdout.text).toMatch(/Discord calls +\d+\n {2}429s seen +0\n/);
    expect(await resultLines(files.out)).toMatchObject([
      { prompt: 'a quiet harbour', outcome: 'success', ok: true },
    ]);
  });
});
