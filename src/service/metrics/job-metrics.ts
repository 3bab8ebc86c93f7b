/** Counts finished jobs by outcome and records their durations, from the runner's changes. */
import type { JobRecord } from '../jobs/job.js';
import { type JobEventType, TERMINAL_EVENTS } from '../runner/job-events.js';
import type { JobRunner } from '../runner/job-runner.js';
import type { ServiceMetrics } from './service-metrics.js';

/** Subscribes; returns the unsubscribe. */
export function observeJobs(runner: JobRunner, metrics: ServiceMetrics): () => void {
  const onChange = (job: JobRecord, type: JobEventType): void => {
    if (!TERMINAL_EVENTS.includes(type)) return;
    // `succeeded`, or the library's error code (QUEUE_FULL, PRE_MODERATION, CANCELLED...).
    const outcome = job.status === 'succeeded' ? 'succeeded' : (job.error?.code ?? job.status);
    metrics.jobsFinished.inc({ outcome });
    if (job.finishedAt !== null) {
      metrics.jobDuration.observe((job.finishedAt - job.createdAt) / 1000, {
        kind: job.kind,
        status: job.status,
      });
    }
  };
  runner.on('change', onChange);
  return () => runner.off('change', onChange);
}
