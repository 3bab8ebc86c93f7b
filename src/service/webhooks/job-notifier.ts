/**
 * Decides which job changes become webhook notifications, and in which shape:
 * - /v1 jobs (`mjw` format): the outcome (`completed`, `failed`, `cancelled`), and progress when
 *   MJW_WEBHOOK_PROGRESS is on; body `{ event, job }` with the /v1 job view.
 * - midjourney-proxy jobs: every status change and progress, body = the proxy task, as its
 *   `notifyHook` does.
 */
import { toJobView } from '../http/job-view.js';
import type { JobRecord } from '../jobs/job.js';
import { toProxyTask } from '../proxy/task-view.js';
import type { JobEventType, JobRunner } from '../runner/job-runner.js';
import type { WebhookDispatcher } from './dispatcher.js';

const TERMINAL: readonly JobEventType[] = ['completed', 'failed', 'cancelled'];

export interface JobNotifierOptions {
  /** Also notify /v1 webhooks of progress. Default false. */
  progress?: boolean;
  onError?: (error: unknown, job: JobRecord) => void;
}

/** The body for `job`'s webhook after a `type` change, or undefined when nothing is sent. */
export function notificationBody(job: JobRecord, type: JobEventType, progress: boolean): string | undefined {
  if (job.webhookUrl === null) return undefined;
  if (job.webhookFormat === 'midjourney-proxy') {
    return type === 'notice' ? undefined : JSON.stringify(toProxyTask(job));
  }
  if (TERMINAL.includes(type) || (progress && type === 'progress')) {
    return JSON.stringify({ event: type, job: toJobView(job) });
  }
  return undefined;
}

/** Subscribes the dispatcher to the runner's changes; returns the unsubscribe. */
export function attachJobNotifier(
  runner: JobRunner,
  dispatcher: WebhookDispatcher,
  options: JobNotifierOptions = {},
): () => void {
  // The last body sent per job in flight: a change invisible in the payload (submitting ->
  // submitted are both SUBMITTED for the proxy) is not sent twice.
  const last = new Map<string, string>();
  const onChange = (job: JobRecord, type: JobEventType): void => {
    if (TERMINAL.includes(type)) last.delete(job.id);
    let body: string | undefined;
    try {
      body = notificationBody(job, type, options.progress ?? false);
    } catch (error) {
      options.onError?.(error, job);
      return;
    }
    if (body === undefined) return;
    if (!TERMINAL.includes(type)) {
      if (last.get(job.id) === body) return;
      last.set(job.id, body);
    }
    const event = type === 'notice' ? 'status' : type;
    dispatcher.enqueue(job, event, body).catch((error: unknown) => options.onError?.(error, job));
  };
  runner.on('change', onChange);
  return () => runner.off('change', onChange);
}
