/**
 * What a worker does with a job none of its own accounts can take (NoAccountAvailableError: the
 * account it is pinned to — a button job's, whose user alone may press it — is not held here, or
 * every account held here is disabled or in another mode). One process fails such a job at once
 * when no account of its pool can ever take it; a cluster must also ask the other workers'
 * accounts, as Redis knows them. The rule, over the accounts of the deployment that match the
 * job's request (its account, its mode) and that this worker does not hold:
 *  0. every match is held here: this worker's pool has refused it with its own reasons: **fail
 *     now** with that refusal, as one process does;
 *  1. none left that is enabled cluster-wide (unknown, disabled): **fail now** with
 *     NoAccountAvailableError naming why, as one process does;
 *  2. one of them is held by a live worker: **hand back**, that worker takes it from the queue;
 *  3. enabled but no worker holds any of them (every worker that could is gone): **hand back for
 *     a bounded wait** (`waitMs` from the first time this worker saw it unserved), then fail with
 *     NoAccountAvailableError ("no worker drives it") rather than retry every 5 s forever.
 * The cluster's view (states, lease holders) is read from Redis when jobs ask (never in the
 * normal path), in the background so the decision stays synchronous: a view at most two refresh
 * periods old decides; an older one hands the job back, to be judged on a fresh view next time.
 */
import { NoAccountAvailableError } from '../../accounts/errors.js';
import type { AccountStateStore } from '../../cluster/account-state-store.js';
import type { AccountConfig } from '../../config/accounts.js';
import type { GenerationMode } from '../../generation/types.js';
import { backgroundClock, type Clock } from '../../util/clock.js';

/** One account as the cluster knows it. */
export interface ClusterAccountFacts {
  /** Disabled cluster-wide (stored state, or `enabled: false` in the file and never enabled since). */
  disabled: boolean;
  /** Why, when disabled. */
  reason: string | null;
  /** The worker holding its lease, or null. */
  holder: string | null;
}

export type UnservedVerdict =
  | { verdict: 'hand-back' }
  /** Every matching account is held here: the pool's own refusal is the job's outcome. */
  | { verdict: 'refused-here' }
  | { verdict: 'wait' }
  | { verdict: 'fail'; error: NoAccountAvailableError };

export interface UnservedInput {
  request: { account?: string | undefined; mode?: GenerationMode | undefined };
  /** Every account of the deployment. */
  accounts: readonly Pick<AccountConfig, 'id' | 'mode'>[];
  /** Whether this worker holds the account (its pool already answered for it). */
  heldHere: (id: string) => boolean;
  /** The pool's own reasons (`<id>: ...` lines) for the accounts held here. */
  localReasons?: readonly string[];
  cluster: ReadonlyMap<string, ClusterAccountFacts>;
  /** How long this job has been waiting unserved here, ms. */
  waitedMs: number;
  waitMs: number;
}

