/**
 * `AccountStateStore`: each account's health, cluster-wide, in Redis. A disabled account (credits
 * exhausted, a 401, an account notice, or an operator's `disable`) must get no more calls from any
 * worker, including one that leases it later: the worker that disables it writes the state here,
 * and every worker reads it before it adds a newly leased account to its pool, then follows it.
 *
 * Rules:
 * - a write by a worker is made under the account's lease and carries its fence: the script
 *   refuses it unless the lease key still holds `<owner>|<fence>` (a worker that lost the lease
 *   can no longer change the account's state);
 * - an operator's write (the API's enable/disable) needs no lease: it is an order, not a finding;
 * - every write increments `rev`, so a holder applies a state it reads only when it is newer than
 *   the last one it wrote or applied (its own write never bounces back as an old read);
 * - the holder also publishes its view of the account (slots busy, jobs today, limiter), fenced,
 *   with the lease TTL as expiry, for `GET /v1/accounts` on any node. Never the token.
 */
import type { Redis } from 'ioredis';
import type { AccountLease } from './account-lease.js';
import { type ClusterKeys, clusterKeys } from './keys.js';

/** An account's health as stored: enabled, or disabled with why and when. */
export interface StoredAccountState {
  state: 'enabled' | 'disabled';
  reason: string | null;
  /** ms since the epoch of the change. */
  at: number;
  message: string | null;
  /** Grows with every write. */
  rev: number;
}

export type AccountStateChange = Omit<StoredAccountState, 'rev'>;

export interface AccountStateStoreOptions {
  redis: Redis;
  keys?: ClusterKeys;
}

// KEYS[1] state, KEYS[2] lease (or none); ARGV[1] `<owner>|<fence>` or '', ARGV[2] the JSON without
// rev. Returns the new rev, or -1 when the lease is not the writer's.
const WRITE_STATE = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local old = redis.call('GET', KEYS[1])
local rev = 1
if old then rev = (cjson.decode(old).rev or 0) + 1 end
local state = cjson.decode(ARGV[2])
state.rev = rev
redis.call('SET', KEYS[1], cjson.encode(state))
return rev`;

// KEYS[1] view, KEYS[2] lease; ARGV[1] `<owner>|<fence>`, ARGV[2] JSON, ARGV[3] ttl ms.
const WRITE_VIEW = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

export class AccountStateStore {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;

  constructor(options: AccountStateStoreOptions) {
    this.redis = options.redis;
    this.keys = options.keys ?? clusterKeys();
  }

  /** Records the deployment's account ids, so API nodes list accounts no worker holds now. */
  async register(accountIds: readonly string[]): Promise<void> {
    if (accountIds.length > 0) await this.redis.sadd(this.keys.accounts(), ...accountIds);
  }

  /** Every registered account id. */
  async ids(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.accounts())).sort();
  }

  /** The stored state, or null when nothing was ever written (enabled as configured). */
  async get(accountId: string): Promise<StoredAccountState | null> {
    return parse<StoredAccountState>(await this.redis.get(this.keys.accountState(accountId)));
  }

  /**
   * Writes the account's state. With `lease`: a worker's finding, refused (null) when the lease
   * is no longer current. Without: an operator's order. Resolves with the new rev.
   */
  async set(accountId: string, change: AccountStateChange, lease?: AccountLease): Promise<number | null> {
    const rev = Number(
      await this.redis.eval(
        WRITE_STATE,
        2,
        this.keys.accountState(accountId),
        this.keys.lease(accountId),
        lease?.holderValue ?? '',
        JSON.stringify(change),
      ),
    );
    return rev < 0 ? null : rev;
  }

  /** Publishes the holder's view of the account (fenced); false when the lease is not current. */
  async publishView(lease: AccountLease, view: object, ttlMs: number): Promise<boolean> {
    const written = await this.redis.eval(
      WRITE_VIEW,
      2,
      this.keys.accountView(lease.accountId),
      this.keys.lease(lease.accountId),
      lease.holderValue,
      JSON.stringify(view),
      ttlMs,
    );
    return Number(written) === 1;
  }

  /** For each id: its stored state, the holder's published view, and who holds the lease. */
  async read<V>(
    accountIds: readonly string[],
  ): Promise<Map<string, { state: StoredAccountState | null; view: V | null; holder: string | null }>> {
    const pipeline = this.redis.pipeline();
    for (const id of accountIds) {
      pipeline.get(this.keys.accountState(id));
      pipeline.get(this.keys.accountView(id));
      pipeline.get(this.keys.lease(id));
    }
    const answers = (await pipeline.exec()) ?? [];
    const result = new Map<
      string,
      { state: StoredAccountState | null; view: V | null; holder: string | null }
    >();
    accountIds.forEach((id, i) => {
      const at = (k: number): string | null => (answers[i * 3 + k]?.[1] as string | null) ?? null;
      const lease = at(2);
      result.set(id, {
        state: parse<StoredAccountState>(at(0)),
        view: parse<V>(at(1)),
        // `<owner>|<fence>`: the owner is the worker id.
        holder: lease === null ? null : lease.slice(0, lease.lastIndexOf('|')),
      });
    });
    return result;
  }
}

function parse<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
