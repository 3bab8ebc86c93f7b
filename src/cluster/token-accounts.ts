/**
 * Which account of the cluster a token is. Workers register every account's token fingerprint
 * (a SHA-256 prefix, never the token); a one-shot command that has the token under another name
 * (DISCORD_TOKEN without the accounts file, or a file of its own) resolves it to the cluster's
 * account id, so it takes the same lease and keeps the same spacing as the workers.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';

/** A token's fingerprint: the first 32 hex digits of its SHA-256. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** Records each account's token fingerprint (workers, on start). */
export async function registerAccountTokens(
  redis: Redis,
  keys: ClusterKeys,
  accounts: readonly { id: string; token: string }[],
): Promise<void> {
  if (accounts.length === 0) return;
  await redis.hset(
    keys.tokenAccounts(),
    Object.fromEntries(accounts.map((a) => [tokenFingerprint(a.token), a.id])),
  );
}

/** The cluster's id for `token`, or `fallback` when no worker registered it. */
export async function clusterAccountIdOf(
  redis: Redis,
  keys: ClusterKeys,
  token: string,
  fallback: string,
): Promise<string> {
  return (await redis.hget(keys.tokenAccounts(), tokenFingerprint(token))) ?? fallback;
}
