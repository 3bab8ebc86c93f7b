/** The runner's change events. */
import type { JobRecord } from '../jobs/job.js';

/** What changed: a new status, progress, Midjourney's "Job queued" notice, or a terminal outcome. */
export type JobEventType = 'status' | 'progress' | 'notice' | 'completed' | 'failed' | 'cancelled';

export interface JobRunnerEvents {
  /** `job` is the version stored by this change. */
  change: [job: JobRecord, type: JobEventType];
}

export const TERMINAL_EVENTS: readonly JobEventType[] = ['completed', 'failed', 'cancelled'];
