/** Formatting for the dashboard: pure functions over the API's job views. */
import type { JobView } from './types.js';

/** `850 ms`, `4.2 s`, `1 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min`;
}

/** Accepted to outcome, or to `now` while the job runs. */
export function jobDurationMs(job: Pick<JobView, 'createdAt' | 'finishedAt'>, now: number): number {
  const start = Date.parse(job.createdAt);
  const end = job.finishedAt === null ? now : Date.parse(job.finishedAt);
  return Math.max(0, end - start);
}

/** What a finished job came to: `succeeded`, `cancelled`, or the typed error's name; '' in flight. */
export function outcomeOf(job: Pick<JobView, 'status' | 'error'>): string {
  if (job.status === 'succeeded' || job.status === 'cancelled') return job.status;
  if (job.status === 'failed') return job.error?.name ?? 'failed';
  return '';
}

export function isActive(job: Pick<JobView, 'status'>): boolean {
  return job.status !== 'succeeded' && job.status !== 'failed' && job.status !== 'cancelled';
}

/** `1,234` with a thin group separator independent of the browser's locale. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface PromptParts {
  /** The prompt without its parameters. */
  text: string;
  /** `--ar 16:9 --v 6` as [['ar', '16:9'], ['v', '6']]; a flag without a value has ''. */
  parameters: [string, string][];
}

/** Splits a Midjourney prompt into its text and its `--name value` parameters. */
export function splitPrompt(prompt: string): PromptParts {
  const at = prompt.search(/(^|\s)--[a-z]/i);
  if (at < 0) return { text: prompt.trim(), parameters: [] };
  const text = prompt.slice(0, at).trim();
  const parameters: [string, string][] = [];
  for (const part of prompt.slice(at).split(/\s--/)) {
    const trimmed = part.trim().replace(/^--/, '');
    if (trimmed === '') continue;
    const space = trimmed.indexOf(' ');
    parameters.push(space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()]);
  }
  return { text, parameters };
}

/** The CSS aspect ratio of the prompt's `--ar w:h` (or `--aspect`), square without one. */
export function aspectRatioOf(prompt: string): string {
  const ar = splitPrompt(prompt).parameters.find(([k]) => k === 'ar' || k === 'aspect')?.[1];
  const match = ar === undefined ? null : /^(\d+):(\d+)$/.exec(ar);
  return match ? `${match[1]} / ${match[2]}` : '1 / 1';
}

/** `url` when it is http(s), else '' (an image URL is put in links and CSS: nothing else may run). */
export function safeUrl(url: string | null | undefined): string {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return '';
  return url.replace(/["\\\s]/g, (c) => encodeURIComponent(c));
}

/** How long ago `iso` was, from `now`: `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAge(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '–';
  if (ms < 5_000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1_000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

/** `hh:mm:ss` of an ISO time, in the browser's time zone. */
export function clockTime(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}
