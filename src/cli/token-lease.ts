/**
 * The token leases as the composition roots take them: only for real tokens (the built-in
 * simulator's token lives in this process alone), in the directory `MJW_LOCK_DIR` names. With an
 * accounts file, one lease per account's token; without, the configured token's.
 */
import type { AccountConfig } from '../config/accounts.js';
import type { Config } from '../config/index.js';
import { loadLockConfig } from '../config/lock.js';
import { TokenLease } from '../ownership/token-lease.js';
import { anySignal } from '../util/abort.js';

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
  release(): Promise<void>;
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
    const lease = await leaseConfiguredToken(config, env);
    return { lost: lease?.lost, release: async () => lease?.release() };
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
  return {
    lost: anySignal(...held.map((lease) => lease.lost)),
    release: async () => {
      await Promise.all(held.map((lease) => lease.release()));
    },
  };
}
