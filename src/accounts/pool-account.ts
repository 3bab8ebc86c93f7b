/**
 * One account inside the pool: its client, the jobs it runs now, its health (enabled, or
 * disabled with a reason and a time), its mode (relax after a credits fallback) and its
 * submissions of the last 24 h. State only; the pool decides.
 */
import type { CreditsExhaustedPolicy } from '../config/accounts.js';
import type { GenerationMode } from '../generation/types.js';
import type { Clock } from '../util/clock.js';
import type { AccountSnapshot } from './routing.js';
import type { AccountGenerator, AccountView, PoolAccountInit } from './types.js';

const DAY_MS = 86_400_000;

export class PoolAccount {
  readonly id: string;
  readonly generator: AccountGenerator;
  readonly channelId: string;
  readonly guildId: string | undefined;
  readonly slots: number;
  readonly configuredMode: GenerationMode;
  readonly dailyJobCap: number;
  readonly onCreditsExhausted: CreditsExhaustedPolicy;
  readonly owned: boolean;
  mode: GenerationMode;
  busy = 0;
  /** Being taken out of the pool: no new job. */
  removing = false;
  /** The attempts running on it now: aborted with the reason when the account is evicted. */
  readonly attempts = new Set<AbortController>();
  disabled: { reason: string; at: number; message: string | null } | undefined;
  private pausedUntil = 0;
  private readonly submissions: number[] = [];

  constructor(
    init: PoolAccountInit,
    readonly order: number,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(init.slots) || init.slots < 1) {
      throw new RangeError(`account ${init.id}: slots: expected an integer >= 1, got ${String(init.slots)}`);
    }
    this.id = init.id;
    this.generator = init.generator;
    this.channelId = init.channelId;
    this.guildId = init.guildId;
    this.slots = init.slots;
    this.configuredMode = init.mode ?? 'fast';
    this.mode = this.configuredMode;
    this.dailyJobCap = init.dailyJobCap ?? 0;
    this.onCreditsExhausted = init.onCreditsExhausted ?? 'disable';
    this.owned = init.owned ?? true;
    if (init.enabled === false) this.disabled = { reason: 'config', at: clock.now(), message: null };
    if (init.disabled !== undefined) this.disabled = { ...init.disabled };
  }

  /** The account runs in relax mode because its fast hours ran out, not by configuration. */
  get relaxFallback(): boolean {
    return this.mode === 'relax' && this.configuredMode !== 'relax';
  }

  countSubmission(): void {
    this.submissions.push(this.clock.now());
  }

  pause(forMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + forMs);
  }

  jobsToday(): number {
    const since = this.clock.now() - DAY_MS;
    while (this.submissions.length > 0 && (this.submissions[0] ?? 0) <= since) this.submissions.shift();
    return this.submissions.length;
  }

  capped(): boolean {
    if (this.pausedUntil > this.clock.now()) return true;
    return this.dailyJobCap > 0 && this.jobsToday() >= this.dailyJobCap;
  }

  snapshot(): AccountSnapshot {
    return {
      id: this.id,
      enabled: this.disabled === undefined && !this.removing,
      capped: this.capped(),
      mode: this.mode,
      busy: this.busy,
      slots: this.slots,
      order: this.order,
    };
  }

  view(): AccountView {
    const limiter = this.generator.stats?.().limiter;
    return {
      id: this.id,
      state: this.disabled === undefined ? 'enabled' : 'disabled',
      mode: this.mode,
      configuredMode: this.configuredMode,
      disabledReason: this.disabled?.reason ?? null,
      disabledAt: this.disabled?.at ?? null,
      disabledMessage: this.disabled?.message ?? null,
      channelId: this.channelId,
      guildId: this.guildId ?? null,
      slots: { busy: this.busy, total: this.slots },
      jobsToday: this.jobsToday(),
      dailyJobCap: this.dailyJobCap,
      limiter: limiter
        ? {
            requests: limiter.totals.requests,
            retries: limiter.totals.retries,
            rateLimited: Object.values(limiter.totals.rateLimited).reduce((sum, n) => sum + n, 0),
            queueDepth: limiter.queueDepth,
            inFlight: limiter.inFlight,
          }
        : null,
    };
  }
}
