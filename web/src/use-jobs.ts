/**
 * The live job list: the newest pages of `GET /v1/jobs`, kept current by `GET /v1/events`. The
 * list is reloaded on every (re)connection of the stream, so nothing that happened while it was
 * down is missed. (A job's events are read from the service, `GET /v1/jobs/:id/history`.)
 */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, follow } from './api.js';
import { mergeJob, mergeJobs } from './filters.js';
import type { JobView } from './types.js';

const PAGES = 3;

export interface LiveJobs {
  jobs: JobView[];
  connected: boolean;
  error: ApiError | null;
  /** Puts a job the page just created or read into the list before its first event arrives. */
  upsert(job: JobView): void;
  /** The name of the caller's key (`GET /v1/whoami`): every job listed was created by it. */
  apiKey: string | null;
}

export function useJobs(onUnauthorized: () => void): LiveJobs {
  const [jobs, setJobs] = useState<JobView[]>([]);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [apiKey, setApiKey] = useState<string | null>(null);

  useEffect(() => {
    api<{ apiKey: string }>('/v1/whoami').then(
      (me) => setApiKey(me.apiKey),
      () => setApiKey(null),
    );
  }, []);

  useEffect(() => {
    const stop = new AbortController();
    const load = async (): Promise<void> => {
      let cursor: string | null = null;
      for (let page = 0; page < PAGES; page++) {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const answer: { jobs: JobView[]; nextCursor: string | null } = await api(
          `/v1/jobs?limit=100${query}`,
        );
        setJobs((held) => mergeJobs(held, answer.jobs));
        cursor = answer.nextCursor;
        if (cursor === null) break;
      }
    };
    const reload = (): void => {
      setConnected(true);
      setError(null);
      load().catch((e: ApiError) => (e.status === 401 ? onUnauthorized() : setError(e)));
    };
    void follow(
      '/v1/events',
      (type, data) => {
        if (type === 'ready') return;
        setJobs((held) => mergeJob(held, data as JobView));
      },
      stop.signal,
      reload,
      (e) => {
        setConnected(false);
        if (e.status === 401) onUnauthorized();
        else setError(e);
      },
      () => setConnected(false),
    ).finally(() => setConnected(false));
    return () => stop.abort();
  }, [onUnauthorized]);

  return {
    jobs,
    connected,
    error,
    upsert: (job) => setJobs((held) => mergeJob(held, job)),
    apiKey,
  };
}
