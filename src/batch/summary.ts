/** The end-of-batch summary table: pure formatting over the run report. */
import type { BatchRunReport } from './runner.js';

/** Nearest-rank percentile (p in 0..100) of unsorted values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface SummaryExtras {
  /** Input lines skipped as invalid. */
  skippedLines?: number;
  /** Discord requests made during the run, when the generator reports them. */
  discordCalls?: number;
  /** 429 answers seen during the run, when the generator reports them. */
  rateLimited?: number;
}

export function formatSummary(report: BatchRunReport, extras: SummaryExtras = {}): string {
  const rows: [string, string][] = [];
  const outcomes = Object.entries(report.outcomes).sort(
    ([a, x], [b, y]) => Number(b === 'success') - Number(a === 'success') || y - x || a.localeCompare(b),
  );
  for (const [outcome, count] of outcomes) rows.push([outcome, String(count)]);
  if (report.notRun > 0) rows.push(['not run (re-run to continue)', String(report.notRun)]);
  if (extras.skippedLines) rows.push(['skipped input lines', String(extras.skippedLines)]);
  if (report.downloadFailures > 0) rows.push(['download failures', String(report.downloadFailures)]);
  if (rows.length > 0) rows.push(['', '']);
  rows.push(['prompts', String(report.progress.total)]);
  rows.push(['finished this run', String(report.progress.finishedThisRun)]);
  rows.push(['duration p50', formatDuration(percentile(report.durations, 50))]);
  rows.push(['duration p95', formatDuration(percentile(report.durations, 95))]);
  rows.push(['Discord calls', extras.discordCalls === undefined ? 'n/a' : String(extras.discordCalls)]);
  rows.push(['429s seen', extras.rateLimited === undefined ? 'n/a' : String(extras.rateLimited)]);
  rows.push(['wall time', formatDuration(report.wallMs)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => (label === '' ? '' : `  ${label.padEnd(width)}  ${value}`));
  const head = report.stopReason ? [`Batch stopped: ${report.stopReason}`] : ['Batch finished'];
  return [...head, ...lines].join('\n');
}
