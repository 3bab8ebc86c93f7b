/**
 * `ClusterAccountDirectory`: the accounts as an API node sees them, cluster-wide, from Redis (the
 * AccountStateStore): every registered account's health, the view its holder published (slots
 * busy, jobs today, limiter) and which worker holds it. Reads come from a snapshot refreshed every
 * `refreshMs` (the routes and /metrics read synchronously); `enable` and `disable` are an
 * operator's orders, stored in Redis before they answer, and the holder applies them within a
 * second. Never a token: the views hold none.
 */
import { UnknownAccountError } from '../../accounts/errors.js';
import type { AccountDirectory, AccountView } from '../../accounts/types.js';
import type { AccountStateStore, StoredAccountState } from '../../cluster/account-state-store.js';
import type { AccountConfig } from '../../config/accounts.js';

export interface ClusterAccountDirectoryOptions {
  states: AccountStateStore;
  /** The deployment's accounts, when this node reads the accounts file too (for accounts nobody drives yet). */
  configured?: readonly AccountConfig[];
  /** Jobs waiting for a worker (the queue's waiting count). */
  waiting?: () => Promise<number>;
  /** Between two refreshes, ms. Default 1,000. */
  refreshMs?: number;
  onError?: (error: unknown) => void;
}

export class ClusterAccountDirectory implements AccountDirectory {
  private readonly options: ClusterAccountDirectoryOptions;
  private views = new Map<string, AccountView>();
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ClusterAccountDirectoryOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.refreshMs ?? 1_000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  get waiting(): number {
    return this.queued;
  }

  accounts(): AccountView[] {
    return [...this.views.values()];
  }

  account(id: string): AccountView | undefined {
    return this.views.get(id);
  }

  enable(id: string): Promise<AccountView> {
    return this.order(id, { state: 'enabled', reason: null, at: Date.now(), message: null });
  }

  disable(id: string, reason = 'manual'): Promise<AccountView> {
    return this.order(id, { state: 'disabled', reason, at: Date.now(), message: null });
  }

  /** Reads every account's state, view and holder from Redis. */
  async refresh(): Promise<void> {
    const configured = this.options.configured ?? [];
    const ids = [...new Set([...configured.map((a) => a.id), ...(await this.options.states.ids())])].sort();
    const read = await this.options.states.read<AccountView>(ids);
    const views = new Map<string, AccountView>();
    for (const id of ids) {
      const entry = read.get(id);
      const base =
        entry?.view ??
        idleView(
          id,
          configured.find((a) => a.id === id),
        );
      views.set(id, withState({ ...base, heldBy: entry?.holder ?? null }, entry?.state ?? null));
    }
    this.views = views;
    if (this.options.waiting) this.queued = await this.options.waiting();
  }

  private async order(id: string, change: Omit<StoredAccountState, 'rev'>): Promise<AccountView> {
    const view = this.views.get(id);
    if (view === undefined) throw new UnknownAccountError(id);
    await this.options.states.set(id, change);
    const stored = await this.options.states.get(id);
    const updated = withState(view, stored);
    this.views.set(id, updated);
    return updated;
  }
}

/** Redis's health wins over the holder's view: it is what every worker obeys. */
function withState(view: AccountView, state: StoredAccountState | null): AccountView {
  if (state === null) return view;
  const disabled = state.state === 'disabled';
  return {
    ...view,
    state: state.state,
    disabledReason: disabled ? state.reason : null,
    disabledAt: disabled ? state.at : null,
    disabledMessage: disabled ? state.message : null,
  };
}

/** An account no worker drives now: what the configuration says. */
function idleView(id: string, account: AccountConfig | undefined): AccountView {
  const disabled = account?.enabled === false;
  return {
    id,
    state: disabled ? 'disabled' : 'enabled',
    mode: account?.mode ?? 'fast',
    configuredMode: account?.mode ?? 'fast',
    disabledReason: disabled ? 'config' : null,
    disabledAt: null,
    disabledMessage: null,
    channelId: account?.channelId ?? '',
    guildId: account?.guildId ?? null,
    slots: { busy: 0, total: account?.slots ?? 0 },
    jobsToday: 0,
    dailyJobCap: account?.dailyJobCap ?? 0,
    limiter: null,
  };
}
