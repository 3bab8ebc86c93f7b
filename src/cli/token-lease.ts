/**
 * The token leases as the composition roots take them: only for real tokens (the built-in
 * simulator's token lives in this process alone), in the directory `MJW_LOCK_DIR` names. With an
 * accounts file, one lease per account's token; without, the configured token's. With
 * `MJW_REDIS_URL` set, the cluster's account lease of each token too (src/cli/cluster-lease.ts):
 * every Discord call then passes the cluster's fenced send gate, as a worker's do.
 */

import { AccountLeasedError, ClusterUnavailableError } from '../cluster/errors.js';
import { type AccountConfig, loadAccountsConfig } from '../config/accounts.js';
import type { Config } from '../config/index.js';
import { loadLockConfig } from '../config/lock.js';
import type { SendGate } from '../discord/rest/send-gate.js';
import { LockFileError, TokenInUseError } from '../ownership/errors.js';
import { TokenLease } from '../ownership/token-lease.js';
import { anySignal } from '../util/abort.js';
import { leaseClusterAccounts } from './cluster-lease.js';

/**
 * Takes the lease of the configured token, before any client is opened; null without credentials.
 * Throws TokenInUseError (naming the holder's pid and host) when another process drives it.
 */
export async function leaseConfiguredToken(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): Promise<TokenLease | null> {
  if (config.credentials === null) return null;
  const { lockDir } = loadLockConfig(env);
  return TokenLease.acquire({ token: config.credentials.token, apiBaseUrl: config.apiBaseUrl }, { lockDir });
}

/** The leases of several tokens, held and released together. */
export interface TokenLeases {
  /** Aborts when any of them is lost to a takeover. */
  readonly lost: AbortSignal | undefined;
  /** In a cluster (MJW_REDIS_URL), the gate each account's calls pass (by account id); else undefined. */
  sendGate(accountId: string): SendGate | undefined;
  release(): Promise<void>;
}

/** The configured token, owned: its local lease and, in a cluster, its account lease and gate. */
export interface OwnedToken {
  /** In a cluster, what every Discord call of the client must pass; else undefined. */
  readonly sendGate: SendGate | undefined;
  /** Aborts when a lease is lost. */
  readonly lost: AbortSignal | undefined;
  release(): Promise<void>;
}

/**
 * Takes the configured token's local lease, then (MJW_REDIS_URL set) the cluster's lease of its
 * account: TokenInUseError, AccountLeasedError or ClusterUnavailableError when refused, before any
 * client is opened. Without credentials nothing is taken.
 */
export async function ownConfiguredToken(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): Promise<OwnedToken> {
  const local = await leaseConfiguredToken(config, env);
  if (config.credentials === null) return { sendGate: undefined, lost: undefined, release: async () => {} };
  const { token } = config.credentials;
  try {
    const id = env.MJW_REDIS_URL ? configuredAccountId(config, env, token) : 'default';
    const cluster = await leaseClusterAccounts(env, [{ id, token }], {
      minSpacingMs: config.minRequestSpacingMs,
    });
    return {
      sendGate: cluster?.gate(id),
      lost: anySignal(local?.lost, cluster?.lost),
      release: async () => {
        await cluster?.release();
        await local?.release();
      },
    };
  } catch (error) {
    await local?.release();
    throw error;
  }
}

/** The accounts file's id of the configured token when it lists it, else `default`. */
function configuredAccountId(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  token: string,
): string {
  return loadAccountsConfig(env, config).accounts.find((a) => a.token === token)?.id ?? 'default';
}

/**
 * Takes the lease of every account's token (an accounts file), or of the configured token. All or
 * nothing: when one is refused, those already taken are released and the refusal is thrown.
 */
export async function leaseAccountTokens(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  accounts: readonly AccountConfig[] | undefined,
): Promise<TokenLeases> {
  if (accounts === undefined) {
    const owned = await ownConfiguredToken(config, env);
    return { lost: owned.lost, sendGate: () => owned.sendGate, release: () => owned.release() };
  }
  const { lockDir } = loadLockConfig(env);
  const held: TokenLease[] = [];
  try {
    for (const account of accounts) {
      held.push(
        await TokenLease.acquire({ token: account.token, apiBaseUrl: config.apiBaseUrl }, { lockDir }),
      );
    }
  } catch (error) {
    await Promise.all(held.map((lease) => lease.release()));
    throw error;
  }
  let cluster: Awaited<ReturnType<typeof leaseClusterAccounts>>;
  try {
    cluster = await leaseClusterAccounts(env, accounts, { minSpacingMs: config.minRequestSpacingMs });
  } catch (error) {
    await Promise.all(held.map((lease) => lease.release()));
    throw error;
  }
  return {
    lost: anySignal(cluster?.lost, ...held.map((lease) => lease.lost)),
    sendGate: (accountId) => cluster?.gate(accountId),
    release: async () => {
      await cluster?.release();
      await Promise.all(held.map((lease) => lease.release()));
    },
  };
}

/**
 * Whether `error` is a refusal to own the token (a local driver, a cluster member holding the
 * account's lease, an unusable lock file, an unreachable cluster Redis): reported, exit 1, nothing sent.
 */
export function isOwnershipRefusal(error: unknown): error is Error {
  return (
    error instanceof TokenInUseError ||
    error instanceof LockFileError ||
    error instanceof AccountLeasedError ||
    error instanceof ClusterUnavailableError
  );
}
