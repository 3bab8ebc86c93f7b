/**
 * `AccountPool`: several Discord accounts behind the one `Generator` interface the batch runner
 * and the service consume. Each account brings its own client (its own RateLimiter per token, its
 * own slots and channel watcher); the pool only sequences:
 * - routing: a job goes to an enabled account with a free slot, least busy first (routing.ts);
 *   `account` and `mode` in JobOptions narrow the choice; when every slot is busy, jobs wait in
 *   one FIFO queue;
 * - health: an account-level outcome disables the account (or falls back to relax), and a job
 *   refused before it started moves to another account once (outcome-policy.ts);
 * - affinity: a button goes to the account that ran the source job, `resume` to the account whose
 *   channel the ticket names; results and tickets carry `accountId`.
 * Accounts can be added and removed at runtime (a cluster worker drives the accounts it holds).
 *
 * Relax fallback: the pool has no `/relax` command to send, so an account that falls back marks
 * itself `relax` and its `/imagine` prompts get a `--relax` parameter (unless they name a mode).
 *
 * Larger than most files because routing, health and affinity meet here; what it sequences lives
 * apart: the choice in routing.ts, the outcome rule in outcome-policy.ts, the FIFO queue in
 * pool-queue.ts, one account's state in pool-account.ts.
 */
import { EventEmitter } from 'eventemitter3';
import type {
  AccountSettings,
  BlendOptions,
  CommandGenerator,
  CommandOptions,
  DescribeOptions,
  DescribeResult,
  ImageInput,
  SeedResult,
  SettingsChange,
  ShortenResult,
} from '../generation/commands/types.js';
import { GeneratorClosedError } from '../generation/errors.js';
import type {
  ActionOptions,
  GenerationResult,
  Generator,
  JobAction,
  JobOptions,
  SubmissionTicket,
} from '../generation/types.js';
import type { AccountInfo } from '../midjourney/info-answer.js';
import { type Clock, systemClock } from '../util/clock.js';
import { AccountDisabledError, NoAccountAvailableError, UnknownAccountError } from './errors.js';
import { forwardAccountEvents } from './forward-events.js';
import { type AccountEffect, decideOutcome } from './outcome-policy.js';
import { PoolAccount } from './pool-account.js';
import { type PoolCommandOptions, PoolCommands } from './pool-commands.js';
import { PoolQueue } from './pool-queue.js';
import type { RouteRequest } from './routing.js';
import type {
  AccountChange,
  AccountDirectory,
  AccountGenerator,
  AccountPoolEvents,
  AccountView,
  PoolAccountInit,
} from './types.js';

export interface AccountPoolOptions {
  /** The accounts to start with (more with `add`). Default none. */
  accounts?: readonly PoolAccountInit[];
  /** Time for disable stamps and the 24 h submission window. Default the system clock. */
  clock?: Clock;
}

/** How one attempt runs on the account the pool picked. */
type Attempt = (account: PoolAccount, options: JobOptions) => Promise<GenerationResult>;

const MODE_FLAG = /(^|\s)--(fast|relax|turbo)\b/;

export class AccountPool extends EventEmitter<AccountPoolEvents> implements Generator, AccountDirectory {
  private readonly clock: Clock;
  private readonly members = new Map<string, PoolAccount>();
  private readonly commands = new PoolCommands({
    members: () => this.members.values(),
    ownerOf: (source) => this.byChannel(source.channelId, source.accountId),
  });
  private readonly detach = new Map<string, () => void>();
  private readonly queue = new PoolQueue();
  /** Accounts being removed -> their removal (one per account, however often it is asked for). */
  private readonly removals = new Map<string, Promise<void>>();
  /** Accounts being removed -> called once their last job has ended. */
  private readonly drained = new Map<string, () => void>();
  private order = 0;
  private closed = false;

  constructor(options: AccountPoolOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
    for (const account of options.accounts ?? []) this.add(account);
  }

  /** Adds an account; queued jobs may start on it at once. */
  add(init: PoolAccountInit): void {
    if (this.closed) throw new GeneratorClosedError();
    if (this.members.has(init.id)) throw new RangeError(`account ${init.id}: already in the pool`);
    const account = new PoolAccount(init, this.order++, this.clock);
    this.members.set(account.id, account);
    this.detach.set(
      account.id,
      forwardAccountEvents(account.id, account.generator, this, (m) => this.emitDebug(m)),
    );
    this.announce(account, 'added');
    this.pump();
  }

