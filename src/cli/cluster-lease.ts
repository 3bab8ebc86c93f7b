/**
 * The cluster's account leases as a one-shot command takes them (`mjw imagine`, `mjw batch`, ...),
 * when `MJW_REDIS_URL` is set: a worker drives an account only under its lease in Redis, and so
 * does a command, or it could drive a token a worker drives and break the 350 ms spacing. For each
 * account (resolved to the cluster's id through the token fingerprints workers register) the
 * command takes the same AccountLease, and every Discord call of the account passes the same
 * FencedSendGate as a worker's (lease proven, spacing kept on Redis's clock). When a worker or
 * another command holds a lease it refuses before anything is opened (AccountLeasedError, naming
 * the holder). The local token lease (MJW_LOCK_DIR) is still taken as well.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { AccountLease } from '../cluster/account-lease.js';
import { AccountLeasedError, ClusterUnavailableError } from '../cluster/errors.js';
import { FencedSendGate } from '../cluster/fenced-send-gate.js';
import { clusterKeys } from '../cluster/keys.js';
import { clusterAccountIdOf } from '../cluster/token-accounts.js';
import { loadClusterConfig } from '../config/cluster.js';
import { redactRedisUrl } from '../config/service.js';

/** The leases a command holds on the cluster's accounts, released together. */
export interface ClusterAccountLeases {
  /** The gate every Discord call of the account (by its local id) must pass. */
  gate(localId: string): FencedSendGate;
  /** Aborts (with the LeaseLostError) when any lease is lost: stop sending. */
  readonly lost: AbortSignal;
  /** The cluster's id of each local account (they differ when the cluster names the token otherwise). */
  readonly clusterIds: ReadonlyMap<string, string>;
  release(): Promise<void>;
}

export interface LeaseClusterAccountsOptions {
  /** Minimum spacing of a token's calls, cluster-wide. Default 350. */
  minSpacingMs?: number;
  /** How long to try to reach Redis before refusing, ms. Default 5,000. */
  connectTimeoutMs?: number;
}

/**
 * Null without `MJW_REDIS_URL`. Otherwise takes every account's lease (all or nothing: on a
 * refusal those taken are released) and throws AccountLeasedError when one is held, or
 * ClusterUnavailableError when Redis cannot be reached (nothing is sent either way).
 */
export async function leaseClusterAccounts(
  env: Readonly<Record<string, string | undefined>>,
  accounts: readonly { id: string; token: string }[],
  options: LeaseClusterAccountsOptions = {},
): Promise<ClusterAccountLeases | null> {
  const cluster = loadClusterConfig(env);
  if (cluster.redisUrl === null || accounts.length === 0) return null;
  const keys = clusterKeys(cluster.redisPrefix);
  const redis = new Redis(cluster.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new ClusterUnavailableError(
      `MJW_REDIS_URL is set but Redis at ${redactRedisUrl(cluster.redisUrl)} cannot be reached, so the cluster's account lease cannot be taken; nothing was sent (unset MJW_REDIS_URL to run outside the cluster)`,
      { cause: error },
    );
  }
  const owner = `cli:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const held = new Map<string, AccountLease>();
  const clusterIds = new Map<string, string>();
  const gates = new Map<string, FencedSendGate>();
  const lost = new AbortController();
  const releaseAll = async (): Promise<void> => {
    await Promise.all([...held.values()].map((lease) => lease.release()));
    await redis.quit().catch(() => redis.disconnect());
  };
  try {
    for (const account of accounts) {
      const clusterId = await clusterAccountIdOf(redis, keys, account.token, account.id);
      const lease = await AccountLease.acquire({
        redis,
        accountId: clusterId,
        owner,
        ttlMs: cluster.accountLeaseTtlMs,
        keys,
      });
      if (lease === null) {
        throw new AccountLeasedError(clusterId, await AccountLease.holderOf(redis, clusterId, keys));
      }
      held.set(account.id, lease);
      clusterIds.set(account.id, clusterId);
      lease.once('lost', (error) => lost.abort(error));
      gates.set(
        account.id,
        new FencedSendGate({
          redis,
          lease,
          keys,
          ...(options.minSpacingMs === undefined ? {} : { minSpacingMs: options.minSpacingMs }),
        }),
      );
    }
  } catch (error) {
    await releaseAll();
    if (error instanceof AccountLeasedError || error instanceof ClusterUnavailableError) throw error;
    throw new ClusterUnavailableError('Could not take the cluster account lease; nothing was sent', {
      cause: error,
    });
  }
  return {
    gate: (localId) => {
      const gate = gates.get(localId);
      if (gate === undefined) throw new Error(`no cluster lease taken for account ${localId}`);
      return gate;
    },
    lost: lost.signal,
    clusterIds,
    release: releaseAll,
  };
}
