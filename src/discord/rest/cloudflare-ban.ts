/**
 * How long a Cloudflare 429 (no Discord JSON body, or no `Via` header) stops every request. Such
 * a refusal is Cloudflare limiting this IP, usually after too many invalid requests; its
 * `Retry-After` (seconds or an HTTP date) says when it lifts. We honour it within bounds
 * (`cloudflareMinCooldownMs`..`cloudflareCooldownMs`), take `cloudflareDefaultCooldownMs` when it
 * is absent, and double the pause for each ban that follows the previous one's end within
 * `cloudflareEscalationWindowMs`: a ban that keeps coming back means we are still too loud.
 * 429s that arrive while a pause is in force (requests that were already in flight) extend it to
 * their own end if later, but do not count as another ban.
 * https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
 */

export interface CloudflareBanOptions {
  /** Never pause for less (ms). */
  cloudflareMinCooldownMs: number;
  /** The pause when the 429 has no usable `Retry-After` (ms). */
  cloudflareDefaultCooldownMs: number;
  /** Never pause for longer, escalation included (ms). */
  cloudflareCooldownMs: number;
  /** A ban starting within this long after the previous one ended counts as a repeat (ms). */
  cloudflareEscalationWindowMs: number;
}

/** The pause for one ban: `Retry-After` (or the default) within bounds, doubled per repeat, capped. */
export function cloudflarePauseMs(
  retryAfterMs: number | undefined,
  consecutive: number,
  options: CloudflareBanOptions,
): number {
  const min = Math.min(options.cloudflareMinCooldownMs, options.cloudflareCooldownMs);
  const asked = retryAfterMs ?? options.cloudflareDefaultCooldownMs;
  const base = Math.min(options.cloudflareCooldownMs, Math.max(min, asked));
  const factor = 2 ** Math.min(30, Math.max(0, consecutive - 1));
  return Math.min(options.cloudflareCooldownMs, base * factor);
}

export interface CloudflareBanSnapshot {
  /** When the current pause ends (clock ms, epoch-based); null when none is in force. */
  bannedUntil: number | null;
  /** Bans in a row, each within the escalation window of the previous one's end; 0 once it passed. */
  consecutive: number;
  /** `Retry-After` of the latest Cloudflare 429, in ms as sent; null when it had none (or none came). */
  lastRetryAfterMs: number | null;
  /** The pause applied for the latest ban, after bounds and escalation (ms); null when none came. */
  lastPauseMs: number | null;
}

export class CloudflareBan {
  private until = 0;
  private consecutive = 0;
  private lastRetryAfterMs: number | null = null;
  private lastPauseMs: number | null = null;

  constructor(private readonly options: CloudflareBanOptions) {}

  active(now: number): boolean {
    return this.until > now;
  }

  /** Ms left of the pause; 0 when none. */
  remaining(now: number): number {
    return Math.max(0, this.until - now);
  }

  /** A Cloudflare 429 arrived: returns the pause it causes from `now` (ms). */
  record(retryAfterMs: number | undefined, now: number): number {
    this.lastRetryAfterMs = retryAfterMs ?? null;
    if (this.until > now) {
      // Sent before the ban began: the same ban, answered again.
      const pause = cloudflarePauseMs(retryAfterMs, this.consecutive, this.options);
      this.until = Math.max(this.until, now + pause);
      return this.until - now;
    }
    const repeat = this.consecutive > 0 && now - this.until <= this.options.cloudflareEscalationWindowMs;
    this.consecutive = repeat ? this.consecutive + 1 : 1;
    const pause = cloudflarePauseMs(retryAfterMs, this.consecutive, this.options);
    this.until = now + pause;
    this.lastPauseMs = pause;
    return pause;
  }

  snapshot(now: number): CloudflareBanSnapshot {
    const quiet = this.until <= now && now - this.until > this.options.cloudflareEscalationWindowMs;
    return {
      bannedUntil: this.until > now ? this.until : null,
      consecutive: quiet ? 0 : this.consecutive,
      lastRetryAfterMs: this.lastRetryAfterMs,
      lastPauseMs: this.lastPauseMs,
    };
  }
}
