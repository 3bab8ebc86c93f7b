/**
 * `startClusterNode`: one process of a cluster on Redis (docs/scale.md). It may be
 * - an **API node** (`listen`): the HTTP service on the shared Redis store; every accepted job is
 *   stored, then queued for the workers; reads and SSE streams see every node's jobs;
 * - a **worker** (`config.worker`): it waits for the lease of its account (AccountLease: one
 *   driver per token, cluster-wide), then opens the Discord client behind a FencedSendGate (the
 *   lease and the 350 ms spacing proven in Redis before every call), adopts the unfinished jobs of
 *   a dead worker from their tickets, and takes queued jobs from the queue;
 * - or both (`mjw serve` with MJW_REDIS_URL).
 * A worker whose lease is lost stops driving at once (its jobs stay stored, their claims released
 * for the new holder) and reports it through `lost`: the process exits and its supervisor restarts
 * it as a standby. A stopped node (SIGTERM) hands its lease and claims back at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AccountLease } from '../../cluster/account-lease.js';
import { FencedSendGate } from '../../cluster/fenced-send-gate.js';
import { clusterKeys } from '../../cluster/keys.js';
import type { ServiceConfig } from '../../config/service.js';
import type { SendGate } from '../../discord/rest/send-gate.js';
import { buildService, type Service } from '../app.js';
import { RedisJobFeed } from '../events/redis-job-feed.js';
import { isTerminal } from '../jobs/job.js';
import { RedisJobStore } from '../jobs/redis-store.js';
import type { ServiceGenerator } from '../open-generator.js';
import { ApiOnlyGenerator } from './api-only-generator.js';
import { ClusterJobQueue, type QueueVerdict } from './job-queue.js';

export interface ClusterNodeOptions {
  /** Service settings; `redisUrl` is required. */
  config: ServiceConfig;
  logger: Logger;
  /** Serve HTTP here (an API node). */
  listen: boolean;
  /** The account this worker drives (its lease key). Default `default`. */
  accountId?: string;
  /** Minimum spacing of the token's calls, cluster-wide. Default 350. */
  minSpacingMs?: number;
  /** Opens the Discord client of the account, every call of which goes through `gate`. Required for a worker. */
  openGenerator?: (gate: SendGate) => Promise<ServiceGenerator>;
  /** Queue entries a worker holds at once. Default 6. */
  concurrency?: number;
  /** Wait between two tries at a lease held elsewhere, ms. Default 2,000. */
  standbyRetryMs?: number;
}

export interface ClusterNode {
  /** The API node's base URL, when listening. */
  url: string | undefined;
  /** Resolves when the worker holds its lease and takes jobs (never, on an API-only node). */
  driving: Promise<void>;
  /** Aborts when the worker lost its lease: stop the process. */
  lost: AbortSignal;
  /** The worker's service (runner, store) once driving; for tests and health. */
  worker(): Service | undefined;
  close(): Promise<void>;
}

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const { config, logger } = options;
  if (config.redisUrl === null) throw new TypeError('startClusterNode: config.redisUrl is required');
  const url = config.redisUrl;
  const prefix = config.redisPrefix;
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
  const queue = new ClusterJobQueue({ url, prefix, lockMs: config.jobClaimTtlMs });
  const store = new RedisJobStore({ redis, prefix });
  const dispatch = (job: { id: string }) => queue.enqueue(job as Parameters<ClusterJobQueue['enqueue']>[0]);
  const life = new AbortController();
  const lost = new AbortController();
  const closers: (() => Promise<void>)[] = [];

  let url_: string | undefined;
  if (options.listen) {
    const api = await buildService({
      generator: new ApiOnlyGenerator(),
      store,
      closeStore: false,
      config,
      logger,
      instanceId: `${owner}:api`,
      cluster: { dispatch, drives: false, changes: feed },
    });
    const detach = feed.follow(api.runner);
    await api.recover();
    url_ = await api.listen();
    closers.push(async () => {
      await api.close();
      detach();
    });
  }

  let workerService: Service | undefined;
  const driving = !config.worker
    ? new Promise<void>(() => undefined)
    : (async () => {
        const open = options.openGenerator;
        if (open === undefined) throw new TypeError('startClusterNode: a worker needs openGenerator');
        const accountId = options.accountId ?? 'default';
        const keys = clusterKeys(prefix);
        let lease: AccountLease | null = null;
        while (lease === null) {
          if (life.signal.aborted) throw life.signal.reason;
          lease = await AccountLease.acquire({
            redis,
            accountId,
            owner,
            ttlMs: config.accountLeaseTtlMs,
            keys,
          });
          if (lease === null) {
            logger.info({ accountId }, 'account lease held by another worker: standing by');
            await new Promise((resolve) => setTimeout(resolve, options.standbyRetryMs ?? 2_000).unref());
          }
        }
        const held = lease;
        logger.info({ accountId, fence: held.fence }, 'account lease taken: driving');
        closers.unshift(() => held.release());
        const gate = new FencedSendGate({
          redis,
          lease: held,
          keys,
          ...(options.minSpacingMs === undefined ? {} : { minSpacingMs: options.minSpacingMs }),
        });
        const opened = await open(gate);
        const service = await buildService({
          generator: opened.generator,
          probe: opened.probe,
          telemetry: opened.telemetry,
          channelId: opened.channelId,
          store,
          closeStore: false,
          config,
          logger,
          instanceId: owner,
          cluster: { dispatch, drives: true, changes: feed },
        });
        workerService = service;
        held.once('lost', (error) => {
          // Synchronously: the runner is closing before any refused call can fail a job.
          logger.error({ accountId, err: error }, 'account lease lost: stopping this worker');
          void service.runner.close();
          lost.abort(error);
        });
        const detach = feed.follow(service.runner);
        closers.unshift(async () => {
          // The runner first: its jobs stop (stored, claims released), so the queue's hold on
          // their entries ends at once and they go back for another worker.
          await service.close();
          await queue.close();
          detach();
          await opened.close();
        });
        await service.recover();
        const handle = async (id: string): Promise<QueueVerdict> => {
          const result = await service.runner.drive(id);
          if (result === 'elsewhere') return 'retry';
          const job = await store.get(id);
          return job === undefined || isTerminal(job.status) ? 'done' : 'retry';
        };
        queue.consume(handle, options.concurrency ?? 6);
      })();
  driving.catch((error: unknown) => {
    if (!life.signal.aborted) logger.error({ err: error }, 'worker could not start');
  });

  let closing: Promise<void> | undefined;
  return {
    url: url_,
    driving,
    lost: lost.signal,
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
