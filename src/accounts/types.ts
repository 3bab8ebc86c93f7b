/**
 * The shapes of the account pool: what an account brings (its own client: limiter, slots,
 * watcher), how the pool reports it, and the pool's events. Below both the pool and its callers.
 */
import type { CreditsExhaustedPolicy } from '../config/accounts.js';
import type { GenerationStats } from '../generation/client-options.js';
import type { GenerationEvents, GenerationMode, Generator } from '../generation/types.js';
import type { AccountInfo } from '../midjourney/info-answer.js';

/** One account's client: a `Midjourney` (one RateLimiter per token, its own slots and watcher) or a fake. */
export type AccountGenerator = Generator & {
  stats?(): GenerationStats;
  /** Lifts the client's own halt after an account notice (`Midjourney#resumeSubmissions`). */
  resumeSubmissions?(): void;
};

/** An account handed to the pool. */
export interface PoolAccountInit {
  /** A short name (`default`, `a1`); the only thing the pool reports about who ran a job. */
  id: string;
  generator: AccountGenerator;
  /** The channel its jobs run in: `resume` and the buttons go back to the account of the channel. */
  channelId: string;
  guildId?: string | undefined;
  /** Jobs it runs at once. Required; the client's own slots should be the same. */
  slots: number;
  /** The speed the account is set to. Default `fast`. */
  mode?: GenerationMode;
  /** Submissions in any rolling 24 h; 0 = unlimited. Default 0. */
  dailyJobCap?: number;
  /** Default true. */
  enabled?: boolean;
  /**
   * Out of routing from the start, with the reason, time and message recorded elsewhere (a cluster
   * worker taking over an account another worker disabled). Wins over `enabled`.
   */
  disabled?: { reason: string; at: number; message: string | null } | undefined;
  /** On CreditsExhaustedError: `disable` (default) or fall back to relax mode. */
  onCreditsExhausted?: CreditsExhaustedPolicy;
  /** Close the client when the account is removed or the pool closes. Default true. */
  owned?: boolean;
}

/**
 * Why an account is out of routing: `manual` (the API or a caller), an account-level outcome
 * (`credits-exhausted`, `token-invalid`, `human-check`, `appeal-needed`, or the account notice's
 * own reason: `blocked`, `subscription-required`, ...), `config` (`enabled: false`), `removed`.
 */
export type AccountDisabledReason = string;

export type AccountState = 'enabled' | 'disabled';

/** An account as the pool reports it: never the token. */
export interface AccountView {
  id: string;
  state: AccountState;
  /** The mode jobs run in now (`relax` after a credits fallback). */
  mode: GenerationMode;
  /** The mode the account was configured with. */
  configuredMode: GenerationMode;
  disabledReason: AccountDisabledReason | null;
  /** ms since the epoch. */
  disabledAt: number | null;
  /** The message of the error that disabled it, when one did. */
  disabledMessage: string | null;
  channelId: string;
  guildId: string | null;
  slots: { busy: number; total: number };
  /** Submissions in the last 24 h. */
  jobsToday: number;
  dailyJobCap: number;
  /** In a cluster: the worker that drives it now (null: none holds its lease). Absent in one process. */
  heldBy?: string | null;
  /** The account's own RateLimiter, when its client reports one. */
  limiter: {
    requests: number;
    retries: number;
    rateLimited: number;
    queueDepth: number;
    inFlight: number;
  } | null;
}

export type AccountChange = 'added' | 'removed' | 'enabled' | 'disabled' | 'mode';

export interface AccountPoolEvents extends GenerationEvents {
  /** An account was added, removed, enabled, disabled, or fell back to relax mode. */
  account: [view: AccountView, change: AccountChange];
}

/** What the service's account routes need: the pool, or a cluster worker's view of its accounts. */
export interface AccountDirectory {
  accounts(): AccountView[];
  account(id: string): AccountView | undefined;
  /** Throws UnknownAccountError. A cluster's directory answers once the change is stored. */
  enable(id: string): AccountView | Promise<AccountView>;
  /** Throws UnknownAccountError. A cluster's directory answers once the change is stored. */
  disable(id: string, reason?: string): AccountView | Promise<AccountView>;
  /** Jobs waiting for a slot on any account. */
  readonly waiting: number;
  /**
   * Optional: runs Midjourney's `/info` on the account. Undefined when its client cannot (a fake, a
   * cluster directory); throws UnknownAccountError for an unknown id.
   */
  readInfo?(id: string, options?: { signal?: AbortSignal }): Promise<AccountInfo> | undefined;
}
