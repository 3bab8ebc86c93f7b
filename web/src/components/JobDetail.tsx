/** One job: its grid, its buttons (each runs an action), cancel, its stored events and webhook deliveries. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api } from '../api.js';
import { formatDuration, isActive, jobDurationMs, splitPrompt } from '../format.js';
import type { JobView } from '../types.js';
import type { LiveJobs } from '../use-jobs.js';
import { JobDeliveries, JobHistory } from './JobRecords.js';
import { Outcome, Progress, useNow } from './JobsView.js';

export function JobDetail({ id, live }: { id: string; live: LiveJobs }) {
  const held = live.jobs.find((j) => j.id === id);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (held === undefined) api<JobView>(`/v1/jobs/${id}`).then(live.upsert, (e: ApiError) => setError(e));
  }, [id, held === undefined]);
  const now = useNow(held !== undefined && isActive(held));
  if (held === undefined) {
    return error ? <ErrorLine error={error} /> : <p>Loading job {id}…</p>;
  }
  const job = held;

  const run = async (action: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const { id: created } = await api<{ id: string }>(`/v1/jobs/${job.id}/actions`, {
        method: 'POST',
        body: { action },
      });
      live.upsert(await api<JobView>(`/v1/jobs/${created}`));
      location.hash = `#/jobs/${created}`;
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const cancel = async (): Promise<void> => {
    try {
      live.upsert(await api<JobView>(`/v1/jobs/${job.id}`, { method: 'DELETE' }));
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const { text, parameters } = splitPrompt(job.prompt);

  return (
    <section class="detail" data-testid="job-detail" data-status={job.status}>
      <a href="#/jobs">← all jobs</a>
      <h2>{text || job.prompt}</h2>
      <dl>
        <dt>Job</dt>
        <dd>
          {job.id} ({job.kind}
          {job.action ? ` ${job.action}` : ''}
          {job.parentId ? (
            <>
              {' of '}
              <a href={`#/jobs/${job.parentId}`}>{job.parentId}</a>
            </>
          ) : null}
          )
        </dd>
        <dt>State</dt>
        <dd>
          <span class={`state ${job.status}`}>{job.status}</span> <Progress job={job} />
        </dd>
        <dt>Outcome</dt>
        <dd>
          <Outcome job={job} />
        </dd>
        <dt>Bot</dt>
        <dd data-testid="job-bot">{job.botType === 'niji' ? 'niji・journey' : 'Midjourney'}</dd>
        <dt>Account</dt>
        <dd>{job.accountId ?? '–'}</dd>
        <dt>API key</dt>
        <dd data-testid="job-key">{live.apiKey ?? '–'}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(jobDurationMs(job, now))}</dd>
        {parameters.length > 0 && (
          <>
            <dt>Parameters</dt>
            <dd>{parameters.map(([k, v]) => `--${k}${v ? ` ${v}` : ''}`).join(' ')}</dd>
          </>
        )}
        <dt>Webhook</dt>
        <dd>{job.webhookUrl === null ? 'none' : 'set (deliveries below)'}</dd>
      </dl>
      {isActive(job) && (
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      )}
      {job.result && (
        <>
          <img class="grid" src={job.result.imageUrl} alt={job.prompt} data-testid="result-image" />
          <div class="actions">
            {job.result.actions.map((action) => (
              <button
                key={action}
                type="button"
                disabled={busy}
                onClick={() => run(action)}
                data-testid={`action-${action}`}
              >
                {action}
              </button>
            ))}
          </div>
        </>
      )}
      {error && <ErrorLine error={error} />}
      <JobHistory job={job} />
      <JobDeliveries job={job} />
    </section>
  );
}

function ErrorLine({ error }: { error: ApiError }) {
  return (
    <p class="error" role="alert">
      <strong>{error.name}</strong> <code>{error.code}</code> {error.message}
    </p>
  );
}
