/** The job list's filters and its live merge: pure functions the views and the tests share. */
import { isActive, outcomeOf } from './format.js';
import type { JobView } from './types.js';

export interface JobFilter {
  /** A status, `active` (not finished) or `all`. */
  state: string;
  /** An outcome (`succeeded`, `cancelled`, an error name) or `all`. */
  outcome: string;
  /** An account id, `none` (no account yet) or `all`. */
  account: string;
  /** Words that must all occur in the prompt, any case. */
  search: string;
  /**
   * The name of the API key that created the job, or `all`. A key sees only its own jobs (the API
   * has no view across keys), so every job listed carries the caller's key name (`GET /v1/whoami`).
   */
  apiKey: string;
}

export const ALL_JOBS: JobFilter = {
  state: 'all',
  outcome: 'all',
  account: 'all',
  search: '',
  apiKey: 'all',
};

/** `ownerKey`: the name of the key that created the jobs listed (the caller's), when known. */
export function matchesFilter(job: JobView, filter: JobFilter, ownerKey: string | null = null): boolean {
  if (filter.apiKey !== 'all' && ownerKey !== filter.apiKey) return false;
  if (filter.state === 'active' ? !isActive(job) : filter.state !== 'all' && job.status !== filter.state) {
    return false;
  }
  if (filter.outcome !== 'all' && outcomeOf(job) !== filter.outcome) return false;
  if (filter.account !== 'all' && (job.accountId ?? 'none') !== filter.account) return false;
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  const prompt = job.prompt.toLowerCase();
  return words.every((w) => prompt.includes(w));
}

/** The values the outcome and account filters offer, sorted, from the jobs at hand. */
export function filterChoices(jobs: readonly JobView[]): { outcomes: string[]; accounts: string[] } {
  const outcomes = new Set<string>();
  const accounts = new Set<string>();
  for (const job of jobs) {
    const outcome = outcomeOf(job);
    if (outcome !== '') outcomes.add(outcome);
    accounts.add(job.accountId ?? 'none');
  }
  return { outcomes: [...outcomes].sort(), accounts: [...accounts].sort() };
}

/**
 * The list with `job` in it, newest first (job ids grow with time). A view older than the one
 * held (an event that overtook a list answer) is ignored.
 */
export function mergeJob(jobs: readonly JobView[], job: JobView): JobView[] {
  const at = jobs.findIndex((j) => j.id === job.id);
  if (at >= 0) {
    if (Date.parse(jobs[at]!.updatedAt) > Date.parse(job.updatedAt)) return jobs as JobView[];
    const next = jobs.slice();
    next[at] = job;
    return next;
  }
  const next = [...jobs, job];
  next.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return next;
}

export function mergeJobs(jobs: readonly JobView[], incoming: readonly JobView[]): JobView[] {
  let next = jobs as JobView[];
  for (const job of incoming) next = mergeJob(next, job);
  return next;
}
