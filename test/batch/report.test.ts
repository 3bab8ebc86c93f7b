/**
 * The batch gallery: the HTML written for a run, parsed back: the summary, each prompt's grid
 * (local file when downloaded, else its URL) or its typed outcome, escaped text, no script.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, writeBatchReport } from '../../src/batch/report.js';
import type { ResultLine } from '../../src/batch/result-line.js';
import type { BatchRunReport } from '../../src/batch/runner-types.js';
import { UsageError } from '../../src/cli/command.js';
import { parseBatchArgs } from '../../src/cli/commands/batch.js';
import { batchFiles } from './support/files.js';
import { byClass, byTag, findAll, type HtmlElement, parseHtml, textOf } from './support/html.js';

const GRID = 'https://cdn.discordapp.com/attachments/1/2/fox_grid.png';

function line(id: string, n: number, prompt: string, extra: Partial<ResultLine>): ResultLine {
  return {
    id,
    line: n,
    prompt,
    outcome: 'success',
    ok: true,
    files: [],
    attempts: 1,
    actions: [],
    meta: {},
    finishedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

const failed = (name: string, code: string, outcome: string, message: string, retryable = false) => ({
  ok: false,
  outcome,
  error: { name, code, message, retryable },
});

const LINES: ResultLine[] = [
  line('fox', 1, 'a red fox', {
    imageUrl: GRID,
    imageUrls: [GRID],
    durationMs: 40_000,
    files: ['IMAGES/fox.png', 'IMAGES/fox-1.png', 'IMAGES/fox-2.png', 'IMAGES/fox-3.png', 'IMAGES/fox-4.png'],
    actions: [
      {
        action: 'U2',
        outcome: 'success',
        ok: true,
        imageUrl: 'https://cdn.discordapp.com/attachments/1/3/fox_u2.png',
        files: [],
        attempts: 1,
      },
    ],
  }),
  line('cat', 2, 'a cat <script>alert("x")</script> & "friends"', {
    imageUrl: GRID.replace('fox', 'cat'),
    imageUrls: [GRID.replace('fox', 'cat')],
    durationMs: 20_000,
    files: ['IMAGES/missing.png'],
  }),
  line(
    'banned',
    3,
    'something banned',
    failed('PreModerationError', 'PRE_MODERATION', 'pre-moderation', 'Banned prompt detected: <b>'),
  ),
  line(
    'flag',
    4,
    'bad flag --foo',
    failed('InvalidRequestError', 'INVALID_REQUEST', 'invalid-request', 'Unrecognized parameter(s): `--foo`'),
  ),
  line(
    'outage',
    5,
    'an outage',
    failed('JobFailedError', 'JOB_FAILED', 'job-failed', 'The job failed', true),
  ),
  line(
    'net',
    6,
    'a network failure',
    failed('DiscordHTTPError', 'DISCORD_HTTP_ERROR', 'discord', 'POST /interactions: 503', true),
  ),
  line('evil', 7, 'an evil url', { imageUrl: 'javascript:alert(1)', imageUrls: ['javascript:alert(1)'] }),
];

const REPORT: BatchRunReport = {
  progress: {
    total: 8,
    finished: 7,
    succeeded: 3,
    failed: 4,
    running: 0,
    waiting: 0,
    finishedThisRun: 7,
    startedAt: 0,
  },
  outcomes: { success: 3, 'pre-moderation': 1, 'invalid-request': 1, 'job-failed': 1, discord: 1 },
  durations: [40_000, 20_000],
  notRun: 1,
  stopReason: 'interrupted',
  downloadFailures: 0,
  wallMs: 65_000,
};

async function render(): Promise<{ html: string; doc: HtmlElement; dir: string }> {
  const files = await batchFiles('unused');
  const images = join(files.dir, 'my images');
  await mkdir(images);
  for (const name of ['fox.png', 'fox-1.png', 'fox-2.png', 'fox-3.png', 'fox-4.png']) {
    await writeFile(join(images, name), 'png');
  }
  const lines = LINES.map((l) => ({ ...l, files: l.files.map((f) => f.replace('IMAGES', images)) }));
  // The result file in a scrambled order: the page follows the input.
  await writeFile(
    files.out,
    `${[...lines]
      .reverse()
      .map((l) => JSON.stringify(l))
      .join('\n')}\n`,
  );
  const path = join(files.dir, 'out', 'report.html');
  await mkdir(join(files.dir, 'out'));
  await writeBatchReport({
    path,
    input: 'prompts.jsonl',
    results: files.out,
    prompts: [
      ...lines.map((l) => ({ id: l.id, line: l.line, prompt: l.prompt, actions: [], meta: {} })),
      { id: 'later', line: 8, prompt: 'never reached <i>', actions: [], meta: {} },
    ],
    report: REPORT,
    extras: { discordCalls: 42, rateLimited: 1 },
    now: Date.UTC(2026, 0, 1),
  });
  const html = await readFile(path, 'utf8');
  return { html, doc: parseHtml(html), dir: files.dir };
}

const cardOf = (doc: HtmlElement, id: string): HtmlElement => {
  const [card] = findAll(doc, (e) => e.tag === 'article' && e.attrs['data-id'] === id);
  expect(card, id).toBeDefined();
  return card!;
};

describe('the batch gallery', () => {
  it('is one self-contained page: no script, no external style, inline CSS', async () => {
    const { doc } = await render();
    expect(findAll(doc, byTag('script'))).toEqual([]);
    expect(findAll(doc, byTag('link'))).toEqual([]);
    expect(findAll(doc, byTag('style'))).toHaveLength(1);
    expect(textOf(findAll(doc, byTag('title'))[0]!)).toBe('Batch prompts.jsonl');
  });

  it('shows the summary: counts by outcome, not run, durations, Discord calls', async () => {
    const { doc } = await render();
    const rows = Object.fromEntries(
      findAll(doc, byTag('tr')).map((tr) => [
        textOf(findAll(tr, byTag('th'))[0]!),
        textOf(findAll(tr, byTag('td'))[0]!),
      ]),
    );
    expect(rows).toMatchObject({
      success: '3',
      'pre-moderation': '1',
      'invalid-request': '1',
      'job-failed': '1',
      discord: '1',
      'not run': '1',
      prompts: '8',
      'duration p50': '20.0 s',
      'duration max': '40.0 s',
      'Discord calls': '42',
      '429s seen': '1',
    });
    expect(textOf(findAll(doc, (e) => e.attrs.id === 'summary')[0]!)).toContain('Stopped: interrupted');
  });

  it('shows each success with its grid and split images from the download folder, relative to the page', async () => {
    const { doc } = await render();
    const articles = findAll(doc, byTag('article')).map((a) => a.attrs['data-id']);
    expect(articles).toEqual(['fox', 'cat', 'banned', 'flag', 'outage', 'net', 'evil']);
    const fox = cardOf(doc, 'fox');
    expect(fox.attrs['data-outcome']).toBe('success');
    const srcs = findAll(fox, byTag('img')).map((img) => img.attrs.src);
    expect(srcs.slice(0, 5)).toEqual([
      '../my%20images/fox.png',
      '../my%20images/fox-1.png',
      '../my%20images/fox-2.png',
      '../my%20images/fox-3.png',
      '../my%20images/fox-4.png',
    ]);
    // The action's image was not downloaded: its URL.
    const [u2] = findAll(fox, (e) => e.attrs['data-action'] === 'U2');
    expect(findAll(u2!, byTag('img')).map((img) => img.attrs.src)).toEqual([
      'https://cdn.discordapp.com/attachments/1/3/fox_u2.png',
    ]);
    expect(findAll(fox, byTag('img')).every((img) => img.attrs.loading === 'lazy')).toBe(true);
  });

  it('falls back to the URL when the downloaded file is gone', async () => {
    const { doc } = await render();
    const cat = cardOf(doc, 'cat');
    expect(findAll(cat, byTag('img')).map((img) => img.attrs.src)).toEqual([GRID.replace('fox', 'cat')]);
  });

  it.each([
    [
      'banned',
      'PreModerationError',
      'PRE_MODERATION',
      'pre-moderation',
      'Banned prompt detected: <b>',
      false,
    ],
    [
      'flag',
      'InvalidRequestError',
      'INVALID_REQUEST',
      'invalid-request',
      'Unrecognized parameter(s): `--foo`',
      false,
    ],
    ['outage', 'JobFailedError', 'JOB_FAILED', 'job-failed', 'The job failed', true],
    ['net', 'DiscordHTTPError', 'DISCORD_HTTP_ERROR', 'discord', 'POST /interactions: 503', true],
  ])('shows the typed outcome of %s: %s', async (id, name, code, outcome, message, retryable) => {
    const { doc } = await render();
    const card = cardOf(doc, id);
    expect(card.attrs.class).toContain('failed');
    expect(card.attrs['data-outcome']).toBe(outcome);
    expect(textOf(findAll(card, byClass('error-name'))[0]!)).toBe(name);
    expect(textOf(findAll(card, byClass('error-code'))[0]!)).toBe(code);
    expect(textOf(findAll(card, byClass('message'))[0]!)).toBe(message);
    expect(findAll(card, byClass('tag')).length).toBe(retryable ? 1 : 0);
    expect(findAll(card, byTag('img'))).toEqual([]);
  });

  it('escapes prompts and messages: a <script> in a prompt is text, not a tag', async () => {
    const { html, doc } = await render();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;friends&quot;');
    const cat = cardOf(doc, 'cat');
    expect(textOf(findAll(cat, byClass('text'))[0]!)).toBe('a cat <script>alert("x")</script> & "friends"');
    expect(findAll(cat, byTag('img'))[0]!.attrs.alt).toBe('a cat <script>alert("x")</script> & "friends"');
    expect(findAll(doc, byTag('b')).some((b) => textOf(b) === '')).toBe(false);
    expect(escapeHtml(`<a href='x'>&`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;');
  });

  it('links only http(s) URLs', async () => {
    const { html, doc } = await render();
    expect(html).not.toContain('javascript:');
    expect(findAll(cardOf(doc, 'evil'), byTag('img'))).toEqual([]);
  });

  it('lists the prompts the batch did not reach', async () => {
    const { doc } = await render();
    const [section] = findAll(doc, (e) => e.attrs.id === 'not-run');
    expect(findAll(section!, byTag('li')).map((li) => [li.attrs['data-id'], textOf(li)])).toEqual([
      ['later', 'never reached <i>'],
    ]);
  });
});

describe('mjw batch --report', () => {
  it('takes the file name, and refuses an empty one', () => {
    expect(parseBatchArgs(['a.txt', '--out', 'r.jsonl', '--report', 'g.html']).report).toBe('g.html');
    expect(() => parseBatchArgs(['a.txt', '--out', 'r.jsonl', '--report='])).toThrow(UsageError);
  });
});
