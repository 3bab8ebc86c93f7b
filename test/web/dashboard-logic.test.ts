/** The dashboard's pure logic (web/src), in node: formatting, filters, the live merge, plot series, SSE parsing. */
import { describe, expect, it } from 'vitest';
import { ALL_JOBS, filterChoices, matchesFilter, mergeJob, mergeJobs } from '../../web/src/filters.js';
import {
  aspectRatioOf,
  formatAge,
  formatCount,
  formatDuration,
  jobDurationMs,
  outcomeOf,
  safeUrl,
  splitPrompt,
} from '../../web/src/format.js';
import { durationHistogram, ratePerSecond, throughput } from '../../web/src/series.js';
import { SseParser } from '../../web/src/sse-parser.js';
import type { JobView } from '../../web/src/types.js';

const T0 = Date.parse('2026-01-01T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function job(id: string, patch: Partial<JobView> = {}): JobView {
  return {
    id,
    kind: 'imagine',
    action: null,
    parentId: null,
    status: 'queued',
    prompt: `prompt ${id}`,
    progress: 0,
    previewUrl: null,
    notice: null,
    result: null,
    error: null,
    webhookUrl: null,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    finishedAt: null,
    accountId: null,
    ...patch,
  };
}

const failed = (id: string, name: string, patch: Partial<JobView> = {}): JobView =>
  job(id, {
    status: 'failed',
    error: { name, code: 'X', message: `${name} happened`, retryable: false },
    finishedAt: iso(T0 + 1_000),
    ...patch,
  });

describe('formatting', () => {
  it.each([
    [null, '–'],
    [-1, '–'],
    [0, '0 ms'],
    [850, '850 ms'],
    [4_250, '4.3 s'],
    [59_949, '59.9 s'],
    [65_000, '1 min 05 s'],
    [7_380_000, '2 h 03 min'],
  ])('formatDuration(%s) is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('measures a job from acceptance to outcome, or to now while it runs', () => {
    expect(jobDurationMs(job('1', { finishedAt: iso(T0 + 42_000) }), T0 + 99_000)).toBe(42_000);
    expect(jobDurationMs(job('1'), T0 + 7_000)).toBe(7_000);
    expect(jobDurationMs(job('1'), T0 - 5)).toBe(0);
  });

  it('names the outcome by the typed error', () => {
    expect(outcomeOf(failed('1', 'PreModerationError'))).toBe('PreModerationError');
    expect(outcomeOf(job('1', { status: 'failed' }))).toBe('failed');
    expect(outcomeOf(job('1', { status: 'succeeded' }))).toBe('succeeded');
    expect(outcomeOf(job('1', { status: 'running' }))).toBe('');
  });

  it('groups thousands', () => {
    expect([formatCount(0), formatCount(999), formatCount(10_000), formatCount(1_234_567)]).toEqual([
      '0',
      '999',
      '10,000',
      '1,234,567',
    ]);
  });

  it('splits a prompt into its text and parameters', () => {
    expect(splitPrompt('a cat on a mat --ar 16:9 --v 6 --tile')).toEqual({
      text: 'a cat on a mat',
      parameters: [
        ['ar', '16:9'],
        ['v', '6'],
        ['tile', ''],
      ],
    });
    expect(splitPrompt('  no parameters — here  ')).toEqual({ text: 'no parameters — here', parameters: [] });
    expect(splitPrompt('--ar 1:2')).toEqual({ text: '', parameters: [['ar', '1:2']] });
    expect(splitPrompt('a dash-separated--word stays')).toEqual({
      text: 'a dash-separated--word stays',
      parameters: [],
    });
  });

  it('reads the aspect ratio a prompt asks for', () => {
    expect(aspectRatioOf('x --ar 3:2')).toBe('3 / 2');
    expect(aspectRatioOf('x --aspect 9:16 --v 6')).toBe('9 / 16');
    expect(aspectRatioOf('x --ar wide')).toBe('1 / 1');
    expect(aspectRatioOf('x')).toBe('1 / 1');
  });
});

