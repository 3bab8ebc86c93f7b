/**
 * `npm run bench -- cluster`: the cluster on Redis (MJW_TEST_REDIS_URL, default
 * redis://127.0.0.1:6379, database 4, a prefix of its own, removed at the end). Every node runs
 * in this process (the figures include that they share one event loop); the accounts are fakes
 * whose jobs hold their slot for JOB_MS and pass the real FencedSendGate once (the
 * `POST /interactions`), so Redis, BullMQ, the runner, the pool and the balancer are all real.
 *
 * 1. Slot utilisation of the whole pool, 1 worker x 6 accounts and 3 workers x 6 accounts:
 *    (time slots were held by jobs) / (slots x makespan), over 8 full waves of jobs.
 * 2. Redis round trips per job: every command this process's ioredis clients send (BullMQ's too),
 *    counted at `sendCommand`, during the run, divided by the jobs (background rounds included).
 * 3. API node throughput, `POST /v1/imagine` and `GET /v1/jobs/:id` (autocannon), on Redis (an API
 *    node that queues for workers) against SQLite (one process that runs the jobs itself).
 * 4. Memory per queued job: the API node's heap with 10,000 and 100,000 jobs queued in Redis.
 * Figures only: nothing here asserts a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { EventEmitter } from 'eventemitter3';
import { Redis } from 'ioredis';
import type { FencedSendGate } from '../src/cluster/fenced-send-gate.js';
import type { AccountConfig } from '../src/config/accounts.js';
import { loadServiceConfig } from '../src/config/service.js';
import { RestClient } from '../src/discord/rest/index.js';
import type { GenerationEvents, GenerationResult, Generator, JobOptions } from '../src/generation/types.js';
import { buildService } from '../src/service/app.js';
import { ClusterJobQueue } from '../src/service/cluster/job-queue.js';
import type { OpenedAccount } from '../src/service/cluster/leased-accounts.js';
import { startClusterNode } from '../src/service/cluster/node.js';
import { ANONYMOUS_CLIENT } from '../src/service/http/api-keys.js';
import { createJobRecord } from '../src/service/jobs/job.js';
import { RedisJobStore } from '../src/service/jobs/redis-store.js';
import { SqliteJobStore } from '../src/service/jobs/sqlite-store.js';
import { silentLogger } from '../src/util/logger.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const REDIS_URL = new URL(process.env.MJW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
REDIS_URL.pathname = '/4';
const ACCOUNTS = 6;
const SLOTS = 3;
const JOB_MS = Number(process.env.BENCH_JOB_MS ?? 2_000);
const WAVES = 8;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// Round trips: every command any ioredis client of this process sends.
const sent = new Map<string, number>();
const proto = Redis.prototype as unknown as { sendCommand(command: { name: string }): unknown };
const original = proto.sendCommand;
proto.sendCommand = function (this: unknown, command: { name: string }) {
  sent.set(command.name, (sent.get(command.name) ?? 0) + 1);
  return original.call(this, command);
};
const totalSent = (): number => [...sent.values()].reduce((a, b) => a + b, 0);

const accounts: AccountConfig[] = Array.from({ length: ACCOUNTS }, (_, i) => ({
  id: `b${i + 1}`,
  token: `bench-token-${i + 1}`,
  guildId: '1100000000000000100',
  channelId: String(1_100_000_000_000_000_200n + BigInt(i)),
  slots: SLOTS,
  mode: 'fast',
  dailyJobCap: 0,
  enabled: true,
  submitGapMinMs: 0,
  submitGapMaxMs: 0,
  onCreditsExhausted: 'disable',
}));

/** Slot time held by jobs, and the first start / last end, across every fake account. */
const usage = { busyMs: 0, first: Number.POSITIVE_INFINITY, last: 0, jobs: 0 };

class FakeAccount extends EventEmitter<GenerationEvents> implements Generator {
  private n = 0;
  constructor(
    private readonly account: AccountConfig,
    private readonly gate: FencedSendGate,
  ) {
    super();
  }
  async imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    const start = Date.now();
    usage.first = Math.min(usage.first, start);
    const submittedAt = Date.now();
    const nonce = String(1_200_000_000_000_000_000n + BigInt(++this.n));
    const ticket = {
      kind: 'imagine' as const,
      prompt,
      channelId: this.account.channelId,
      nonce,
      afterMessageId: null,
      submittedAt,
    };
    await options.onSubmit?.(ticket);
    await this.gate.pass(options.signal);
    this.emit('submitted', { id: nonce, kind: 'imagine', prompt }, ticket);
    await new Promise((resolve) => setTimeout(resolve, JOB_MS - (Date.now() - start)));
    const end = Date.now();
    usage.busyMs += end - start;
    usage.last = Math.max(usage.last, end);
    usage.jobs += 1;
    return {
      kind: 'imagine',
      jobId: '0b0b0b0b-0000-4000-8000-000000000000',
      messageId: '1100000000000000010',
      channelId: this.account.channelId,
      prompt,
      echoedPrompt: prompt,
      imageUrl: 'https://cdn.example/a.png',
      imageUrls: ['https://cdn.example/a.png'],
      actions: {},
      messageFlags: 0,
      mode: 'fast',
      timings: { submittedAt, completedAt: end, durationMs: end - start },
    };
  }
  act(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  resume(): Promise<GenerationResult> {
    return Promise.reject(new Error('not used'));
  }
  async close(): Promise<void> {}
}

