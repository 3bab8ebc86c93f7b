/**
 * The batch gallery (`mjw batch --report report.html`): one self-contained HTML file of a run,
 * readable offline: the summary (counts by outcome, durations, Discord calls), then every prompt
 * with its grid (and split images, and the images of its actions) or its typed outcome. Styles
 * are inline and there is no script. Images point at the downloaded files when they exist
 * (relative to the report, so the folder can be moved as a whole), else at their URLs.
 *
 * `renderBatchReport` is pure; `writeBatchReport` reads the result file (every finished prompt,
 * earlier runs included) and writes the page. Everything the input supplied is HTML-escaped, and
 * only http(s) URLs become links.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { BatchPrompt } from './prompt.js';
import type { ActionResult, ResultLine } from './result-line.js';
import type { BatchRunReport } from './runner-types.js';
import { formatDuration, percentile, type SummaryExtras } from './summary.js';

export interface BatchReportData {
  /** The input file, as given. */
  input: string;
  /** One line per finished prompt, in input order. */
  lines: readonly ResultLine[];
  /** Prompts of the input with no line yet (the batch stopped before them). */
  notRun: readonly BatchPrompt[];
  report: BatchRunReport;
  extras: SummaryExtras;
  /** ms since the epoch. */
  generatedAt: number;
  /** The `src` for a downloaded file, or undefined when it is missing (the URL is used then). */
  fileRef: (file: string) => string | undefined;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** A URL fit for src / href: http(s) only (no `javascript:`), escaped. */
function safeUrl(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\//i.test(url) ? escapeHtml(url) : undefined;
}

/** The images of a step: the local files when downloaded, else the URLs. */
function images(
  data: BatchReportData,
  files: readonly string[],
  urls: readonly (string | undefined)[],
): string[] {
  const local = files.map((file) => data.fileRef(file)).filter((ref) => ref !== undefined);
  if (local.length > 0) return local.map(escapeHtml);
  return urls.map(safeUrl).filter((url) => url !== undefined);
}

function figure(srcs: readonly string[], alt: string): string {
  if (srcs.length === 0) return '<p class="none">No image.</p>';
  const [grid, ...parts] = srcs;
  const thumbs = parts
    .map((src) => `<a href="${src}"><img class="part" loading="lazy" src="${src}" alt="${alt}"></a>`)
    .join('');
  return (
    `<a href="${grid}"><img class="grid" loading="lazy" src="${grid}" alt="${alt}"></a>` +
    (thumbs ? `<div class="parts">${thumbs}</div>` : '')
  );
}

function failure(error: ResultLine['error'], outcome: string): string {
  if (error === undefined) return `<p class="error"><b>${escapeHtml(outcome)}</b></p>`;
  return (
    `<p class="error"><b class="error-name">${escapeHtml(error.name)}</b> ` +
    `<code class="error-code">${escapeHtml(error.code)}</code>` +
    `${error.retryable ? ' <span class="tag">retryable</span>' : ''}</p>` +
    `<p class="message">${escapeHtml(error.message)}</p>`
  );
}

function action(data: BatchReportData, a: ActionResult, prompt: string): string {
  const body = a.ok
    ? figure(images(data, a.files, [a.imageUrl]), `${escapeHtml(a.action)}: ${prompt}`)
    : failure(a.error, a.outcome);
  return `<div class="action" data-action="${escapeHtml(a.action)}" data-outcome="${escapeHtml(a.outcome)}"><h3>${escapeHtml(a.action)} <span class="outcome">${escapeHtml(a.outcome)}</span></h3>${body}</div>`;
}

function card(data: BatchReportData, line: ResultLine): string {
  const prompt = escapeHtml(line.prompt);
  const facts = [
    `line ${line.line}`,
    line.durationMs === undefined ? undefined : formatDuration(line.durationMs),
    line.attempts > 1 ? `${line.attempts} attempts` : undefined,
    line.accountId === undefined ? undefined : `account ${escapeHtml(line.accountId)}`,
  ].filter((fact) => fact !== undefined);
  const body = line.ok
    ? figure(images(data, line.files, [line.imageUrl, ...(line.imageUrls ?? []).slice(1)]), prompt)
    : failure(line.error, line.outcome);
  const download = line.downloadError
    ? `<p class="message">Download failed: ${escapeHtml(line.downloadError.message)}</p>`
    : '';
  const actions = line.actions.map((a) => action(data, a, prompt)).join('');
  return (
    `<article class="prompt ${line.ok ? 'ok' : 'failed'}" id="p-${escapeHtml(line.id)}" ` +
    `data-id="${escapeHtml(line.id)}" data-outcome="${escapeHtml(line.outcome)}">` +
    `<h2><span class="outcome">${escapeHtml(line.outcome)}</span> <span class="id">${escapeHtml(line.id)}</span></h2>` +
    `<p class="text">${prompt}</p><p class="facts">${facts.join(' · ')}</p>${body}${download}${actions}</article>`
  );
}

