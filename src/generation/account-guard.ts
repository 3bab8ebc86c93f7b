/**
 * Account safety between submissions, all local and off by default beyond Discord's 350 ms floor
 * (which the RestClient's limiter enforces on every call):
 * - a minimum gap with jitter between two job submissions (maintainers of public integrations
 *   advise tens of seconds for accounts that must stay safe);
 * - a daily cap: at most N submissions in any rolling 24 h window;
 * - a halt: after a notice that is fatal for the account (blocked, subscription, ToS, human
 *   check), every later submission is refused at once with the same kind of error, saying why,
 *   instead of hammering an account that needs a person.
 */
import { AccountError, HumanCheckError, type MidjourneyError } from '../midjourney/errors.js';
import { type Clock, jitter, type Random } from '../util/clock.js';
import { DailyCapReachedError } from './errors.js';

export interface AccountGuardOptions {
  clock: Clock;
  random: Random;
  /** Minimum gap between two submissions (ms); 0 disables. */
  submitGapMinMs: number;
  /** Maximum gap (ms); each gap is uniform in [min, max]. */
  submitGapMaxMs: number;
  /** Submissions allowed in any 24 h window; 0 disables. */
  dailyJobCap: number;
  /** Refuse submissions after an account-fatal notice. */
  haltOnAccountNotice: boolean;
}

const DAY_MS = 86_400_000;

export class AccountGuard {
  private turn: Promise<void> = Promise.resolve();
  private lastSubmitAt: number | undefined;
  private nextGapMs = 0;
  private readonly submissions: number[] = [];
  private haltedBy: { error: MidjourneyError; at: number } | undefined;

  constructor(private readonly options: AccountGuardOptions) {}

  /** Throws if nothing may be submitted now (halted, capped). */
  check(prompt: string): void {
    if (this.haltedBy) throw haltedError(this.haltedBy.error, this.haltedBy.at, prompt);
    const cap = this.options.dailyJobCap;
    if (cap > 0) {
      const now = this.options.clock.now();
      while (this.submissions.length > 0 && (this.submissions[0] ?? 0) <= now - DAY_MS)
        this.submissions.shift();
      if (this.submissions.length >= cap) {
        throw new DailyCapReachedError(cap, (this.submissions[0] ?? now) + DAY_MS - now);
      }
    }
  }

  /**
   * Waits for this submission's turn (one at a time, the gap after the previous one), checks
   * again, and counts it. Returns once the caller may send.
   */
  async admit(prompt: string, signal?: AbortSignal): Promise<void> {
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      signal?.throwIfAborted();
      const { clock } = this.options;
      if (this.lastSubmitAt !== undefined) {
        const wait = this.lastSubmitAt + this.nextGapMs - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
      }
      this.check(prompt);
      const now = clock.now();
      this.lastSubmitAt = now;
      this.nextGapMs =
        this.options.submitGapMaxMs > 0
          ? jitter(this.options.submitGapMinMs, this.options.submitGapMaxMs, this.options.random)
          : 0;
      if (this.options.dailyJobCap > 0) this.submissions.push(now);
    } finally {
      release();
    }
  }

  /** Records an outcome; an account-fatal one halts submissions when the option is on. */
  observe(error: unknown): void {
    if (!this.options.haltOnAccountNotice || this.haltedBy) return;
    if (error instanceof AccountError || error instanceof HumanCheckError) {
      this.haltedBy = { error, at: this.options.clock.now() };
    }
  }

  /** The error that halted the account, if any. */
  get halted(): MidjourneyError | undefined {
    return this.haltedBy?.error;
  }

  /** Lifts a halt (after a person fixed the account). */
  resume(): void {
    this.haltedBy = undefined;
  }

  stats(): { submittedToday: number; halted: boolean } {
    return { submittedToday: this.submissions.length, halted: this.haltedBy !== undefined };
  }
}

/** The same kind of error as the one that halted the account, for a new prompt, saying why. */
function haltedError(original: MidjourneyError, at: number, prompt: string): MidjourneyError {
  const message = `Not sent: the account was halted at ${new Date(at).toISOString()} after "${original.message}"; fix the account, then call resumeSubmissions()`;
  const base = { prompt, notice: original.notice, message, cause: original };
  if (original instanceof HumanCheckError)
    return new HumanCheckError({ ...base, customId: original.customId });
  if (original instanceof AccountError) return new AccountError({ ...base, reason: original.reason });
  return original;
}
