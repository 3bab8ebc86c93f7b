/**
 * `npm run bench -- service`: the HTTP service under loopback load (autocannon), on its SQLite
 * store.
 *
 * 1. Memory with 100,000 stored jobs (`--quick`: 20,000): heap and RSS after GC before and after
 *    the store is filled and the service is serving from it, plus the database file size.
 * 2. `GET /v1/jobs/:id` over those jobs (random ids): requests/s, p50 / p99 latency.
 * 3. `GET /v1/jobs?limit=20` and `?limit=100`, a page from the middle of the store (keyset cursor),
 *    served from the views stored with the jobs and kept in memory once read (targets: 5,000/s and
 *    2,000/s); then pages of 100 from random places, whose views mostly come from the file.
 * 4. `POST /v1/imagine`: submissions accepted while jobs queue behind a generator with 3 slots
 *    (an in-process fake: each job takes 20 ms once it has a slot), as the orchestrator queues them
 *    behind Midjourney's slots. Every submission is a store insert plus the runner's bookkeeping.
 * Each row also gives the service process's CPU time per request, which other processes on the
 * same cores disturb far less than requests/s.
 * The per-client limits are set out of the way: this measures the service, not the limiter. The
 * service runs in a child process, so the load generator does not share its event loop.
 *
 * `--only=<text>` runs only the rows whose scenario contains the text (`--only=limit=20`).
 * `--cpu-prof` records the service's CPU profile of each row into `$BENCH_PROFILE_DIR` (default
 * `bench-profiles/`), one `.cpuprofile` per row, for Chrome DevTools or `--cpu-prof` tooling; the
 * profiler adds its own cost to the CPU column.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { EventEmitter } from 'eventemitter3';
import type { GenerationEvents, GenerationResult, Generator, JobOptions } from '../src/generation/types.js';
import { toJobView } from '../src/service/http/job-view.js';
import { encodeCursor } from '../src/service/http/routes-v1.js';
import { createJobRecord, type JobRecord } from '../src/service/jobs/job.js';
import { SqliteJobStore } from '../src/service/jobs/sqlite-store.js';
import { startService } from '../src/service/start.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const KEY = 'bench-key-0123456789abcdef';
const STORED_JOBS = process.argv.includes('--quick') ? 20_000 : 100_000;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 20;
const BASE_ID = 1_700_000_000_000_000;
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const PROFILE = process.argv.includes('--cpu-prof');
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ?? 'bench-profiles';

function measureMemory(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** A generator with `slots` concurrent jobs; each takes `jobMs` once it has one. */
class SlottedFakeGenerator extends EventEmitter<GenerationEvents> implements Generator {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];
  submitted = 0;
  constructor(
    private readonly slots: number,
    private readonly jobMs: number,
  ) {
    super();
  }
  private async slot(): Promise<() => void> {
    if (this.inUse >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inUse += 1;
    return () => {
      this.inUse -= 1;
      this.waiting.shift()?.();
    };
  }
  async imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    const release = await this.slot();
    try {
      const nonce = String(1_100_000_000_000_000_000n + BigInt(++this.submitted));
      const submittedAt = Date.now();
      const ticket = {
        kind: 'imagine' as const,
        prompt,
        channelId: '1',
        nonce,
        afterMessageId: null,
        submittedAt,
      };
      await options.onSubmit?.(ticket);
      this.emit('submitted', { id: nonce, kind: 'imagine', prompt }, ticket);
      await new Promise((resolve) => setTimeout(resolve, this.jobMs));
      return resultFor(prompt, submittedAt);
    } finally {
      release();
    }
  }
  act(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  resume(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  async close(): Promise<void> {}
}

function resultFor(prompt: string, submittedAt: number): GenerationResult {
  const uuid = '0b0b0b0b-0000-4000-8000-000000000000';
  const url = `https://cdn.example/attachments/1/2/user_${uuid}.png?ex=1&is=2&hm=${'a'.repeat(64)}`;
  return {
    kind: 'imagine',
    jobId: uuid,
    messageId: '1100000000000000010',
    channelId: '1100000000000000001',
    prompt,
    echoedPrompt: `${prompt} --v 6.1`,
    imageUrl: url,
    imageUrls: [url],
    actions: Object.fromEntries(
      ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', 'reroll'].map((a) => [a, `MJ::JOB::${a}::1::${uuid}`]),
    ),
    messageFlags: 0,
    mode: 'fast',
    timings: { submittedAt, completedAt: submittedAt + 40_000, durationMs: 40_000 },
  };
}

function storedJob(i: number, base: number): JobRecord {
  const id = String(base + i).padStart(16, '0');
  const prompt = `a watercolour lighthouse number ${i} at dusk, soft light --ar 3:2`;
  return {
    ...createJobRecord(
      id,
      { clientId: 'bench', kind: 'imagine', prompt, metadata: { order: i } },
      base / 1000,
    ),
    status: 'succeeded',
    progress: 100,
    result: resultFor(prompt, base / 1000),
    finishedAt: base / 1000 + 40_000,
  };
}

interface Row {
  scenario: string;
  'req/s': string;
  /** The service process's CPU time (user + system) per request: steadier than req/s on a busy machine. */
  'CPU µs/req': string;
  'p50 ms': string;
  'p99 ms': string;
  requests: number;
  'non-2xx': number;
  errors: number;
}

async function load(
  child: ChildProcess,
  scenario: string,
  options: autocannon.Options,
): Promise<Row | undefined> {
  if (ONLY !== undefined && !scenario.includes(ONLY)) return undefined;
  if (PROFILE) await request(child, 'profile-start', 'profile-started');
  const before = await request<{ cpu: NodeJS.CpuUsage }>(child, 'cpu', 'cpu');
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  const after = await request<{ cpu: NodeJS.CpuUsage }>(child, 'cpu', 'cpu');
  if (PROFILE) {
    const name = scenario.replace(/[^\w=]+/g, '-').replace(/^-|-$/g, '');
    const { path } = await request<{ path: string }>(child, `profile-stop:${name}`, 'profile-stopped');
    console.log(`CPU profile of ${scenario}: ${path}`);
  }
  const cpuUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return {
    scenario,
    'req/s': result.requests.average.toFixed(0),
    'CPU µs/req': (cpuUs / Math.max(1, result.requests.total)).toFixed(0),
    'p50 ms': result.latency.p50.toFixed(2),
    'p99 ms': result.latency.p99.toFixed(2),
    requests: result.requests.total,
    'non-2xx': result.non2xx,
    errors: result.errors,
  };
}

interface ServerReport {
  url: string;
  insertMs: number;
  fileBytes: number;
  empty: { heap: number; rss: number };
  loaded: { heap: number; rss: number };
}

/**
 * The service side, in a child process so autocannon does not share its event loop: fills the
 * store, serves, reports memory on request over IPC.
 */
async function serve(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mjw-service-bench-'));
  const dbPath = join(dir, 'jobs.sqlite');
  const empty = measureMemory();
  // As startService builds it: each job's public view stored with it, for list pages.
  const store = new SqliteJobStore({ path: dbPath, renderView: (job) => JSON.stringify(toJobView(job)) });
  const t0 = performance.now();
  for (let i = 0; i < STORED_JOBS; i += 1) await store.insert(storedJob(i, BASE_ID));
  const insertMs = performance.now() - t0;
  const generator = new SlottedFakeGenerator(3, 20);
  const limit = { requests: 1_000_000_000, windowMs: 1_000, burst: 1_000_000_000 };
  const started = await startService({
    generator,
    store,
    closeStore: true,
    config: {
      host: '127.0.0.1',
      port: 0,
      apiKeys: [{ name: 'bench', key: KEY }],
      authDisabled: false,
      rateLimit: limit,
      submitRateLimit: limit,
      maxActiveJobs: 1_000_000,
    },
  });
  // Warm the store and the JIT before measuring.
  await fetch(`${started.url}/v1/jobs?limit=20`, { headers: { authorization: `Bearer ${KEY}` } });
  const fileBytes = (await stat(dbPath)).size + (await stat(`${dbPath}-wal`).catch(() => ({ size: 0 }))).size;
  const report: ServerReport = { url: started.url, insertMs, fileBytes, empty, loaded: measureMemory() };
  process.send?.({ type: 'ready', report });
  const profiler = new Session();
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'profile-start') {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      process.send?.({ type: 'profile-started' });
    } else if (message.type.startsWith('profile-stop:')) {
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      await mkdir(PROFILE_DIR, { recursive: true });
      const path = join(PROFILE_DIR, `service-${message.type.slice('profile-stop:'.length)}.cpuprofile`);
      await writeFile(path, JSON.stringify(profile));
      process.send?.({ type: 'profile-stopped', path });
    } else if (message.type === 'cpu') {
      process.send?.({ type: 'cpu', cpu: process.cpuUsage() });
    } else if (message.type === 'memory') {
      process.send?.({
        type: 'memory',
        memory: measureMemory(),
        sent: generator.submitted,
        waiting: started.service.runner.waitingCount,
      });
    } else if (message.type === 'stop') {
      await started.close();
      await rm(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

function request<T>(child: ChildProcess, type: string, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }): void => {
      if (message.type !== reply) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    if (type !== '') child.send({ type });
  });
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', ...process.argv.slice(2)], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const { report } = await request<{ report: ServerReport }>(child, '', 'ready');
    const headers = { authorization: `Bearer ${KEY}` };
    const rows: Row[] = [];
    const add = (row: Row | undefined): void => {
      if (row !== undefined) rows.push(row);
    };
    add(
      await load(child, `GET /v1/jobs/:id (${STORED_JOBS / 1_000}k stored)`, {
        url: report.url,
        headers,
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              path: `/v1/jobs/${String(BASE_ID + Math.floor(Math.random() * STORED_JOBS)).padStart(16, '0')}`,
            }),
          },
        ],
      }),
    );
    // A page from the middle: the keyset cursor seeks the index, nothing before it is read.
    const middle = encodeCursor(String(BASE_ID + Math.floor(STORED_JOBS / 2)).padStart(16, '0'));
    for (const limit of [20, 100]) {
      add(
        await load(child, `GET /v1/jobs?limit=${limit}&cursor=(middle)`, {
          url: `${report.url}/v1/jobs?limit=${limit}&cursor=${middle}`,
          headers,
        }),
      );
    }
    // Pages from random places: most views are read from the file, not from the ones kept in memory.
    add(
      await load(child, 'GET /v1/jobs?limit=100&cursor=(random)', {
        url: report.url,
        headers,
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              path: `/v1/jobs?limit=100&cursor=${encodeCursor(String(BASE_ID + 100 + Math.floor(Math.random() * (STORED_JOBS - 100))).padStart(16, '0'))}`,
            }),
          },
        ],
      }),
    );
    const before = await request<{ sent: number }>(child, 'memory', 'memory');
    const submits = await load(child, 'POST /v1/imagine (3 slots, queued)', {
      url: `${report.url}/v1/imagine`,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a lighthouse at dusk --ar 3:2', metadata: { bench: true } }),
    });
    add(submits);
    const after = await request<{ memory: { heap: number; rss: number }; sent: number; waiting: number }>(
      child,
      'memory',
      'memory',
    );
    const accepted = submits === undefined ? 0 : submits.requests - submits['non-2xx'];

    console.log(
      `\nService under loopback load (${CONNECTIONS} connections, ${DURATION_S} s each, SQLite WAL store;`,
    );
    console.log('the service runs in its own process, autocannon in this one)');
    console.table(rows);
    if (submits !== undefined)
      console.log(
        `\nSubmissions: ${accepted} accepted (202); ${after.sent - before.sent} reached the 3-slot generator during the run, ${after.waiting} were still waiting for a slot.`,
      );
    console.table([
      {
        measure: `insert ${STORED_JOBS} jobs (one transaction each)`,
        value: `${report.insertMs.toFixed(0)} ms`,
      },
      { measure: 'service process heap after GC, before the store', value: mb(report.empty.heap) },
      { measure: `heap after GC, ${STORED_JOBS} jobs stored, service up`, value: mb(report.loaded.heap) },
      { measure: `RSS, ${STORED_JOBS} jobs stored, service up`, value: mb(report.loaded.rss) },
      { measure: `heap after GC, after the load (+${accepted} jobs)`, value: mb(after.memory.heap) },
      { measure: `RSS after the load`, value: mb(after.memory.rss) },
      { measure: `SQLite file + WAL, ${STORED_JOBS} jobs`, value: mb(report.fileBytes) },
    ]);
  } finally {
    child.send({ type: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