async function openFake(account: AccountConfig, gate: FencedSendGate): Promise<OpenedAccount> {
  const rest = new RestClient({ token: account.token, baseUrl: 'http://127.0.0.1:9/api/v10' });
  return {
    init: {
      id: account.id,
      generator: new FakeAccount(account, gate),
      channelId: account.channelId,
      slots: SLOTS,
    },
    rest,
    gateway: undefined,
    close: () => rest.close(),
  };
}

function clusterConfig(prefix: string, worker: boolean) {
  return loadServiceConfig(
    {
      MJW_REDIS_URL: REDIS_URL.toString(),
      MJW_REDIS_PREFIX: prefix,
      MJW_PORT: '0',
      MJW_RATE_LIMIT_REQUESTS: '1000000',
      MJW_RATE_LIMIT_WINDOW_MS: '1000',
      MJW_SUBMIT_RATE_LIMIT_REQUESTS: '1000000',
      MJW_SUBMIT_RATE_LIMIT_WINDOW_MS: '1000',
      MJW_MAX_ACTIVE_JOBS: '100000',
      MJW_ACCOUNT_LEASE_TTL_MS: '5000',
      MJW_JOB_CLAIM_TTL_MS: '10000',
    },
    { worker },
  );
}

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL.toString());
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

async function post(base: string, prompt: string): Promise<string> {
  const response = await fetch(`${base}/v1/imagine`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  return ((await response.json()) as { id: string }).id;
}

async function utilisation(workers: number): Promise<Record<string, string | number>> {
  const prefix = `bench-util-${process.pid}-${workers}`;
  Object.assign(usage, { busyMs: 0, first: Number.POSITIVE_INFINITY, last: 0, jobs: 0 });
  const api = await startClusterNode({
    config: clusterConfig(prefix, false),
    logger: silentLogger,
    listen: true,
    accounts,
  });
  const nodes = await Promise.all(
    Array.from({ length: workers }, () =>
      startClusterNode({
        config: clusterConfig(prefix, true),
        logger: silentLogger,
        listen: false,
        accounts,
        openAccount: openFake,
        balanceIntervalMs: 250,
      }),
    ),
  );
  const share = Math.ceil(ACCOUNTS / workers);
  while (!nodes.every((n) => n.heldAccounts().length === share)) await new Promise((r) => setTimeout(r, 50));
  const jobs = ACCOUNTS * SLOTS * WAVES;
  const before = totalSent();
  const ids: string[] = [];
  for (let i = 0; i < jobs; i += 50) {
    ids.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, jobs - i) }, (_, k) => post(api.url as string, `bench ${i + k}`)),
      )),
    );
  }
  while (usage.jobs < jobs) await new Promise((r) => setTimeout(r, 50));
  const commands = totalSent() - before;
  const makespan = usage.last - usage.first;
  const row = {
    scenario: `${workers} worker(s) x ${ACCOUNTS} accounts`,
    jobs,
    slots: ACCOUNTS * SLOTS,
    'makespan s': (makespan / 1_000).toFixed(2),
    'ideal s': ((WAVES * JOB_MS) / 1_000).toFixed(2),
    utilisation: (usage.busyMs / (ACCOUNTS * SLOTS * makespan)).toFixed(3),
    'of ideal': ((WAVES * JOB_MS) / makespan).toFixed(3),
    'redis cmds/job': (commands / jobs).toFixed(1),
  };
  await Promise.all(nodes.map((n) => n.close()));
  await api.close();
  await dropPrefix(prefix);
  return row;
}

async function load(scenario: string, options: autocannon.Options) {
  const before = totalSent();
  const result = await autocannon({ connections: 20, duration: DURATION_S, ...options });
  const commands = totalSent() - before;
  return {
    scenario,
    'req/s': result.requests.average.toFixed(0),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    'non-2xx': result.non2xx,
    // The per-key buckets (requests, submissions) and the cluster-wide job cap are among them.
    'redis cmds/req': commands === 0 ? '-' : (commands / Math.max(1, result.requests.total)).toFixed(1),
  };
}

