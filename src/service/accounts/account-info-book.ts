/**
 * The last `/info` answer of each account, as read by `POST /v1/accounts/:id/info`: plan, mode,
 * fast time left and the time it was read, so the accounts view shows them with their age without
 * asking Midjourney on every look. Kept in this process's memory (a restart, or another node of a
 * cluster, starts without): reading it again is one button away, and costs one command in the
 * account's channel, which is why it is not read on its own.
 */
import type { AccountInfo } from '../../midjourney/info-answer.js';

/** What the accounts view shows of an `/info` answer (never the raw lines: they name the Discord user). */
export interface AccountInfoSummary {
  /** `Pro (Active monthly, renews next on …)`, as shown. */
  plan: string | null;
  /** `Fast`, `Relaxed` or `Turbo`. */
  jobMode: string | null;
  visibility: string | null;
  fastTimeRemaining: { hours: number; totalHours: number; percent: number } | null;
  queuedFast: number | null;
  queuedRelax: number | null;
  running: number | null;
  /** When it was read, ISO 8601. */
  readAt: string;
}

export function summarizeInfo(info: AccountInfo, readAt: number): AccountInfoSummary {
  return {
    plan: info.subscription ?? null,
    jobMode: info.jobMode ?? null,
    visibility: info.visibility ?? null,
    fastTimeRemaining: info.fastTimeRemaining ?? null,
    queuedFast: info.queuedFast ?? null,
    queuedRelax: info.queuedRelax ?? null,
    running: info.running ?? null,
    readAt: new Date(readAt).toISOString(),
  };
}

export class AccountInfoBook {
  private readonly last = new Map<string, AccountInfoSummary>();

  remember(accountId: string, info: AccountInfo, readAt: number): AccountInfoSummary {
    const summary = summarizeInfo(info, readAt);
    this.last.set(accountId, summary);
    return summary;
  }

  get(accountId: string): AccountInfoSummary | null {
    return this.last.get(accountId) ?? null;
  }
}
