/**
 * Progress on stderr: a bar with counts and ETA redrawn in place on a TTY; on a pipe or a log file,
 * a plain line at most every `intervalMs` (and one at the end), so logs stay readable.
 */
import type { Writable } from 'node:stream';
import type { BatchProgress } from './runner.js';
import { formatDuration } from './summary.js';

/** Time left at the rate of this run; undefined until something finished. */
export function estimateRemainingMs(progress: BatchProgress, now: number): number | undefined {
  if (progress.finishedThisRun === 0) return undefined;
  const elapsed = now - progress.startedAt;
  return ((progress.total - progress.finished) * elapsed) / progress.finishedThisRun;
}

export function formatProgressLine(progress: BatchProgress, now: number): string {
  const eta = estimateRemainingMs(progress, now);
  return (
    `${progress.finished}/${progress.total} finished (${progress.succeeded} ok, ${progress.failed} failed), ` +
    `${progress.running} running, elapsed ${formatDuration(now - progress.startedAt)}` +
    (progress.finished < progress.total ? `, ETA ${eta === undefined ? '?' : formatDuration(eta)}` : '')
  );
}

export function formatProgressBar(progress: BatchProgress, now: number, width = 24): string {
  const ratio = progress.total === 0 ? 1 : progress.finished / progress.total;
  const filled = Math.round(ratio * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  return `[${bar}] ${Math.floor(ratio * 100)}% ${formatProgressLine(progress, now)}`;
}

/**
 * The bar fitted to a terminal `columns` wide, one column spare (writing the last column wraps on
 * many terminals, and a wrapped line is not erased by `\r\x1b[2K`: the bar would smear). A narrower
 * bar first, then no bar, then a compact line, cut as a last resort.
 */
export function fitProgressBar(progress: BatchProgress, now: number, columns: number): string {
  const room = Math.max(10, columns - 1);
  const full = formatProgressBar(progress, now);
  if (full.length <= room) return full;
  const line = formatProgressLine(progress, now);
  const ratio = progress.total === 0 ? 1 : progress.finished / progress.total;
  const percent = `${Math.floor(ratio * 100)}% `;
  const barWidth = room - line.length - percent.length - 3;
  if (barWidth >= 8) return formatProgressBar(progress, now, barWidth);
  if (percent.length + line.length <= room) return `${percent}${line}`;
  const eta = estimateRemainingMs(progress, now);
  const compact =
    `${percent}${progress.finished}/${progress.total} ok ${progress.succeeded} failed ${progress.failed} ` +
    `running ${progress.running}${progress.finished < progress.total ? ` ETA ${eta === undefined ? '?' : formatDuration(eta)}` : ''}`;
  return compact.length <= room ? compact : `${compact.slice(0, room - 1)}…`;
}

export interface ProgressReporterOptions {
  /** `columns` (a TTY's width) fits the bar; 80 when absent. */
  stream: Writable & { isTTY?: boolean; columns?: number };
  now?: () => number;
  /** Minimum gap between plain lines. Default 10_000 ms. */
  intervalMs?: number;
}

export class ProgressReporter {
  private last: BatchProgress | undefined;
  private lastPrinted = Number.NEGATIVE_INFINITY;
  private lastLine = '';
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly intervalMs: number;

  constructor(private readonly options: ProgressReporterOptions) {
    this.tty = options.stream.isTTY === true;
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 10_000;
  }

  update(progress: BatchProgress): void {
    this.last = progress;
    const now = this.now();
    if (this.tty) {
      // Redraw at most 10 times a second: a fast batch must not spend its time painting.
      if (now - this.lastDrawn < 100) return;
      this.lastDrawn = now;
      this.options.stream.write(`\r\x1b[2K${this.bar(progress, now)}`);
      this.drawn = true;
    } else if (now - this.lastPrinted >= this.intervalMs) {
      this.lastPrinted = now;
      this.print(progress, now);
    }
  }

  /** Writes a message without garbling the bar. */
  log(message: string): void {
    if (this.drawn) this.options.stream.write('\r\x1b[2K');
    this.options.stream.write(`${message}\n`);
    if (this.drawn && this.last) this.options.stream.write(this.bar(this.last, this.now()));
  }

  /** Final state: the bar is finished with a newline; plain mode prints the last line. */
  done(): void {
    if (this.last === undefined) return;
    if (this.tty) {
      this.options.stream.write(`\r\x1b[2K${this.bar(this.last, this.now())}\n`);
    } else if (this.lastLine === '' || this.last.finished !== this.printedFinished) {
      this.print(this.last, this.now());
    }
  }

  private printedFinished = -1;

  /** Read at every draw: the terminal may have been resized. */
  private bar(progress: BatchProgress, now: number): string {
    return fitProgressBar(progress, now, this.options.stream.columns ?? 80);
  }

  private print(progress: BatchProgress, now: number): void {
    this.lastLine = formatProgressLine(progress, now);
    this.printedFinished = progress.finished;
    this.options.stream.write(`batch: ${this.lastLine}\n`);
  }
}
