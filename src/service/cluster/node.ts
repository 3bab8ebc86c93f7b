/**
 * `startClusterNode`: one process of a cluster on Redis (docs/scale.md). It may be
 * - an **API node** (`listen`): the HTTP service on the shared Redis store; every accepted job is
 *   stored, then queued for the workers; reads and SSE streams see every node's jobs, and
 *   `GET /v1/accounts` every account's state cluster-wide;
 * - a **worker** (`config.worker`): it drives the accounts whose leases it holds (LeasedAccounts:
 *   the AccountBalancer shares the accounts fairly between live workers, one driver per token
 *   cluster-wide), each behind a FencedSendGate (the lease and the 350 ms spacing proven in
 *   Redis before every call), follows the unfinished jobs of a dead worker from their tickets on
 *   the accounts it holds, and takes queued jobs from the queue as fast as its pool's slots allow;
 * - or both (`mjw serve` with MJW_REDIS_URL).
 * A lost lease stops that account at once: its jobs stay stored, their claims are released for
 * the new holder. A stopped node (SIGTERM) hands its leases and claims back at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AccountPool } from '../../accounts/account-pool.js';
import { NoAccountAvailableError } from '../../accounts/errors.js';
import { AccountStateStore } from '../../cluster/account-state-store.js';
import { isHandBackError } from '../../cluster/errors.js';
import type { FencedSendGate } from '../../cluster/fenced-send-gate.js';
import { clusterKeys } from '../../cluster/keys.js';
import type { AccountConfig } from '../../config/accounts.js';
import type { ServiceConfig } from '../../config/service.js';
import { buildService, type Service, type ServiceLimiters } from '../app.js';
import { RedisJobFeed } from '../events/redis-job-feed.js';
import { isTerminal, type JobRecord } from '../jobs/job.js';
import { RedisJobStore } from '../jobs/redis-store.js';
import { RedisTokenBucket } from '../limits/redis-token-bucket.js';
import { poolProbe } from '../pool-probe.js';
import type { DispatchRefusal } from '../runner/job-runner.js';
import { ClusterAccountDirectory } from './account-directory.js';
import { ApiOnlyGenerator } from './api-only-generator.js';
import { ClusterJobQueue, type QueueVerdict } from './job-queue.js';
import { LeasedAccounts, type OpenedAccount } from './leased-accounts.js';
import { UnservedJobs } from './unserved-jobs.js';

export interface ClusterNodeOptions {
  /** Service settings; `redisUrl` is required. */
  config: ServiceConfig;
  logger: Logger;
  /** Serve HTTP here (an API node). */
  listen: boolean;
  /** The deployment's accounts (MJ_ACCOUNTS_FILE, or `default` from DISCORD_*). Required for a worker. */
  accounts?: readonly AccountConfig[];
  /** Minimum spacing of each token's calls, cluster-wide. Default 350. */
  minSpacingMs?: number;
  /** Opens one account's Discord client, every call of which goes through `gate`. Required for a worker. */
  openAccount?: (account: AccountConfig, gate: FencedSendGate) => Promise<OpenedAccount>;
  /** Between two balancer rounds, ms. Default 2,000. */
  balanceIntervalMs?: number;
  /** Wait before a queue entry handed back (or driven elsewhere) is tried again, ms. Default 5,000. */
  retryDelayMs?: number;
  /**
   * How long a job no held account can take waits for a worker to drive an account that could
   * (enabled, but leased by nobody), ms, before it fails with NoAccountAvailableError. Default 60,000.
   */
  unservedWaitMs?: number;
}

