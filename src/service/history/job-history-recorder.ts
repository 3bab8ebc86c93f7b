/**
 * Writes each job's event history (../jobs/job-history.ts) from the runner's changes, so a job
 * opened after it finished still shows its events. What is kept, per job:
 * - every status change and every outcome (`completed`, `failed`, `cancelled`);
 * - progress at milestones only: the first report, then each time it crosses a multiple of
 *   MILESTONE_STEP (Midjourney reports every few percent; the history keeps the shape, not each tick);
 * - each notice whose text differs from the last one kept.
 * Appends of one job are chained, so they are stored in the order the changes happened.
 */
import type { JobRecord } from '../jobs/job.js';
import { JOB_HISTORY_LIMIT, type JobHistoryEvent } from '../jobs/job-history.js';
import type { JobStore } from '../jobs/job-store.js';
import type { JobEventType, JobRunnerEvents } from '../runner/job-events.js';
import { TERMINAL_EVENTS } from '../runner/job-events.js';

/** Progress is kept when it enters a new band of this many percent. */
export const MILESTONE_STEP = 25;

interface ChangeSource {
  on(event: 'change', listener: (...args: JobRunnerEvents['change']) => void): unknown;
  off(event: 'change', listener: (...args: JobRunnerEvents['change']) => void): unknown;
}

export interface JobHistoryOptions {
  /** Events kept per job. Default JOB_HISTORY_LIMIT. */
  keep?: number;
  onError?: (error: unknown, job: JobRecord) => void;
}

/** What one job's history has kept so far, to decide whether the next change is worth keeping. */
interface Seen {
  band: number;
  notice: string | null;
}

/** The history event for a change, or undefined when it is not kept (pure; `seen` is updated). */
export function historyEvent(job: JobRecord, type: JobEventType, seen: Seen): JobHistoryEvent | undefined {
  if (type === 'progress') {
    const band = Math.floor(job.progress / MILESTONE_STEP);
    if (band <= seen.band) return undefined;
    seen.band = band;
  } else if (type === 'notice') {
    if (job.notice === null || job.notice === seen.notice) return undefined;
    seen.notice = job.notice;
  }
  const error =
    (type === 'failed' || type === 'cancelled') && job.error !== null
      ? { name: job.error.name, code: job.error.code, message: job.error.message }
      : null;
  return {
    jobId: job.id,
    at: job.updatedAt,
    type,
    status: job.status,
    progress: job.progress,
    notice: type === 'notice' ? job.notice : null,
    error,
  };
}

/** Subscribes the history to `runner`'s changes; returns the unsubscribe. */
export function attachJobHistory(
  runner: ChangeSource,
  store: JobStore,
  options: JobHistoryOptions = {},
): () => void {
  const keep = options.keep ?? JOB_HISTORY_LIMIT;
  const seen = new Map<string, Seen>();
  const chains = new Map<string, Promise<void>>();
  const onChange = (job: JobRecord, type: JobEventType): void => {
    const state = seen.get(job.id) ?? { band: -1, notice: null };
    const event = historyEvent(job, type, state);
    // Only what differs from a fresh start is remembered: a queued job (one status change, then
    // waiting in the store, perhaps for hours among a million others) costs no memory here.
    if (TERMINAL_EVENTS.includes(type) || (state.band < 0 && state.notice === null)) seen.delete(job.id);
    else seen.set(job.id, state);
    if (event === undefined) return;
    const previous = chains.get(job.id) ?? Promise.resolve();
    const next = previous
      .then(() => store.appendJobEvent(event, keep))
      .catch((error: unknown) => options.onError?.(error, job));
    chains.set(job.id, next);
    void next.then(() => {
      if (chains.get(job.id) === next) chains.delete(job.id);
    });
  };
  runner.on('change', onChange);
  return () => runner.off('change', onChange);
}
