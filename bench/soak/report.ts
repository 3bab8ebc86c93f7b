/** The soak's output: one table per target for people, one JSON object for machines. */
import type { SoakOptions } from './options.js';
import { GATED_COLUMNS, type SoakVerdict } from './verdict.js';

export interface TargetReport {
  verdict: SoakVerdict;
  wallMs: number;
  kills: number;
  starts: number;
  faults: Record<string, number>;
  rateLimited: Record<string, number>;
  simRequests: number;
  /** `/imagine` interactions Discord processed, over all tokens. */
  interactions: number;
  notes: string[];
  dir: string;
}

const LABELS: Record<string, string> = {
  accepted: 'accepted',
  lost: 'lost',
  sentTwice: 'sent twice',
  swapped: 'swapped',
  stuck: 'stuck',
  wrongOutcome: 'wrong outcome',
  tokenLeaks: 'token leaks',
  invalidPer10Min: 'invalid req / 10 min',
};

export function passed(reports: readonly TargetReport[]): boolean {
  return reports.every((r) => GATED_COLUMNS.every((column) => r.verdict.row[column] === 0));
}

export function formatTable(report: TargetReport, options: SoakOptions): string {
  const { row } = report.verdict;
  const lines: string[] = [];
  lines.push(
    `\n${row.target}: N=${options.jobs}, seed ${options.seed}, time scale ${options.timeScale}, ` +
      `${report.kills} SIGKILLs (${report.starts} starts), ${(report.wallMs / 1000).toFixed(0)} s`,
  );
  const width = Math.max(...Object.values(LABELS).map((l) => l.length));
  lines.push(`  ${'column'.padEnd(width)}  value`);
  lines.push(`  ${'-'.repeat(width)}  ------`);
  for (const [key, label] of Object.entries(LABELS)) {
    const value = row[key as keyof typeof row];
    const extra =
      key === 'invalidPer10Min'
        ? `  (ban line 10,000; ${report.verdict.invalidTotal} in the run)`
        : GATED_COLUMNS.includes(key as never) && value !== 0
          ? '  <-'
          : '';
    lines.push(`  ${label.padEnd(width)}  ${String(value).padStart(6)}${extra}`);
  }
  const faults = Object.entries(report.faults).map(([k, v]) => `${k} ${v}`);
  lines.push(`  faults injected: ${faults.join(', ') || 'none'}`);
  const limited = Object.entries(report.rateLimited).map(([k, v]) => `${k} ${v}`);
  lines.push(`  429s answered: ${limited.join(', ') || 'none'}; simulator requests ${report.simRequests}`);
  lines.push(`  /imagine interactions processed: ${report.interactions}`);
  const sim = Object.entries(report.verdict.simOutcomes).map(([k, v]) => `${k} ${v}`);
  lines.push(`  bot jobs: ${sim.join(', ')}`);
  const map = Object.entries(report.verdict.outcomeMap)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`);
  lines.push(`  bot outcome -> reported: ${map.join(', ')}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  if (report.verdict.lateTakedowns > 0) {
    lines.push(
      `  note: ${report.verdict.lateTakedowns} result(s) taken down by ephemeral moderation only after the client's confirmation window (a late timer on a loaded machine): reported succeeded, as the contract says, not counted as wrong`,
    );
  }
  for (const [column, examples] of Object.entries(report.verdict.examples)) {
    lines.push(`  ${LABELS[column] ?? column}, e.g.:`);
    for (const example of examples ?? []) lines.push(`    ${example}`);
  }
  lines.push(`  run directory: ${report.dir}`);
  return lines.join('\n');
}