export interface ClusterNode {
  /** The API node's base URL, when listening. */
  url: string | undefined;
  /** Resolves when the worker drives its first account and takes jobs (never, on an API-only node). */
  driving: Promise<void>;
  /** The accounts this worker drives now. */
  heldAccounts(): string[];
  /** The worker's service (runner, store) once started; for tests and health. */
  worker(): Service | undefined;
  close(): Promise<void>;
}

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const { config, logger } = options;
  if (config.redisUrl === null) throw new TypeError('startClusterNode: config.redisUrl is required');
  const url = config.redisUrl;
  const prefix = config.redisPrefix;
  const keys = clusterKeys(prefix);
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const feed = new RedisJobFeed({
    publisher: redis,
    subscriber: new Redis(url),
    channel: `${prefix}:job-changes`,
    onError: (error) => logger.warn({ err: error }, 'job change feed'),
  });
  await feed.start();
  // A dead worker's queue entries come back after the same time as its job claims expire.
  const queue = new ClusterJobQueue({
    url,
    prefix,
    lockMs: config.jobClaimTtlMs,
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  });
  // MJW_MAX_ACTIVE_JOBS counts every unfinished job of the cluster, checked in the insert itself.
  const store = new RedisJobStore({ redis, prefix, maxOpenJobs: config.maxActiveJobs });
  const dispatch = (job: { id: string }) => queue.enqueue(job as Parameters<ClusterJobQueue['enqueue']>[0]);
  const life = new AbortController();
  const closers: (() => Promise<void>)[] = [];

  let url_: string | undefined;
  if (options.listen) {
    const directory = new ClusterAccountDirectory({
      states: new AccountStateStore({ redis, keys }),
      ...(options.accounts ? { configured: options.accounts } : {}),
      waiting: async () => (await queue.counts()).waiting ?? 0,
      onError: (error) => logger.warn({ err: error }, 'account directory refresh'),
    });
    await directory.start();
    // A job no account of the cluster can ever take (every one disabled, or a button job whose
    // account is disabled or gone) fails at once, as in one process, instead of waiting queued.
    const configured = options.accounts ?? [];
    const unservable = new UnservedJobs({
      states: new AccountStateStore({ redis, keys }),
      accounts: configured,
      heldHere: () => false,
      // An operator's disable reaches the API's judgement within this (a job submitted in that
      // window is queued and then handled by the workers' rule).
      refreshMs: 250,
      onError: (error) => logger.warn({ err: error }, 'cluster accounts read'),
    });
    if (configured.length > 0) await unservable.start();
    const apiDispatch = async (job: JobRecord): Promise<DispatchRefusal | undefined> => {
      if (configured.length > 0) {
        const account =
          job.parentId === null ? undefined : (await store.get(job.parentId))?.result?.accountId;
        const verdict = await unservable.check(account === undefined ? {} : { account });
        if (verdict !== true) return { refused: verdict };
      }
      await dispatch(job);
      return undefined;
    };
    const api = await buildService({
      generator: new ApiOnlyGenerator(),
      store,
      closeStore: false,
      config,
      logger,
      instanceId: `${owner}:api`,
      accounts: directory,
      cluster: { dispatch: apiDispatch, drives: false, changes: feed },
      // Each key's buckets live in Redis: its limits hold across every API node.
      limiters: clusterLimiters(redis, prefix, config),
    });
    const detach = feed.follow(api.runner);
    await api.recover();
    url_ = await api.listen();
    closers.push(async () => {
      await api.close();
      directory.close();
      unservable.close();
      detach();
    });
  }

  let workerService: Service | undefined;
  let leased: LeasedAccounts | undefined;
  const driving = !config.worker
    ? new Promise<void>(() => undefined)
    : (async () => {
        const open = options.openAccount;
        const accounts = options.accounts ?? [];
        if (open === undefined || accounts.length === 0) {
          throw new TypeError('startClusterNode: a worker needs accounts and openAccount');
        }
        const pool = new AccountPool();
        // No account here can take it: another worker's may (hand it back), or none in the
        // cluster can (fail it now, or after a bounded wait when no worker drives the ones that could).
        const unserved = new UnservedJobs({
          states: new AccountStateStore({ redis, keys }),
          accounts,
          heldHere: (id) => pool.has(id),
          ...(options.unservedWaitMs === undefined ? {} : { waitMs: options.unservedWaitMs }),
          onError: (error) => logger.warn({ err: error }, 'cluster accounts read'),
        });
        await unserved.start();
        closers.push(async () => unserved.close());
        const handsBack = (error: unknown, job: { id: string }): boolean | Error => {
          if (isHandBackError(error)) return true;
          if (error instanceof NoAccountAvailableError) return unserved.decide(error, job.id);
          return false;
        };
        let consumer: ReturnType<ClusterJobQueue['consume']> | undefined;
        let started!: () => void;
        const firstAccount = new Promise<void>((resolve) => {
          started = resolve;
        });
        const accountsHere = new LeasedAccounts({
          redis,
          keys,
          owner,
          accounts,
          pool,
          open,
          logger,
          ttlMs: config.accountLeaseTtlMs,
          ...(options.balanceIntervalMs === undefined ? {} : { intervalMs: options.balanceIntervalMs }),
          ...(options.minSpacingMs === undefined ? {} : { minSpacingMs: options.minSpacingMs }),
          // The queue hands this worker as many jobs as its held accounts have slots; none without.
          onCapacity: (capacity) => {
            if (capacity > 0) started();
            if (consumer === undefined) return;
            if (capacity === 0) {
              if (!consumer.isPaused()) consumer.pause(true);
              return;
            }
            consumer.concurrency = capacity;
            if (consumer.isPaused()) consumer.resume();
          },
        });
        leased = accountsHere;
        const probe = poolProbe(pool, accountsHere.transports);
        const service = await buildService({
          generator: pool,
          probe: probe.probe,
          telemetry: probe.telemetry,
          store,
          closeStore: false,
          config,
          logger,
          instanceId: owner,
          accounts: pool,
          limiters: clusterLimiters(redis, prefix, config),
          cluster: {
            dispatch,
            drives: true,
            changes: feed,
            handsBack,
            // A ticket is followed by the worker that drives its account.
            canResume: (ticket) =>
              ticket.accountId !== undefined
                ? pool.has(ticket.accountId)
                : pool.accounts().some((a) => a.channelId === ticket.channelId),
          },
        });
        workerService = service;
        const detach = feed.follow(service.runner);
        closers.unshift(async () => {
          // The runner first: its jobs stop (stored, claims released), so the queue's hold on
          // their entries ends at once and they go back for another worker; then the leases.
          await service.close();
          await queue.close();
          detach();
          await accountsHere.stop();
          await pool.close();
        });
        await accountsHere.start();
        await firstAccount;
        if (life.signal.aborted) return;
        await service.recover();
        const handle = async (id: string): Promise<QueueVerdict> => {
          const result = await service.runner.drive(id);
          if (result === 'elsewhere') return 'retry';
          const job = await store.get(id);
          return job === undefined || isTerminal(job.status) ? 'done' : 'retry';
        };
        consumer = queue.consume(handle, Math.max(1, pool.capacity));
        if (pool.capacity === 0) consumer.pause(true);
      })();
  driving.catch((error: unknown) => {
    if (!life.signal.aborted) logger.error({ err: error }, 'worker could not start');
  });

  let closing: Promise<void> | undefined;
  return {
    url: url_,
    driving,
    heldAccounts: () => leased?.accountIds ?? [],
    worker: () => workerService,
    close() {
      closing ??= (async () => {
        life.abort(new Error('closing'));
        for (const close of closers)
          await close().catch((error: unknown) => logger.warn({ err: error }, 'close'));
        await queue.close().catch(() => undefined);
        await feed.close();
        await redis.quit().catch(() => undefined);
      })();
      return closing;
    },
  };
}

/** The per-key buckets of a cluster's API, one bucket per key in Redis for every node. */
function clusterLimiters(redis: Redis, prefix: string, config: ServiceConfig): ServiceLimiters {
  const common = { redis, prefix, idleMs: config.rateLimitIdleMs };
  return {
    requests: new RedisTokenBucket({ ...common, name: 'requests', ...config.rateLimit }),
    submissions: new RedisTokenBucket({ ...common, name: 'submissions', ...config.submitRateLimit }),
  };
}
