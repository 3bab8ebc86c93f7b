import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  estimateRemainingMs,
  fitProgressBar,
  formatProgressLine,
  ProgressReporter,
} from '../../src/batch/progress.js';
import type { BatchProgress, BatchRunReport } from '../../src/batch/runner.js';
import { formatDuration, formatSummary, percentile } from '../../src/batch/summary.js';

const progress = (over: Partial<BatchProgress> = {}): BatchProgress => ({
  total: 10,
  finished: 4,
  succeeded: 3,
  failed: 1,
  running: 3,
  waiting: 0,
  finishedThisRun: 4,
  startedAt: 0,
  ...over,
});

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { isTTY: boolean; text: string };
  stream.isTTY = isTTY;
  stream.text = '';
  return stream;
}

describe('percentile', () => {
  it.each([
    [[], 50, undefined],
    [[7], 95, 7],
    [[5, 1, 4, 2, 3], 50, 3],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
  ])('%j p%i = %s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('summary', () => {
  it('lists outcomes (success first), percentiles, Discord calls, 429s and wall time', () => {
    const report: BatchRunReport = {
      progress: progress({ total: 6, finished: 5, finishedThisRun: 5 }),
      outcomes: { 'queue-full': 1, success: 3, 'pre-moderation': 1 },
      durations: [40_000, 42_000, 45_000, 60_000, 90_000],
      notRun: 1,
      stopReason: 'interrupted',
      downloadFailures: 0,
      wallMs: 125_000,
    };
    const text = formatSummary(report, { discordCalls: 120, rateLimited: 0, skippedLines: 2 });
    expect(text.split('\n')).toEqual([
      'Batch stopped: interrupted',
      '  success                       3',
      '  pre-moderation                1',
      '  queue-full                    1',
      '  not run (re-run to continue)  1',
      '  skipped input lines           2',
      '',
      '  prompts                       6',
      '  finished this run             5',
      '  duration p50                  45.0 s',
      '  duration p95                  1m30s',
      '  Discord calls                 120',
      '  429s seen                     0',
      '  wall time                     2m05s',
    ]);
  });

  it('says n/a when the generator does not report calls', () => {
    const text = formatSummary({
      progress: progress(),
      outcomes: {},
      durations: [],
      notRun: 0,
      downloadFailures: 0,
      wallMs: 5,
    });
    expect(text).toContain('  Discord calls      n/a\n');
    expect(text).toContain('  duration p50       -\n');
  });

  it('formats durations for people', () => {
    expect([
      formatDuration(250),
      formatDuration(1_500),
      formatDuration(61_000),
      formatDuration(3_900_000),
    ]).toEqual(['250 ms', '1.5 s', '1m01s', '1h05m']);
  });
});

describe('progress', () => {
  it.each([200, 80, 60, 40, 20])('fits the bar in %i columns, one spare', (columns) => {
    const big = progress({ total: 12_345, finished: 6_789, succeeded: 6_000, failed: 789, running: 24 });
    const line = fitProgressBar(big, 3_600_000, columns);
    expect(line.length).toBeLessThanOrEqual(columns - 1);
    expect(line).toContain('%');
  });

  it('keeps the full bar when it fits, and draws to the stream width', () => {
    expect(fitProgressBar(progress(), 20_000, 200)).toMatch(/^\[#{10}-{14}\] 40% 4\/10 finished/);
    const chunks: string[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk: Buffer, _e, done) {
          chunks.push(chunk.toString());
          done();
        },
      }),
      { isTTY: true, columns: 50 },
    );
    const reporter = new ProgressReporter({ stream, now: () => 20_000 });
    reporter.update(progress());
    reporter.done();
    const erase = '\r\x1b[2K';
    for (const chunk of chunks)
      for (const line of chunk.replaceAll(erase, '\n').split('\n')) expect(line.length).toBeLessThan(50);
  });

  it("estimates the time left at this run's rate", () => {
    expect(estimateRemainingMs(progress({ finishedThisRun: 0 }), 10_000)).toBeUndefined();
    // 4 done in 20 s, 6 left: 30 s.
    expect(estimateRemainingMs(progress(), 20_000)).toBe(30_000);
    expect(formatProgressLine(progress(), 20_000)).toBe(
      '4/10 finished (3 ok, 1 failed), 3 running, elapsed 20.0 s, ETA 30.0 s',
    );
  });

  it('prints plain lines at most every interval when not on a TTY', () => {
    const out = sink(false);
    let now = 0;
    const reporter = new ProgressReporter({ stream: out, now: () => now, intervalMs: 10_000 });
    reporter.update(progress({ finished: 1, finishedThisRun: 1 }));
    now = 5_000;
    reporter.update(progress({ finished: 2, finishedThisRun: 2 }));
    now = 10_000;
    reporter.update(progress({ finished: 3, finishedThisRun: 3 }));
    now = 12_000;
    reporter.update(progress({ finished: 4, finishedThisRun: 4 }));
    reporter.done();
    const lines = out.text.trim().split('\n');
    expect(lines.map((l) => l.slice(0, 14))).toEqual(['batch: 1/10 fi', 'batch: 3/10 fi', 'batch: 4/10 fi']);
    expect(out.text).not.toContain('\r');
    // The final state is not printed twice.
    reporter.done();
    expect(out.text.trim().split('\n')).toHaveLength(3);
  });

  it('redraws one bar in place on a TTY', () => {
    const out = Object.assign(sink(true), { columns: 120 });
    let now = 0;
    const reporter = new ProgressReporter({ stream: out, now: () => now });
    reporter.update(progress({ finished: 5, finishedThisRun: 5 }));
    now = 200;
    reporter.log('a warning');
    reporter.done();
    expect(out.text).toContain('\r\x1b[2K[############------------] 50% 5/10 finished');
    expect(out.text).toContain('a warning\n');
    expect(out.text.endsWith('\n')).toBe(true);
  });
});
