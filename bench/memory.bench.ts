/**
 * `npm run bench -- memory [--quick | --million]`: the service's heap against the number of queued
 * jobs.
 *
 * The service (SQLite store in a temporary file, a generator with 3 slots whose jobs never end)
 * accepts jobs through its runner, as `POST /v1/imagine` does after validation: every job past
 * the drive slots waits in the store. After GC the heap is read at 10k, 50k, 100k and 200k queued
 * jobs (`--quick`: 10k and 50k; `--million`: 10k, 100k, 250k, 500k and 1M, about three minutes and
 * 1.2 GB of disk), with the bytes on disk per job. The target is a flat heap (within 20 MB from 10k
 * to 1M queued jobs): short of 1M the bench extrapolates the slope it measured.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { GenerationEvents, GenerationResult, Generator, JobOptions } from '../src/generation/types.js';
import { toJobView } from '../src/service/http/job-view.js';
import { SqliteJobStore } from '../src/service/jobs/sqlite-store.js';
import { startService } from '../src/service/start.js';

const quick = process.argv.includes('--quick');
const million = process.argv.includes('--million');
const STEPS = million
  ? [10_000, 100_000, 250_000, 500_000, 1_000_000]
  : quick
    ? [10_000, 50_000]
    : [10_000, 50_000, 100_000, 200_000];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Three slots; a job holds its slot until it is aborted (the service closing). */
class StuckGenerator extends EventEmitter<GenerationEvents> implements Generator {
  private inUse = 0;
  async imagine(_prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    while (this.inUse >= 3) await new Promise((resolve) => setTimeout(resolve, 1_000));
    this.inUse += 1;
    return new Promise((_, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
    });
  }
  act(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  resume(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  async close(): Promise<void> {}
}

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const dir = await mkdtemp(join(tmpdir(), 'mjw-memory-bench-'));
const dbPath = join(dir, 'jobs.sqlite');
const diskBytes = async (): Promise<number> =>
  (await stat(dbPath)).size + (await stat(`${dbPath}-wal`).catch(() => ({ size: 0 }))).size;
const store = new SqliteJobStore({ path: dbPath, renderView: (job) => JSON.stringify(toJobView(job)) });
const started = await startService({
  generator: new StuckGenerator(),
  store,
  closeStore: true,
  config: { host: '127.0.0.1', port: 0, authDisabled: true, maxActiveJobs: 10_000_000 },
});
const { runner } = started.service;
const rows: { 'queued jobs': string; 'in memory (driven)': number; heap: string; 'disk/job': string }[] = [];
const points: [number, number][] = [];
let submitted = 0;
const t0 = performance.now();
for (const target of STEPS) {
  for (; submitted < target; submitted += 1) {
    await runner.submit({
      clientId: 'bench',
      kind: 'imagine',
      prompt: `a watercolour lighthouse number ${submitted} at dusk, soft light --ar 3:2`,
      metadata: { order: submitted },
    });
  }
  const used = heap();
  points.push([target, used]);
  rows.push({
    'queued jobs': target.toLocaleString('en-US'),
    'in memory (driven)': runner.activeCount,
    heap: mb(used),
    'disk/job': `${((await diskBytes()) / target / 1024).toFixed(2)} KB`,
  });
}
const seconds = (performance.now() - t0) / 1_000;
const [first, last] = [points[0] as [number, number], points.at(-1) as [number, number]];
const slope = (last[1] - first[1]) / (last[0] - first[0]);

console.log(`\nService heap against queued jobs (SQLite store, 3 generator slots, jobs never end)`);
console.table(rows);
console.log(
  `${submitted.toLocaleString('en-US')} jobs accepted in ${seconds.toFixed(1)} s (${Math.round(submitted / seconds)}/s through the runner).`,
);
const growth = `heap ${mb(last[1] - first[1])} from ${first[0].toLocaleString('en-US')} to ${last[0].toLocaleString('en-US')} queued jobs (${slope.toFixed(1)} bytes/job)`;
console.log(
  last[0] >= 1_000_000
    ? `${growth}, measured (target within 20 MB).`
    : `${growth}; extrapolated to 1,000,000: ${mb(slope * (1_000_000 - first[0]))} over the ${first[0].toLocaleString('en-US')}-job heap (target within 20 MB).`,
);
await started.close();
await rm(dir, { recursive: true, force: true });
process.exit(0);
