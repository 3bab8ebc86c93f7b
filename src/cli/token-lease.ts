/**
 * The token lease as the composition roots take it: only when a real token is configured (the
 * built-in simulator's token lives in this process alone), in the directory `MJW_LOCK_DIR` names.
 */
import type { Config } from '../config/index.js';
import { loadLockConfig } from '../config/lock.js';
import { TokenLease } from '../ownership/token-lease.js';

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
