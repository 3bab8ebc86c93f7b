/**
 * A job's event history: its status changes, progress milestones, Midjourney's notices and its
 * outcome, each with its time, kept with the job (bounded) so a job opened after it finished
 * still shows how it went. Written by the history recorder (../history/job-history-recorder.ts).
 */
import type { JobStatus } from './job.js';

/** The most events kept per job; the oldest are dropped first. */
export const JOB_HISTORY_LIMIT = 50;

export type JobHistoryEventType = 'status' | 'progress' | 'notice' | 'completed' | 'failed' | 'cancelled';

export interface JobHistoryEvent {
  jobId: string;
  /** ms since the epoch. */
  at: number;
  type: JobHistoryEventType;
  status: JobStatus;
  progress: number;
  /** Midjourney's notice, for `notice` events. */
  notice: string | null;
  /** The typed outcome, for `failed` and `cancelled` events. */
  error: { name: string; code: string; message: string } | null;
}
