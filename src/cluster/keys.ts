/**
 * Every Redis key the cluster uses, in one place, under one prefix (default `mjw`), so that two
 * deployments can share a Redis server and a test can use a prefix of its own. Keys of one account
 * share a hash tag (`{account:<id>}`) so the scripts that touch several of them stay valid on a
 * Redis Cluster, where a script may only touch keys of one slot.
 */
export interface ClusterKeys {
  /** The lease of an account: `<owner>|<fence>`, with the lease TTL as the key's expiry. */
  lease(accountId: string): string;
  /** The account's fencing counter: incremented on every acquisition, never reset. */
  fence(accountId: string): string;
  /** When (Redis server time, ms) the account's token last started a Discord call. */
  lastSend(accountId: string): string;
  /**
   * The account's send log: the newest calls' `<owner>|<fence>|<Redis time µs>`, capped (an
   * audit trail: who sent, under which lease, when, on the one clock every worker shares).
   */
  sendLog(accountId: string): string;
  /** The account's health, cluster-wide: JSON `{ state, reason, at, message, rev }` (no TTL). */
  accountState(accountId: string): string;
  /** The holder's latest view of the account (slots, jobs today, limiter): JSON, with the lease TTL. */
  accountView(accountId: string): string;
  /** Every account id workers have registered: a set. */
  accounts(): string;
  /**
   * Which account a token is, cluster-wide: a hash of token fingerprint (a SHA-256 prefix, never
   * the token) to account id, written by workers, so a command given the token under another name
   * still takes that account's lease.
   */
  tokenAccounts(): string;
  /** Live workers: a sorted set of worker ids scored by when (Redis time, ms) their heartbeat expires. */
  workers(): string;
}

export const DEFAULT_KEY_PREFIX = 'mjw';

export function clusterKeys(prefix: string = DEFAULT_KEY_PREFIX): ClusterKeys {
  const tag = (accountId: string): string => `${prefix}:{account:${accountId}}`;
  return {
    lease: (accountId) => `${tag(accountId)}:lease`,
    fence: (accountId) => `${tag(accountId)}:fence`,
    lastSend: (accountId) => `${tag(accountId)}:last-send`,
    sendLog: (accountId) => `${tag(accountId)}:send-log`,
    accountState: (accountId) => `${tag(accountId)}:state`,
    accountView: (accountId) => `${tag(accountId)}:view`,
    accounts: () => `${prefix}:accounts`,
    tokenAccounts: () => `${prefix}:token-accounts`,
    workers: () => `${prefix}:workers`,
  };
}
