/**
 * `startService`: the service as `mjw serve` runs it: the given store, else a SQLite store at
 * `config.dbPath` when one is set, else memory; listening, then unfinished work recovered.
 */
import type { ServiceConfig } from '../config/service.js';
import { buildService, type Service, type ServiceOptions } from './app.js';
import { toJobView } from './http/job-view.js';
import { SqliteJobStore } from './jobs/sqlite-store.js';
import type { RecoveryReport } from './runner/job-runner.js';

export interface StartedService {
  service: Service;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  recovered: RecoveryReport & { webhooks: number };
  close(): Promise<void>;
}

/** Builds the service (SQLite at `config.dbPath` unless a store is given), listens, then recovers. */
export async function startService(
  options: ServiceOptions & { config?: Partial<ServiceConfig> },
): Promise<StartedService> {
  const dbPath = options.config?.dbPath;
  // The store keeps each job's public view, so list pages are served without rendering.
  const store =
    options.store ??
    (dbPath === undefined
      ? undefined
      : new SqliteJobStore({ path: dbPath, renderView: (job) => JSON.stringify(toJobView(job)) }));
  const service = await buildService({
    ...options,
    ...(store === undefined ? {} : { store }),
    closeStore: options.closeStore ?? options.store === undefined,
  });
  try {
    // Listen first: a port in use fails before any recovered job is resubmitted to Discord, and
    // clients can read the stored jobs while recovery runs.
    const url = await service.listen();
    const recovered = await service.recover();
    return { service, url, recovered, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}
