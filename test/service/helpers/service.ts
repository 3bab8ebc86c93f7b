/** Starts the service on 127.0.0.1:0 around a fake generator, with two API keys. */
import type { ServiceConfig } from '../../../src/config/service.js';
import type { ServiceOptions } from '../../../src/service/app.js';
import type { JobRecord } from '../../../src/service/jobs/job.js';
import type { JobRunner } from '../../../src/service/runner/job-runner.js';
import { type StartedService, startService } from '../../../src/service/start.js';
import { FakeGenerator, type FakeGeneratorOptions } from './fake-generator.js';
import { API_KEYS, client, KEY_A, KEY_B } from './http.js';

export interface TestService {
  started: StartedService;
  url: string;
  generator: FakeGenerator;
  alice: ReturnType<typeof client>;
  bob: ReturnType<typeof client>;
  anonymous: ReturnType<typeof client>;
  close(): Promise<void>;
}

export async function startTestService(
  options: Partial<Omit<ServiceOptions, 'config'>> & {
    config?: Partial<ServiceConfig>;
    fake?: FakeGeneratorOptions;
  } = {},
): Promise<TestService> {
  const generator = (options.generator as FakeGenerator | undefined) ?? new FakeGenerator(options.fake);
  const started = await startService({
    ...options,
    generator,
    config: {
      host: '127.0.0.1',
      port: 0,
      apiKeys: API_KEYS,
      authDisabled: false,
      webhookAllowPrivate: true,
      webhookMinDelayMs: 10,
      webhookMaxDelayMs: 40,
      ...options.config,
    },
  });
  const url = started.url;
  return {
    started,
    url,
    generator,
    alice: client(url, KEY_A),
    bob: client(url, KEY_B),
    anonymous: client(url),
    close: () => started.close(),
  };
}

/** Resolves once job `id` has `status` (already, or on a later change); `terminal` for any outcome. */
export async function waitForStatus(runner: JobRunner, id: string, status: string): Promise<JobRecord> {
  const matches = (s: string) =>
    status === 'terminal' ? ['succeeded', 'failed', 'cancelled'].includes(s) : s === status;
  return new Promise<JobRecord>((resolve, reject) => {
    const check = (job: JobRecord) => {
      if (job.id !== id || !matches(job.status)) return;
      runner.off('change', check);
      resolve(job);
    };
    runner.on('change', check);
    runner.get(id).then((job) => job && check(job), reject);
  });
}
