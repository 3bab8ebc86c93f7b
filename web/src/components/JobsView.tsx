/** The live job list with its filters and prompt search. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ALL_JOBS, filterChoices, type JobFilter, matchesFilter } from '../filters.js';
import { formatDuration, isActive, jobDurationMs } from '../format.js';
import { JOB_STATUSES, type JobView } from '../types.js';

/** Re-renders every second while something runs, so durations count up. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

function Select(props: { label: string; value: string; options: string[]; onChange: (v: string) => void }) {
  return (
    <label>
      {props.label}
      <select
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="all">all</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Outcome({ job }: { job: JobView }) {
  if (job.status === 'failed' && job.error) {
    return (
      <span class="outcome failed" data-testid="job-error">
        <strong>{job.error.name}</strong> {job.error.message}
      </span>
    );
  }
  if (job.status === 'succeeded') return <span class="outcome ok">succeeded</span>;
  if (job.status === 'cancelled') return <span class="outcome">cancelled</span>;
  return <span class="outcome">{job.notice ?? ''}</span>;
}

export function Progress({ job }: { job: JobView }) {
  if (!isActive(job)) return null;
  return (
    <span class="progress">
      <progress max={100} value={job.progress} />
      {job.progress}%
      {job.previewUrl && <img class="preview" src={job.previewUrl} alt="preview" data-testid="preview" />}
    </span>
  );
}

export function JobsView({ jobs, apiKey }: { jobs: JobView[]; apiKey: string | null }) {
  const [filter, setFilter] = useState<JobFilter>(ALL_JOBS);
  const choices = useMemo(() => filterChoices(jobs), [jobs]);
  const shown = useMemo(() => jobs.filter((j) => matchesFilter(j, filter, apiKey)), [jobs, filter, apiKey]);
  const now = useNow(jobs.some(isActive));
  const set = (patch: Partial<JobFilter>) => setFilter({ ...filter, ...patch });
  return (
    <section>
      <div class="filters">
        <Select
          label="State"
          value={filter.state}
          options={['active', ...JOB_STATUSES]}
          onChange={(state) => set({ state })}
        />
        <Select
          label="Outcome"
          value={filter.outcome}
          options={choices.outcomes}
          onChange={(outcome) => set({ outcome })}
        />
        <Select
          label="Account"
          value={filter.account}
          options={choices.accounts}
          onChange={(account) => set({ account })}
        />
        <Select
          label="API key"
          value={filter.apiKey}
          options={apiKey === null ? [] : [apiKey]}
          onChange={(key) => set({ apiKey: key })}
        />
        <input
          type="search"
          placeholder="Search prompts"
          aria-label="Search prompts"
          value={filter.search}
          onInput={(e) => set({ search: (e.target as HTMLInputElement).value })}
        />
        <span class="count">
          {shown.length} of {jobs.length}
        </span>
      </div>
      <table class="jobs" data-testid="jobs">
        <thead>
          <tr>
            <th>Prompt</th>
            <th>Account</th>
            <th title="The name of the API key that created the job">Key</th>
            <th>State</th>
            <th>Progress</th>
            <th>Outcome</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((job) => (
            <tr key={job.id} data-testid="job-row" data-job-id={job.id} data-status={job.status}>
              <td class="prompt">
                <a href={`#/jobs/${job.id}`}>{job.action ? `${job.action} · ${job.prompt}` : job.prompt}</a>
              </td>
              <td>{job.accountId ?? '–'}</td>
              <td>{apiKey ?? '–'}</td>
              <td>
                <span class={`state ${job.status}`}>{job.status}</span>
              </td>
              <td>
                <Progress job={job} />
                {job.status === 'succeeded' && job.result && (
                  <img
                    class="thumb"
                    loading="lazy"
                    src={job.result.imageUrl}
                    alt=""
                    data-testid="result-thumb"
                  />
                )}
              </td>
              <td>
                <Outcome job={job} />
              </td>
              <td>{formatDuration(jobDurationMs(job, now))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.length === 0 && <p class="empty">No jobs yet: submit a prompt above.</p>}
    </section>
  );
}
