/**
 * The limiter's circuit breakers: conditions under which nothing at all may be sent, because
 * sending would only make things worse. A 401 (the token is bad: every request would be another
 * invalid one), a Cloudflare 429 (the IP is being refused: retries extend the ban), and the
 * invalid-request budget (Discord bans an IP for 24 h after 10,000 401/403/429s in 10 minutes).
 * https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
 */
import { CloudflareBan, type CloudflareBanOptions, type CloudflareBanSnapshot } from './cloudflare-ban.js';
import { CloudflareBanError, InvalidRequestLimitError, TokenInvalidError } from './errors.js';
import type { InvalidRequestWarningEvent } from './rate-limiter-types.js';
import { countsAsInvalid, type ResponseVerdict } from './response-verdict.js';
import type { Route } from './routes.js';
import { TimestampWindow } from './timestamp-window.js';

export interface SendGuardOptions extends CloudflareBanOptions {
  invalidRequestThreshold: number;
  invalidRequestWindowMs: number;
}

export class SendGuards {
  private tokenInvalid = false;
  private readonly cloudflare: CloudflareBan;
  private readonly invalid: TimestampWindow;
  private warned = false;

  constructor(
    private readonly options: SendGuardOptions,
    /** Called once each time the invalid count reaches half the threshold. */
    private readonly onWarning: (event: InvalidRequestWarningEvent) => void,
  ) {
    this.invalid = new TimestampWindow(options.invalidRequestWindowMs);
    this.cloudflare = new CloudflareBan(options);
  }

  /** The error to fail a request for `route` with, or undefined when sending is allowed. */
  refusal(route: Route, now: number): Error | undefined {
    if (this.tokenInvalid) return new TokenInvalidError(route.path);
    if (this.cloudflare.active(now))
      return new CloudflareBanError(route.path, this.cloudflare.remaining(now));
    const count = this.invalid.count(now);
    if (count >= this.options.invalidRequestThreshold) {
      return new InvalidRequestLimitError(
        route.path,
        count,
        this.options.invalidRequestThreshold,
        this.invalidReopensIn(now),
      );
    }
    return undefined;
  }

  blocked(now: number): boolean {
    return (
      this.tokenInvalid ||
      this.cloudflare.active(now) ||
      this.invalid.count(now) >= this.options.invalidRequestThreshold
    );
  }

  /**
   * Learns from a response. Returns the pause applied (ms from now), when the response was
   * Cloudflare's 429: its Retry-After within bounds, escalated on repeats (see cloudflare-ban.ts).
   */
  record(status: number, verdict: ResponseVerdict, now: number): number | undefined {
    if (countsAsInvalid(status, verdict)) this.countInvalid(now);
    if (verdict.kind === 'token-invalid') this.tokenInvalid = true;
    if (verdict.kind !== 'cloudflare') return undefined;
    return this.cloudflare.record(verdict.retryAfterMs, now);
  }

  snapshot(now: number): {
    tokenInvalid: boolean;
    cloudflareForMs: number;
    cloudflare: CloudflareBanSnapshot;
    invalidRequestsForMs: number;
    invalidRequestsInWindow: number;
  } {
    const count = this.invalid.count(now);
    return {
      tokenInvalid: this.tokenInvalid,
      cloudflareForMs: this.cloudflare.remaining(now),
      cloudflare: this.cloudflare.snapshot(now),
      invalidRequestsForMs: count >= this.options.invalidRequestThreshold ? this.invalidReopensIn(now) : 0,
      invalidRequestsInWindow: count,
    };
  }

  private invalidReopensIn(now: number): number {
    return Math.max(0, (this.invalid.nextExpiry(now) ?? now) - now);
  }

  private countInvalid(now: number): void {
    this.invalid.record(now);
    const count = this.invalid.count(now);
    const threshold = this.options.invalidRequestThreshold;
    if (count * 2 >= threshold && !this.warned) {
      this.warned = true;
      this.onWarning({ count, threshold, windowMs: this.options.invalidRequestWindowMs });
    } else if (count * 2 < threshold) {
      this.warned = false;
    }
  }
}