describe('formatAge', () => {
  const at = '2026-01-01T12:00:00.000Z';
  const base = Date.parse(at);
  it.each([
    [1_000, 'just now'],
    [42_000, '42 s ago'],
    [5 * 60_000 + 10_000, '5 min ago'],
    [3 * 3_600_000, '3 h ago'],
    [2 * 86_400_000, '2 d ago'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatAge(at, base + ms)).toBe(text);
  });
  it('answers a dash for a time it cannot read', () => {
    expect(formatAge('not a time', base)).toBe('–');
  });
});

describe('safeUrl', () => {
  it('keeps http(s) URLs and drops any other scheme', () => {
    expect(safeUrl('https://cdn.discordapp.com/a/b/grid_0.png?ex=1&is=2&')).toBe(
      'https://cdn.discordapp.com/a/b/grid_0.png?ex=1&is=2&',
    );
    expect(safeUrl('http://127.0.0.1:4000/x.png')).toBe('http://127.0.0.1:4000/x.png');
    expect(safeUrl('javascript:alert(1)')).toBe('');
    expect(safeUrl('data:text/html,<b>')).toBe('');
    expect(safeUrl(null)).toBe('');
  });

  it('escapes what would end a CSS url("...")', () => {
    expect(safeUrl('https://x.test/a".png) b')).toBe('https://x.test/a%22.png)%20b');
  });
});

describe('filters', () => {
  const jobs = [
    job('0000000000000004', { status: 'running', prompt: 'A Red Fox in snow', accountId: 'sim1' }),
    failed('0000000000000003', 'PreModerationError', { prompt: 'a bloody scene', accountId: 'sim2' }),
    job('0000000000000002', { status: 'succeeded', prompt: 'a fox at dusk', accountId: 'sim2' }),
    job('0000000000000001', { status: 'cancelled', prompt: 'a lighthouse' }),
  ];
  const ids = (f: Partial<typeof ALL_JOBS>) =>
    jobs.filter((j) => matchesFilter(j, { ...ALL_JOBS, ...f })).map((j) => j.id.slice(-1));

  it('filters by state, outcome, account and prompt words', () => {
    expect(ids({})).toEqual(['4', '3', '2', '1']);
    expect(ids({ state: 'active' })).toEqual(['4']);
    expect(ids({ state: 'failed' })).toEqual(['3']);
    expect(ids({ outcome: 'PreModerationError' })).toEqual(['3']);
    expect(ids({ outcome: 'succeeded' })).toEqual(['2']);
    expect(ids({ account: 'sim2' })).toEqual(['3', '2']);
    expect(ids({ account: 'none' })).toEqual(['1']);
    expect(ids({ search: 'FOX' })).toEqual(['4', '2']);
    expect(ids({ search: 'fox  snow' })).toEqual(['4']);
    expect(ids({ search: 'fox', account: 'sim2' })).toEqual(['2']);
  });

  it("filters by the creating key's name: the caller's own jobs, or none for another name", () => {
    const byKey = (apiKey: string, owner: string | null) =>
      jobs.filter((j) => matchesFilter(j, { ...ALL_JOBS, apiKey }, owner)).length;
    expect(byKey('all', 'alice')).toBe(4);
    expect(byKey('alice', 'alice')).toBe(4);
    expect(byKey('bob', 'alice')).toBe(0);
    // The key's name not known yet: a named filter shows nothing rather than guessing.
    expect(byKey('alice', null)).toBe(0);
  });

  it('offers the outcomes and accounts present', () => {
    expect(filterChoices(jobs)).toEqual({
      outcomes: ['PreModerationError', 'cancelled', 'succeeded'],
      accounts: ['none', 'sim1', 'sim2'],
    });
  });
});

