/**
 * Discord's invalid-request guard: 401, 403 and 429 responses (shared-scope 429s excluded) in a
 * sliding window; reaching the limit earns a Cloudflare ban during which every API request gets
 * Cloudflare's 429. https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
 */
export interface InvalidRequestLimits {
  limit: number;
  /** Real ms. */
  windowMs: number;
  /** Real ms. */
  banMs: number;
}

export class InvalidRequestCounter {
  /** Times (real ms, ascending) of the invalid responses still in the window. */
  private times: number[] = [];
  private bannedUntil = 0;
  /** Every invalid response since start. */
  total = 0;

  constructor(
    private readonly limits: InvalidRequestLimits,
    private readonly now: () => number = Date.now,
  ) {}

  record(): void {
    const now = this.now();
    this.prune(now);
    this.times.push(now);
    this.total += 1;
    if (this.times.length >= this.limits.limit) {
      this.bannedUntil = now + this.limits.banMs;
      this.times = [];
    }
  }

  /** Invalid responses in the current window. */
  count(): number {
    this.prune(this.now());
    return this.times.length;
  }

  /** Real ms left on the ban, 0 when not banned. */
  banRemainingMs(): number {
    return Math.max(0, this.bannedUntil - this.now());
  }

  private prune(now: number): void {
    const cutoff = now - this.limits.windowMs;
    let drop = 0;
    while (drop < this.times.length && (this.times[drop] ?? 0) <= cutoff) drop += 1;
    if (drop > 0) this.times.splice(0, drop);
  }
}