/** The rule above, as a pure function. */
export function judgeUnserved(input: UnservedInput): UnservedVerdict {
  const { request } = input;
  const wanted = [
    request.account === undefined ? undefined : `account "${request.account}"`,
    request.mode === undefined ? undefined : `mode ${request.mode}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const matching = input.accounts.filter(
    (a) =>
      (request.account === undefined || a.id === request.account) &&
      (request.mode === undefined || a.mode === request.mode),
  );
  const fail = (reasons: string[]): UnservedVerdict => ({
    verdict: 'fail',
    error: new NoAccountAvailableError(wanted || 'any account', reasons, request),
  });
  if (matching.length === 0) {
    return fail(request.account === undefined ? [] : [`${request.account}: not an account of the cluster`]);
  }
  const elsewhere = matching.filter((a) => !input.heldHere(a.id));
  // Only accounts held here could: this worker's pool has answered already, with its own reasons.
  if (elsewhere.length === 0) return { verdict: 'refused-here' };
  const enabled = elsewhere.filter((a) => input.cluster.get(a.id)?.disabled !== true);
  if (enabled.length === 0) {
    return fail(
      matching.map((a) => {
        if (input.heldHere(a.id)) {
          return (
            input.localReasons?.find((line) => line.startsWith(`${a.id}:`)) ??
            `${a.id}: cannot take it (held by this worker)`
          );
        }
        const reason = input.cluster.get(a.id)?.reason;
        return `${a.id}: disabled${reason ? ` (${reason})` : ''}`;
      }),
    );
  }
  if (enabled.some((a) => (input.cluster.get(a.id)?.holder ?? null) !== null))
    return { verdict: 'hand-back' };
  if (input.waitedMs < input.waitMs) return { verdict: 'wait' };
  return fail(
    enabled.map((a) => `${a.id}: no worker drives it (waited ${Math.round(input.waitedMs / 1_000)} s)`),
  );
}

export interface UnservedJobsOptions {
  states: AccountStateStore;
  accounts: readonly AccountConfig[];
  heldHere: (id: string) => boolean;
  /** The bounded wait of rule 3, ms. Default 60,000. */
  waitMs?: number;
  /** How old a read of the cluster's accounts may be before the next one, ms. Default 1,000. */
  refreshMs?: number;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

export class UnservedJobs {
  private readonly options: UnservedJobsOptions;
  private readonly clock: Clock;
  private cluster = new Map<string, ClusterAccountFacts>();
  /** Per job: when this worker first found it unserved (rule 3's wait). */
  private readonly since = new Map<string, number>();
  /** When the view was last read (this process's clock); -Infinity before the first read. */
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private closed = false;

  constructor(options: UnservedJobsOptions) {
    this.options = options;
    this.clock = options.clock ?? backgroundClock;
  }

  /** Reads the cluster's view once (later reads happen only when a job asks, see `decide`). */
  async start(): Promise<void> {
    await this.refresh();
  }

  close(): void {
    this.closed = true;
  }

  /** Reads every account's state and lease holder from Redis. */
  async refresh(): Promise<void> {
    const startedAt = this.clock.now();
    try {
      const read = await this.options.states.read(this.options.accounts.map((a) => a.id));
      const next = new Map<string, ClusterAccountFacts>();
      for (const account of this.options.accounts) {
        const facts = read.get(account.id);
        const stored = facts?.state ?? null;
        next.set(account.id, {
          disabled: stored === null ? !account.enabled : stored.state === 'disabled',
          reason:
            stored?.state === 'disabled'
              ? stored.reason
              : stored === null && !account.enabled
                ? 'manual'
                : null,
          holder: facts?.holder ?? null,
        });
      }
      this.cluster = next;
      this.readAt = startedAt;
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /**
   * For an API node, before queueing a job: the error to fail it with now when no account of the
   * cluster can ever take it (unknown, disabled); else true (queue it). Reads Redis first when the
   * view is older than `refreshMs` (one read at a time, shared by the submissions that wait for it).
   */
  async check(request: NoAccountAvailableError['request']): Promise<true | NoAccountAvailableError> {
    if (this.staleAfterKick() || this.reading !== undefined) await this.reading;
    if (this.clock.now() - this.readAt >= 2 * (this.options.refreshMs ?? 1_000)) return true;
    const verdict = judgeUnserved({
      request,
      accounts: this.options.accounts,
      heldHere: this.options.heldHere,
      cluster: this.cluster,
      waitedMs: 0,
      waitMs: this.options.waitMs ?? 60_000,
    });
    return verdict.verdict === 'fail' ? verdict.error : true;
  }

  /** Starts a read when the view is older than `refreshMs`; true when it is too old to judge by. */
  private staleAfterKick(): boolean {
    const now = this.clock.now();
    const refreshMs = this.options.refreshMs ?? 1_000;
    if (now - this.readAt >= refreshMs && this.reading === undefined && !this.closed) {
      this.reading = this.refresh().finally(() => {
        this.reading = undefined;
      });
    }
    return now - this.readAt >= 2 * refreshMs;
  }

  /**
   * For the runner's `handsBack`: true to hand the job back (another worker can take it, or may
   * soon), or the error to fail it with now.
   */
  decide(error: NoAccountAvailableError, jobId: string): true | NoAccountAvailableError {
    // Read only while jobs ask (nothing in the normal path); a view too old to judge by hands the
    // job back, to be judged on a fresh one when it comes round again.
    if (this.staleAfterKick()) return true;
    const now = this.clock.now();
    const waitMs = this.options.waitMs ?? 60_000;
    // Jobs another worker took meanwhile are never asked about again here: forget them in time.
    for (const [id, at] of this.since) if (now - at > 10 * waitMs) this.since.delete(id);
    const first = this.since.get(jobId) ?? now;
    const verdict = judgeUnserved({
      request: error.request,
      accounts: this.options.accounts,
      heldHere: this.options.heldHere,
      localReasons: error.reasons,
      cluster: this.cluster,
      waitedMs: now - first,
      waitMs,
    });
    if (verdict.verdict === 'wait') {
      this.since.set(jobId, first);
      return true;
    }
    this.since.delete(jobId);
    if (verdict.verdict === 'hand-back') return true;
    return verdict.verdict === 'refused-here' ? error : verdict.error;
  }
}
