/** The running counts of a batch: progress, outcomes and the durations for the percentiles. */
import type { ResultLine } from './result-line.js';
import type { BatchProgress } from './runner-types.js';

export class BatchTally {
  readonly progress: BatchProgress;
  readonly outcomes: Record<string, number> = {};
  /** durationMs of the prompts finished by this run: one number each, the only per-prompt growth. */
  readonly durations: number[] = [];
  downloadFailures = 0;

  constructor(total: number, startedAt: number) {
    this.progress = {
      total,
      finished: 0,
      succeeded: 0,
      failed: 0,
      running: 0,
      waiting: 0,
      finishedThisRun: 0,
      startedAt,
    };
  }

  /** Counts a finished prompt; `thisRun` false for prompts finished by an earlier run. */
  count(line: ResultLine, thisRun: boolean): void {
    this.outcomes[line.outcome] = (this.outcomes[line.outcome] ?? 0) + 1;
    this.progress.finished += 1;
    if (line.ok) this.progress.succeeded += 1;
    else this.progress.failed += 1;
    if (thisRun) {
      this.progress.finishedThisRun += 1;
      if (line.durationMs !== undefined) this.durations.push(line.durationMs);
      if (line.downloadError !== undefined) this.downloadFailures += 1;
    }
  }
}
