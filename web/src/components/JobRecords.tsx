/**
 * What the service stored about a job, read when its page opens and again as the job changes:
 * its event history (`GET /v1/jobs/:id/history`, kept with the job, so a job opened after it
 * finished shows its events) and its webhook deliveries with each attempt
 * (`GET /v1/jobs/:id/deliveries`: the receiver's host only), re-read every few seconds while one
 * is pending.
 */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api } from '../api.js';
import { clockTime, isActive } from '../format.js';
import type { DeliveriesAnswer, HistoryEventView, JobView } from '../types.js';

const PENDING_POLL_MS = 2_000;

/** Reads `path` when `key` changes, and again every few seconds while `pollWhile` holds. */
function useRead<T>(path: string | null, key: string, pollWhile: (value: T, reads: number) => boolean) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (path === null) return undefined;
    let stopped = false;
    let reads = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = (): void => {
      api<T>(path).then(
        (answer) => {
          if (stopped) return;
          setValue(answer);
          setError(null);
          reads += 1;
          if (pollWhile(answer, reads)) timer = setTimeout(read, PENDING_POLL_MS);
        },
        (e: ApiError) => !stopped && setError(e),
      );
    };
    read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [path, key]);
  return { value, error };
}

/** Re-read on every status change and every 25 % of progress: what the history keeps. */
const changeKey = (job: JobView): string =>
  `${job.status}:${Math.floor(job.progress / 25)}:${job.notice ?? ''}`;

const OUTCOMES: readonly string[] = ['completed', 'failed', 'cancelled'];

export function JobHistory({ job }: { job: JobView }) {
  // The outcome is stored just after it is announced: a finished job whose history does not end
  // with it yet is read again shortly.
  const { value, error } = useRead<{ events: HistoryEventView[] }>(
    `/v1/jobs/${job.id}/history`,
    changeKey(job),
    // A few times at most: a job stored before histories were kept has none to wait for.
    (answer, reads) => reads < 4 && !isActive(job) && !OUTCOMES.includes(answer.events.at(-1)?.type ?? ''),
  );
  const events = value?.events ?? [];
  return (
    <>
      <h3>Events</h3>
      {error && <p class="error">{error.message}</p>}
      {value !== null && events.length === 0 && <p class="empty">No events stored for this job.</p>}
      <ol class="events" data-testid="events">
        {events.map((e, i) => (
          <li key={`${e.at}-${e.type}-${i}`} data-type={e.type}>
            <time dateTime={e.at}>{clockTime(e.at)}</time> <strong>{e.type}</strong> {e.status}
            {e.type === 'progress' ? ` ${e.progress}%` : ''}
            {e.notice ? ` · ${e.notice}` : ''}
            {e.error ? ` · ${e.error.name}: ${e.error.message}` : ''}
          </li>
        ))}
      </ol>
    </>
  );
}

export function JobDeliveries({ job }: { job: JobView }) {
  const { value, error } = useRead<DeliveriesAnswer>(
    job.webhookUrl === null ? null : `/v1/jobs/${job.id}/deliveries`,
    job.status,
    (answer) => answer.deliveries.some((d) => d.state === 'pending'),
  );
  if (job.webhookUrl === null) return null;
  const deliveries = value?.deliveries ?? [];
  return (
    <>
      <h3>Webhook deliveries</h3>
      {error && <p class="error">{error.message}</p>}
      {value !== null && deliveries.length === 0 && <p class="empty">Nothing sent yet.</p>}
      {value !== null && value.omitted > 0 && (
        <p class="empty">{value.omitted} older deliveries not shown.</p>
      )}
      <table data-testid="deliveries">
        <thead>
          <tr>
            <th>Event</th>
            <th>Host</th>
            <th>State</th>
            <th>Attempts</th>
            <th>Next attempt</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-testid="delivery" data-state={d.state}>
              <td>{d.event}</td>
              <td>{d.host}</td>
              <td>
                <span class={`state ${d.state}`}>{d.state}</span>
              </td>
              <td>
                <ol class="attempts">
                  {d.log.map((a) => (
                    <li key={a.attempt} data-testid="attempt">
                      #{a.attempt} <time dateTime={a.at}>{clockTime(a.at)}</time>{' '}
                      {a.status === null ? 'no answer' : `HTTP ${a.status}`}
                      {a.error ? ` · ${a.error}` : ''}
                    </li>
                  ))}
                </ol>
                {d.log.length < d.attempts && `${d.attempts} in all`}
              </td>
              <td>{d.nextAttemptAt === null ? '–' : clockTime(d.nextAttemptAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