  /**
   * Takes an account out: no new job goes to it; resolves once its jobs have ended (and its
   * client is closed, when the pool owns it).
   */
  remove(id: string): Promise<void> {
    const pending = this.removals.get(id);
    if (pending !== undefined) return pending;
    const account = this.members.get(id);
    if (account === undefined) return Promise.reject(new UnknownAccountError(id));
    const removal = this.removeNow(account).finally(() => this.removals.delete(id));
    this.removals.set(id, removal);
    return removal;
  }

  private async removeNow(account: PoolAccount): Promise<void> {
    const { id } = account;
    account.removing = true;
    this.pump();
    if (account.busy > 0) await new Promise<void>((resolve) => this.drained.set(id, resolve));
    this.members.delete(id);
    this.detach.get(id)?.();
    this.detach.delete(id);
    this.announce(account, 'removed');
    if (account.owned) await account.generator.close();
  }

  /**
   * Takes an account out at once (a cluster worker lost its lease): no new job goes to it, and
   * every attempt running on it is aborted and rejects with `reason`, which the caller treats as
   * "hand the job back" (nothing more is sent on the account; the job stays as stored). Resolves
   * like `remove`.
   */
  async evict(id: string, reason: Error): Promise<void> {
    const account = this.get(id);
    account.removing = true;
    for (const attempt of account.attempts) attempt.abort(reason);
    await this.remove(id);
  }

  /** Whether the pool holds the account (enabled or not). */
  has(id: string): boolean {
    return this.members.has(id);
  }

  /** Puts a disabled account back into routing (and lifts its client's own halt). */
  enable(id: string): AccountView {
    const account = this.get(id);
    if (account.disabled !== undefined) {
      account.disabled = undefined;
      account.generator.resumeSubmissions?.();
      this.announce(account, 'enabled');
      this.pump();
    }
    return account.view();
  }

  /** Takes an account out of routing; its jobs in flight run on. */
  disable(id: string, reason = 'manual', message: string | null = null): AccountView {
    const account = this.get(id);
    if (account.disabled === undefined) {
      account.disabled = { reason, at: this.clock.now(), message };
      this.announce(account, 'disabled');
      this.pump();
    }
    return account.view();
  }

  accounts(): AccountView[] {
    return [...this.members.values()].map((a) => a.view());
  }

  account(id: string): AccountView | undefined {
    return this.members.get(id)?.view();
  }

  /**
   * `/info` on the account `id` when its client runs commands (`Midjourney`), else undefined: the
   * service's accounts view (`info(options)` is the command, on any account).
   */
  readInfo(id: string, options: { signal?: AbortSignal } = {}): Promise<AccountInfo> | undefined {
    const generator = this.get(id).generator as AccountGenerator & Partial<Pick<CommandGenerator, 'info'>>;
    if (typeof generator.info !== 'function') return undefined;
    return generator.info(options);
  }

  /** Slots of enabled accounts: how many jobs the pool can run at once now. */
  get capacity(): number {
    let n = 0;
    for (const a of this.members.values()) if (a.disabled === undefined) n += a.slots;
    return n;
  }

  /** Jobs waiting for a slot on any account. */
  get waiting(): number {
    return this.queue.length;
  }

  imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    const request: RouteRequest = { account: options.account, mode: options.mode };
    return this.route(request, options, false, async (account, opts) => {
      const sent = account.relaxFallback && !MODE_FLAG.test(prompt) ? `${prompt} --relax` : prompt;
      const result = await account.generator.imagine(sent, opts);
      return sent === prompt ? result : { ...result, prompt };
    });
  }

  act(source: GenerationResult, action: JobAction, options: ActionOptions = {}): Promise<GenerationResult> {
    const { prompt, fields, mask } = options;
    const form = {
      ...(prompt !== undefined ? { prompt } : {}),
      ...(fields !== undefined ? { fields } : {}),
      ...(mask !== undefined ? { mask } : {}),
    };
    // Buttons only work for the user who ran the source job: its account, whatever the options say.
    const owner = source.accountId ?? this.byChannel(source.channelId, undefined)?.id;
    if (owner === undefined) {
      return Promise.reject(
        new NoAccountAvailableError(`the account of channel ${source.channelId}`, ['no account runs it'], {
          account: source.accountId,
        }),
      );
    }
    return this.route({ account: owner }, options, true, (account, opts) =>
      account.generator.act(source, action, { ...opts, ...form }),
    );
  }

  /** `/describe` on the account `options.account`, else the least busy one (pool-commands.ts). */
  describe(image: ImageInput, options: PoolCommandOptions & DescribeOptions = {}): Promise<DescribeResult> {
    return this.closedOr(() => this.commands.describe(image, options));
  }

  /** `/blend` on one account; the grid carries its `accountId` (its buttons go back to it). */
  blend(
    images: readonly ImageInput[],
    options: PoolCommandOptions & BlendOptions = {},
  ): Promise<GenerationResult> {
    return this.closedOr(() => this.commands.blend(images, options));
  }

  shorten(prompt: string, options: PoolCommandOptions = {}): Promise<ShortenResult> {
    return this.closedOr(() => this.commands.shorten(prompt, options));
  }

  hostImages(images: readonly ImageInput[], options: PoolCommandOptions = {}): Promise<string[]> {
    return this.closedOr(() => this.commands.hostImages(images, options));
  }

  /** The seed of a result, on the account that ran it. */
  seed(
    source: Pick<GenerationResult, 'messageId' | 'channelId' | 'jobId'> & { accountId?: string },
    options: CommandOptions = {},
  ): Promise<SeedResult> {
    return this.closedOr(() => this.commands.seed(source, options));
  }

  /** `/info` of `options.account` (default the least busy account). */
  info(options: PoolCommandOptions = {}): Promise<AccountInfo> {
    return this.closedOr(() => this.commands.info(options));
  }

  getSettings(options: PoolCommandOptions = {}): Promise<AccountSettings> {
    return this.closedOr(() => this.commands.getSettings(options));
  }

  changeSettings(change: SettingsChange, options: PoolCommandOptions = {}): Promise<AccountSettings> {
    return this.closedOr(() => this.commands.changeSettings(change, options));
  }

  private closedOr<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new GeneratorClosedError());
    try {
      return work();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Follows a ticket on the account whose channel it names; nothing is sent, so it never waits. */
  async resume(ticket: SubmissionTicket, options: JobOptions = {}): Promise<GenerationResult> {
    if (this.closed) throw new GeneratorClosedError();
    const account = this.byChannel(ticket.channelId, ticket.accountId);
    if (account === undefined) {
      throw new NoAccountAvailableError(`the account of channel ${ticket.channelId}`, [
        'no account in the pool watches it',
      ]);
    }
    account.busy += 1;
    const attempt = this.track(account, options.signal);
    try {
      return this.stamp(
        await account.generator.resume(ticket, { ...options, signal: attempt.signal }),
        account,
      );
    } catch (error) {
      throw this.evicted(attempt, options.signal) ?? error;
    } finally {
      attempt.dispose();
      this.release(account);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear(new GeneratorClosedError());
    const accounts = [...this.members.values()];
    await Promise.allSettled(accounts.filter((a) => a.owned).map((a) => a.generator.close()));
    for (const undo of this.detach.values()) undo();
    this.detach.clear();
  }

  /** Runs a job: waits for an account, runs the attempt, applies the outcome, moves it once if allowed. */
  private async route(
    request: RouteRequest,
    options: JobOptions,
    pinned: boolean,
    attempt: Attempt,
  ): Promise<GenerationResult> {
    const exclude: string[] = [];
    let previous: unknown;
    for (;;) {
      let account: PoolAccount;
      try {
        // A moved job goes to the head of the queue: it has waited its turn already.
        account = await this.acquire({ ...request, exclude }, options.signal, previous !== undefined);
      } catch (error) {
        // Nowhere to move the job: its own refusal says more than "no account".
        throw previous !== undefined && error instanceof NoAccountAvailableError ? previous : error;
      }
      let submitted = false;
      const tracked = this.track(account, options.signal);
      const attemptOptions: JobOptions = {
        ...options,
        signal: tracked.signal,
        onSubmit: async (ticket) => {
          // Disabled while this job waited for its turn to send: nothing is sent, it goes elsewhere.
          if (account.disabled !== undefined || account.removing) {
            throw new AccountDisabledError(account.id, account.disabled?.reason ?? 'removed');
          }
          submitted = true;
          account.countSubmission();
          await options.onSubmit?.({ ...ticket, accountId: account.id });
        },
      };
      try {
        return this.stamp(await attempt(account, attemptOptions), account);
      } catch (caught) {
        const error = this.evicted(tracked, options.signal) ?? caught;
        if (error !== caught) throw error;
        if (error instanceof AccountDisabledError && !options.signal?.aborted && !this.closed) {
          // Never sent: routing again is free and does not count as the job's one move.
          if (pinned || request.account !== undefined) throw error;
          exclude.push(account.id);
          continue;
        }
        const e = error as { code?: unknown; reason?: unknown; route?: unknown; retryAfter?: unknown };
        const decision = decideOutcome({
          code: typeof e?.code === 'string' ? e.code : undefined,
          noticeReason: typeof e?.reason === 'string' ? e.reason : undefined,
          route: typeof e?.route === 'string' ? e.route : undefined,
          retryAfterMs: typeof e?.retryAfter === 'number' ? e.retryAfter : undefined,
          submitted,
          moved: previous !== undefined,
          pinned: pinned || request.account !== undefined,
          aborted: options.signal?.aborted === true,
          onCreditsExhausted: account.onCreditsExhausted,
          mode: account.mode,
        });
        this.apply(account, decision.account, error);
        if (!decision.reroute || this.closed) throw error;
        previous = error;
        exclude.push(account.id);
        this.emitDebug(`${account.id}: job refused before it started (${String(e.code)}); moving it once`);
      } finally {
        tracked.dispose();
        this.release(account);
      }
    }
  }

  /** An attempt's own signal: the job's, plus the account's eviction. */
  private track(
    account: PoolAccount,
    signal: AbortSignal | undefined,
  ): { signal: AbortSignal; controller: AbortController; dispose(): void } {
    const controller = new AbortController();
    const follow = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) follow();
    else signal?.addEventListener('abort', follow, { once: true });
    account.attempts.add(controller);
    return {
      signal: controller.signal,
      controller,
      dispose: () => {
        signal?.removeEventListener('abort', follow);
        account.attempts.delete(controller);
      },
    };
  }

  /** The eviction reason when the attempt was stopped by `evict` rather than by the caller. */
  private evicted(attempt: { signal: AbortSignal }, signal: AbortSignal | undefined): unknown {
    return attempt.signal.aborted && !signal?.aborted ? attempt.signal.reason : undefined;
  }

  /** Waits for an account that can take the request; rejects when none ever could. */
  private acquire(
    request: RouteRequest,
    signal: AbortSignal | undefined,
    first: boolean,
  ): Promise<PoolAccount> {
    if (this.closed) return Promise.reject(new GeneratorClosedError());
    const granted = this.queue.enqueue(request, signal, first);
    this.pump();
    return granted;
  }

  private pump(): void {
    this.queue.pump([...this.members.values()]);
  }

  private release(account: PoolAccount): void {
    account.busy -= 1;
    this.pump();
    const drained = account.busy === 0 ? this.drained.get(account.id) : undefined;
    if (drained) {
      this.drained.delete(account.id);
      drained();
    }
  }

  private apply(account: PoolAccount, effect: AccountEffect, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (effect.kind === 'disable') {
      this.disable(account.id, effect.reason, message);
    } else if (effect.kind === 'relax') {
      account.mode = 'relax';
      this.announce(account, 'mode');
      this.pump();
    } else if (effect.kind === 'pause') {
      account.pause(effect.forMs);
      this.pump();
    }
  }

  private stamp(result: GenerationResult, account: PoolAccount): GenerationResult {
    return { ...result, accountId: account.id };
  }

  /** The account of a channel; the named one first when several share it. */
  private byChannel(channelId: string, accountId: string | undefined): PoolAccount | undefined {
    const named = accountId === undefined ? undefined : this.members.get(accountId);
    if (named?.channelId === channelId) return named;
    for (const account of this.members.values()) if (account.channelId === channelId) return account;
    return undefined;
  }

  private get(id: string): PoolAccount {
    const account = this.members.get(id);
    if (account === undefined) throw new UnknownAccountError(id);
    return account;
  }

  private announce(account: PoolAccount, change: AccountChange): void {
    if (this.listenerCount('account') > 0) this.emit('account', account.view(), change);
  }

  private emitDebug(message: string): void {
    if (this.listenerCount('debug') > 0) this.emit('debug', message);
  }
}