describe('the live merge', () => {
  it('inserts newest first and replaces a job with a fresher view', () => {
    let list = mergeJobs([], [job('0000000000000002'), job('0000000000000001')]);
    list = mergeJob(list, job('0000000000000003'));
    expect(list.map((j) => j.id.slice(-1))).toEqual(['3', '2', '1']);
    const running = job('0000000000000002', { status: 'running', updatedAt: iso(T0 + 500) });
    list = mergeJob(list, running);
    expect(list[1]).toBe(running);
    expect(list).toHaveLength(3);
  });

  it('ignores a view older than the one held (an event that overtook a list answer)', () => {
    const fresh = job('0000000000000001', { status: 'succeeded', updatedAt: iso(T0 + 2_000) });
    const stale = job('0000000000000001', { status: 'running', updatedAt: iso(T0 + 1_000) });
    expect(mergeJob([fresh], stale)).toEqual([fresh]);
  });
});

describe('plot series', () => {
  it('counts finished jobs per bucket by outcome, ignoring those outside the window', () => {
    const minute = 60_000;
    const now = T0 + 10 * minute + 30_000;
    const jobs = [
      job('1', { status: 'succeeded', finishedAt: iso(T0 + 10 * minute + 5_000) }),
      job('2', { status: 'succeeded', finishedAt: iso(T0 + 10 * minute + 6_000) }),
      failed('3', 'PreModerationError', { finishedAt: iso(T0 + 9 * minute) }),
      job('4', { status: 'cancelled', finishedAt: iso(T0 + 8 * minute + 59_999) }),
      job('5', { status: 'succeeded', finishedAt: iso(T0) }),
      job('6', { status: 'running' }),
    ];
    const s = throughput(jobs, now, minute, 3);
    expect(s.x).toEqual([(T0 + 8 * minute) / 1_000, (T0 + 9 * minute) / 1_000, (T0 + 10 * minute) / 1_000]);
    expect(s.succeeded).toEqual([0, 0, 2]);
    expect(s.failed).toEqual([0, 1, 0]);
    expect(s.cancelled).toEqual([1, 0, 0]);
  });

  it('bins durations with the upper edge inclusive and an overflow bin', () => {
    const at = (s: number) => job(String(s), { status: 'succeeded', finishedAt: iso(T0 + s * 1_000) });
    const h = durationHistogram([at(1), at(5), at(6), at(30), at(500), job('x')], [5, 30, 60]);
    expect(h.labels).toEqual(['0–5 s', '5–30 s', '30–60 s', '> 60 s']);
    expect(h.counts).toEqual([2, 2, 0, 1]);
  });

  it('turns a growing total into a rate, 0 on the first reading or a reset', () => {
    expect(ratePerSecond(null, 1_000, 50)).toBe(0);
    expect(ratePerSecond({ at: 1_000, total: 50 }, 3_000, 60)).toBe(5);
    expect(ratePerSecond({ at: 1_000, total: 50 }, 3_000, 10)).toBe(0);
    expect(ratePerSecond({ at: 1_000, total: 50 }, 1_000, 60)).toBe(0);
  });
});

describe('SseParser', () => {
  it('returns complete events across chunk boundaries and line endings', () => {
    const p = new SseParser();
    expect(p.push('retry: 3000\n\n: keep-alive\n\nid: 1\nevent: sta')).toEqual([]);
    expect(p.push('tus\ndata: {"a":1}\n\n')).toEqual([{ event: 'status', data: '{"a":1}', id: '1' }]);
    expect(p.push('data: one\r\ndata:two\r\n\r\nevent: x\rdata: y\r')).toEqual([
      { event: 'message', data: 'one\ntwo', id: '1' },
    ]);
    expect(p.push('\r')).toEqual([{ event: 'x', data: 'y', id: '1' }]);
    // A \r\n split across two chunks is one line ending, not two.
    expect(p.push('data: a\r')).toEqual([]);
    expect(p.push('\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb', id: '1' }]);
  });

  it('drops an event name with no data', () => {
    const p = new SseParser();
    expect(p.push('event: ready\n\ndata: z\n\n')).toEqual([{ event: 'message', data: 'z', id: null }]);
  });
});
