/**
 * `LeasedAccounts`: a cluster worker's AccountPool follows the account leases it holds. The
 * AccountBalancer decides which accounts this worker drives; for each lease it acquires, the
 * account joins the pool with its own Discord client whose every call passes a FencedSendGate on
 * that lease (the lease proven and the token's spacing kept in Redis). When a lease ends:
 * - `shed` (rebalancing): the account first drains (`drain`: no new job, those in flight end;
 *   after `drainTimeoutMs` the rest are handed back), then the lease is released;
 * - `lost` (expired, taken over): the account is evicted at once; its jobs in flight are aborted
 *   with a hand-back error (the runner keeps them stored and releases their claims; the new
 *   holder follows them from their tickets). The gate has refused every call since the loss;
 * - `stopped` (SIGTERM): the runner has handed every job back already.
 * Account health is cluster-wide (AccountStateStore): a newly leased account joins disabled when
 * it is disabled in Redis; a local disable or enable is written there under the lease's fence;
 * an operator's change read from Redis is applied to the pool. The holder publishes its view of
 * each account for the API nodes.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AccountPool } from '../../accounts/account-pool.js';
import type { AccountView, PoolAccountInit } from '../../accounts/types.js';
import { AccountBalancer } from '../../cluster/account-balancer.js';
import type { AccountLease } from '../../cluster/account-lease.js';
import { AccountStateStore } from '../../cluster/account-state-store.js';
import { AccountReleasedError } from '../../cluster/errors.js';
import { FencedSendGate } from '../../cluster/fenced-send-gate.js';
import type { ClusterKeys } from '../../cluster/keys.js';
import { registerAccountTokens } from '../../cluster/token-accounts.js';
import type { AccountConfig } from '../../config/accounts.js';
import type { GatewayClient } from '../../discord/gateway/index.js';
import type { RestClient } from '../../discord/rest/index.js';

/** One account's client, opened for a lease: what the pool runs, and what closes it. */
export interface OpenedAccount {
  init: PoolAccountInit;
  rest: RestClient;
  gateway: GatewayClient | undefined;
  close(): Promise<void>;
}

export interface LeasedAccountsOptions {
  redis: Redis;
  keys: ClusterKeys;
  /** This worker's id (the lease owner). */
  owner: string;
  /** Every account of the deployment. */
  accounts: readonly AccountConfig[];
  pool: AccountPool;
  /** Opens the account's client; every Discord call of it must pass `gate`. */
  open: (account: AccountConfig, gate: FencedSendGate) => Promise<OpenedAccount>;
  logger: Logger;
  /** Lease TTL, ms. */
  ttlMs: number;
  /** Between two balancer rounds, ms. Default 2,000. */
  intervalMs?: number;
  /** Between two reads of the accounts' health and publications of their views, ms. Default 1,000. */
  syncMs?: number;
  /** How long a shed account may take to finish its jobs before they are handed back, ms. Default 30,000. */
  drainTimeoutMs?: number;
  /** Minimum spacing of a token's calls, cluster-wide. Default 350. */
  minSpacingMs?: number;
  /** Called whenever the pool's capacity (slots of enabled held accounts) may have changed. */
  onCapacity?: (capacity: number) => void;
}

interface Held {
  lease: AccountLease;
  opened: OpenedAccount;
}

export class LeasedAccounts {
  private readonly options: LeasedAccountsOptions;
  private readonly balancer: AccountBalancer;
  private readonly states: AccountStateStore;
  private readonly held = new Map<string, Held>();
  /** Per account: the last state revision written or applied here. */
  private readonly revs = new Map<string, number>();
  /** Per account: its acquisitions and releases, one after the other. */
  private readonly chains = new Map<string, Promise<void>>();
  /** The transports of held accounts (for the pool's health probe). */
  readonly transports = new Map<string, { rest: RestClient; gateway: GatewayClient | undefined }>();
  private applying = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private readonly detachPool: () => void;

  constructor(options: LeasedAccountsOptions) {
    this.options = options;
    this.states = new AccountStateStore({ redis: options.redis, keys: options.keys });
    this.balancer = new AccountBalancer({
      redis: options.redis,
      workerId: options.owner,
      accountIds: options.accounts.map((a) => a.id),
      ttlMs: options.ttlMs,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      keys: options.keys,
      drain: (id) => this.drain(id),
    });
    this.balancer.on('acquired', (lease) => this.chain(lease.accountId, () => this.take(lease)));
    this.balancer.on('released', (id, reason) => {
      // Synchronously: the account's attempts stop before any refused call can fail a job.
      if (reason === 'lost' && options.pool.has(id)) {
        void options.pool.evict(id, new AccountReleasedError(id, reason)).catch(() => undefined);
      }
      this.chain(id, () => this.let(id, reason));
    });
    this.balancer.on('error', (error) => options.logger.warn({ err: error }, 'account balancer round'));
    const onAccount = (view: AccountView, change: string): void => {
      if (change === 'disabled' || change === 'enabled') void this.record(view);
      this.capacityChanged();
    };
    options.pool.on('account', onAccount);
    this.detachPool = () => options.pool.off('account', onAccount);
  }

  /** The accounts driven here now. */
  get accountIds(): string[] {
    return [...this.held.keys()];
  }