function summary(data: BatchReportData): string {
  const { report, extras, lines } = data;
  const durations = lines.flatMap((l) => (l.durationMs === undefined ? [] : [l.durationMs]));
  const outcomes = Object.entries(report.outcomes).sort(
    ([a, x], [b, y]) => Number(b === 'success') - Number(a === 'success') || y - x || a.localeCompare(b),
  );
  const rows: [string, string, string?][] = [
    ...outcomes.map(([outcome, count]): [string, string, string] => [outcome, String(count), outcome]),
    ...(data.notRun.length > 0
      ? [['not run', String(data.notRun.length), 'not-run'] as [string, string, string]]
      : []),
    ['prompts', String(report.progress.total)],
    ['duration p50', formatDuration(percentile(durations, 50))],
    ['duration p95', formatDuration(percentile(durations, 95))],
    ['duration max', formatDuration(durations.length > 0 ? Math.max(...durations) : undefined)],
    ['Discord calls', extras.discordCalls === undefined ? 'n/a' : String(extras.discordCalls)],
    ['429s seen', extras.rateLimited === undefined ? 'n/a' : String(extras.rateLimited)],
    ['wall time (this run)', formatDuration(report.wallMs)],
  ];
  const body = rows
    .map(
      ([label, value, outcome]) =>
        `<tr${outcome ? ` data-outcome="${escapeHtml(outcome)}"` : ''}><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const stopped = report.stopReason ? `<p class="error">Stopped: ${escapeHtml(report.stopReason)}</p>` : '';
  return `<section id="summary"><table>${body}</table>${stopped}</section>`;
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem;color:#222;background:#fafafa}
h1{font-size:1.4rem}table{border-collapse:collapse}th,td{padding:.2rem .8rem;text-align:left;border-bottom:1px solid #ddd}
#prompts{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:1rem}
.prompt{background:#fff;border:1px solid #ddd;border-left:5px solid #2a7;border-radius:6px;padding:.7rem}
.prompt.failed{border-left-color:#c33}.prompt h2{font-size:1rem;margin:0}.outcome{font-weight:600}
.id,.facts{color:#777;font-size:.85rem}.text{white-space:pre-wrap;word-break:break-word}
img.grid{width:100%;height:auto;border-radius:4px}.parts{display:grid;grid-template-columns:repeat(4,1fr);gap:4px}
img.part{width:100%;height:auto}.error-name{color:#c33}.message{color:#555;white-space:pre-wrap}
.tag{font-size:.75rem;background:#eee;border-radius:3px;padding:0 .3rem}.action{border-top:1px dashed #ddd;margin-top:.5rem}
.action h3{font-size:.9rem;margin:.3rem 0}.notrun li{color:#777}`;

export function renderBatchReport(data: BatchReportData): string {
  const notRun =
    data.notRun.length === 0
      ? ''
      : `<section id="not-run"><h2>Not run (run the same command again to continue)</h2><ul class="notrun">${data.notRun
          .map((p) => `<li data-id="${escapeHtml(p.id)}">${escapeHtml(p.prompt)}</li>`)
          .join('')}</ul></section>`;
  const title = `Batch ${escapeHtml(data.input)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="midjourney-worker"><title>${title}</title><style>${STYLE}</style></head>
<body><h1>${title}</h1><p class="facts">Written ${new Date(data.generatedAt).toISOString()}</p>
${summary(data)}
<section id="prompts">${data.lines.map((line) => card(data, line)).join('\n')}</section>
${notRun}
</body></html>
`;
}

/** The result file's lines, in input order; unreadable lines are skipped. */
export function readResultLines(path: string): ResultLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines: ResultLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      lines.push(JSON.parse(raw) as ResultLine);
    } catch {
      // A torn last line: the journal writes its prompt's line again on the next run.
    }
  }
  return lines.sort((a, b) => a.line - b.line);
}

export interface WriteBatchReportOptions {
  /** The HTML file to write. */
  path: string;
  input: string;
  /** The result file of the run (--out). */
  results: string;
  prompts: readonly BatchPrompt[];
  report: BatchRunReport;
  extras?: SummaryExtras;
  now?: number;
}

/** Writes the gallery of a run; resolves with the path written. */
export async function writeBatchReport(options: WriteBatchReportOptions): Promise<string> {
  const lines = readResultLines(options.results);
  const done = new Set(lines.map((line) => line.id));
  const from = dirname(resolve(options.path));
  const html = renderBatchReport({
    input: options.input,
    lines,
    notRun: options.prompts.filter((p) => !done.has(p.id)),
    report: options.report,
    extras: options.extras ?? {},
    generatedAt: options.now ?? Date.now(),
    fileRef: (file) =>
      existsSync(file)
        ? relative(from, resolve(file)).split(sep).map(encodeURIComponent).join('/')
        : undefined,
  });
  await writeFile(options.path, html);
  return options.path;
}