async function throughput(): Promise<Record<string, string | number>[]> {
  const rows = [];
  const body = JSON.stringify({ prompt: 'a lighthouse at dusk --ar 3:2' });
  const postOptions = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body };
  const prefix = `bench-api-${process.pid}`;
  const api = await startClusterNode({
    config: clusterConfig(prefix, false),
    logger: silentLogger,
    listen: true,
    accounts,
  });
  const id = await post(api.url as string, 'a lighthouse');
  rows.push(
    await load('Redis: POST /v1/imagine (queued for workers)', {
      url: `${api.url}/v1/imagine`,
      ...postOptions,
    }),
  );
  rows.push(await load('Redis: GET /v1/jobs/:id', { url: `${api.url}/v1/jobs/${id}` }));
  await api.close();
  await dropPrefix(prefix);

  const dir = await mkdtemp(join(tmpdir(), 'mjw-bench-'));
  const store = new SqliteJobStore({ path: join(dir, 'jobs.sqlite') });
  const generator = new (class extends EventEmitter<GenerationEvents> implements Generator {
    // Jobs wait "at Midjourney" forever, as queued jobs do on a busy account.
    imagine(_p: string, options: JobOptions = {}): Promise<GenerationResult> {
      return new Promise((_r, reject) =>
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
      );
    }
    act(): Promise<GenerationResult> {
      return Promise.reject(new Error('not used'));
    }
    resume(): Promise<GenerationResult> {
      return Promise.reject(new Error('not used'));
    }
    async close(): Promise<void> {}
  })();
  const service = await buildService({
    generator,
    store,
    config: { ...clusterConfig('unused', true), redisUrl: null, maxActiveJobs: 100_000 },
    logger: silentLogger,
  });
  const url = await service.listen({ port: 0 });
  const sqliteId = await post(url, 'a lighthouse');
  rows.push(
    await load('SQLite: POST /v1/imagine (one process)', { url: `${url}/v1/imagine`, ...postOptions }),
  );
  rows.push(await load('SQLite: GET /v1/jobs/:id', { url: `${url}/v1/jobs/${sqliteId}` }));
  await service.close();
  await rm(dir, { recursive: true, force: true });
  return rows;
}

async function memory(): Promise<Record<string, string | number>[]> {
  const prefix = `bench-mem-${process.pid}`;
  const api = await startClusterNode({
    config: clusterConfig(prefix, false),
    logger: silentLogger,
    listen: true,
    accounts,
  });
  const redis = new Redis(REDIS_URL.toString());
  const store = new RedisJobStore({ redis, prefix });
  const queue = new ClusterJobQueue({ url: REDIS_URL.toString(), prefix });
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const redisMemory = async (): Promise<number> =>
    Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1] ?? 0);
  const rows = [];
  const baseHeap = heap();
  const baseRedis = await redisMemory();
  let queued = 0;
  for (const target of [10_000, 100_000]) {
    // Stored and queued as an API node does (store insert, then the queue entry), in batches.
    while (queued < target) {
      const batch = Array.from({ length: Math.min(500, target - queued) }, (_, k) => {
        const n = queued + k;
        return createJobRecord(
          String(1_800_000_000_000_000 + n),
          { clientId: ANONYMOUS_CLIENT, kind: 'imagine', prompt: `queued ${n}` },
          Date.now(),
        );
      });
      await Promise.all(
        batch.map(async (job) => {
          await store.insert(job);
          await queue.enqueue(job);
        }),
      );
      queued += batch.length;
    }
    const probe = await fetch(`${api.url}/v1/jobs/${String(1_800_000_000_000_000 + target - 1)}`);
    const h = heap();
    const r = await redisMemory();
    rows.push({
      'queued jobs': target,
      'node heap': mb(h),
      'heap growth / job': `${((h - baseHeap) / target).toFixed(1)} B`,
      'redis used_memory growth / job': `${((r - baseRedis) / target).toFixed(0)} B`,
      'last job readable': probe.status,
    });
  }
  await queue.close();
  await api.close();
  await redis.quit();
  await dropPrefix(prefix);
  return rows;
}

async function main(): Promise<void> {
  console.log(
    `cluster on ${REDIS_URL.toString()}, ${ACCOUNTS} accounts x ${SLOTS} slots, jobs of ${JOB_MS} ms`,
  );
  console.log('\nslot utilisation of the whole pool (target >= 0.98 of ideal), Redis commands per job');
  console.table([await utilisation(1), await utilisation(3)]);
  const top = [...sent].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log('most sent commands over both runs:', Object.fromEntries(top));
  console.log(
    `\nAPI node throughput, ${DURATION_S} s each, 20 connections, loopback, load generator in the same process`,
  );
  console.table(await throughput());
  console.log('\nmemory per queued job (Redis mode; jobs live in Redis, not in the node)');
  console.table(await memory());
}

await main();
process.exit(0);