  /** Registers the accounts, runs the first balancer round, then keeps balancing and syncing. */
  async start(): Promise<void> {
    await this.states.register(this.options.accounts.map((a) => a.id));
    await registerAccountTokens(this.options.redis, this.options.keys, this.options.accounts);
    await this.balancer.start();
    await Promise.all(this.chains.values());
    const tick = (): void => {
      this.syncing = this.sync().finally(() => {
        this.syncTimer = setTimeout(tick, this.options.syncMs ?? 1_000);
        this.syncTimer.unref();
      });
    };
    tick();
  }

  /** Hands every account back (the runner has stopped its jobs already) and closes their clients. */
  async stop(): Promise<void> {
    clearTimeout(this.syncTimer);
    await this.syncing;
    await this.balancer.stop();
    await Promise.all(this.chains.values());
    this.detachPool();
  }

  private chain(id: string, step: () => Promise<void>): void {
    const next = (this.chains.get(id) ?? Promise.resolve()).then(step).catch((error: unknown) => {
      this.options.logger.error({ err: error, account: id }, 'account lease change');
    });
    this.chains.set(id, next);
  }

  private async take(lease: AccountLease): Promise<void> {
    const { pool, logger } = this.options;
    const account = this.options.accounts.find((a) => a.id === lease.accountId);
    if (account === undefined || !lease.held) return;
    const stored = await this.states.get(account.id);
    const gate = new FencedSendGate({
      redis: this.options.redis,
      lease,
      keys: this.options.keys,
      ...(this.options.minSpacingMs === undefined ? {} : { minSpacingMs: this.options.minSpacingMs }),
    });
    let opened: OpenedAccount;
    try {
      opened = await this.options.open(account, gate);
    } catch (error) {
      // Let the account go: the balancer forgets the lease in its next round and tries again.
      await lease.release();
      throw error;
    }
    if (!lease.held) {
      await opened.close();
      return;
    }
    this.held.set(account.id, { lease, opened });
    this.transports.set(account.id, { rest: opened.rest, gateway: opened.gateway });
    this.revs.set(account.id, stored?.rev ?? 0);
    this.applying = true;
    try {
      pool.add({
        ...opened.init,
        // The pool closes nothing: the client closes with the lease.
        owned: false,
        ...(stored?.state === 'disabled'
          ? {
              disabled: {
                reason: stored.reason ?? 'manual',
                at: stored.at,
                message: stored.message,
              },
            }
          : {}),
      });
    } finally {
      this.applying = false;
    }
    logger.info(
      { account: account.id, fence: lease.fence, state: stored?.state ?? 'enabled' },
      'account lease taken: driving',
    );
    this.capacityChanged();
  }

  private async let(id: string, reason: 'lost' | 'shed' | 'stopped'): Promise<void> {
    const held = this.held.get(id);
    if (held === undefined) return;
    this.held.delete(id);
    this.transports.delete(id);
    const { pool, logger } = this.options;
    if (pool.has(id)) {
      if (reason === 'shed') await pool.remove(id);
      else await pool.evict(id, new AccountReleasedError(id, reason));
    }
    this.capacityChanged();
    await held.opened.close();
    logger[reason === 'lost' ? 'warn' : 'info']({ account: id, reason }, 'account lease ended');
  }

  /** Before a shed: no new job on the account; those in flight end, or are handed back after the timeout. */
  private async drain(id: string): Promise<void> {
    await this.chains.get(id);
    const { pool } = this.options;
    if (!pool.has(id)) return;
    const removed = pool.remove(id);
    this.capacityChanged();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.drainTimeoutMs ?? 30_000);
      timer.unref();
    });
    if ((await Promise.race([removed, late])) === 'late') {
      await pool.evict(id, new AccountReleasedError(id, 'shed'));
    }
    clearTimeout(timer);
  }

  /** A local enable or disable: written to Redis under the lease's fence. */
  private async record(view: AccountView): Promise<void> {
    if (this.applying) return;
    const held = this.held.get(view.id);
    if (held === undefined) return;
    try {
      const rev = await this.states.set(
        view.id,
        {
          state: view.state,
          reason: view.disabledReason,
          at: view.disabledAt ?? Date.now(),
          message: view.disabledMessage,
        },
        held.lease,
      );
      if (rev !== null) this.revs.set(view.id, Math.max(rev, this.revs.get(view.id) ?? 0));
      this.options.logger.warn(
        { account: view.id, state: view.state, reason: view.disabledReason, stored: rev !== null },
        `account ${view.id} ${view.state}`,
      );
    } catch (error) {
      this.options.logger.error({ err: error, account: view.id }, 'could not store the account state');
    }
  }

  /** Applies newer states from Redis (an operator's order) and publishes this worker's views. */
  private async sync(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    const { pool, owner } = this.options;
    try {
      const read = await this.states.read(ids);
      for (const id of ids) {
        const state = read.get(id)?.state;
        if (state && state.rev > (this.revs.get(id) ?? 0) && pool.has(id)) {
          this.revs.set(id, state.rev);
          this.applying = true;
          try {
            if (state.state === 'disabled') pool.disable(id, state.reason ?? 'manual', state.message);
            else pool.enable(id);
          } finally {
            this.applying = false;
          }
        }
        const held = this.held.get(id);
        const view = pool.account(id);
        if (held && view) {
          await this.states.publishView(held.lease, { ...view, heldBy: owner }, this.options.ttlMs);
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'account state sync');
    }
  }

  private capacityChanged(): void {
    this.options.onCapacity?.(this.options.pool.capacity);
  }
}
