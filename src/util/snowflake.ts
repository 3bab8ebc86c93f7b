/**
 * Discord snowflakes: 64-bit ids whose top 42 bits are milliseconds since the Discord epoch,
 * so they sort by creation time. https://discord.com/developers/docs/reference#snowflakes
 */
export const DISCORD_EPOCH = 1_420_070_400_000n;

const SNOWFLAKE_PATTERN = /^\d{17,20}$/;

export function isSnowflake(value: string): boolean {
  return SNOWFLAKE_PATTERN.test(value) && BigInt(value) < 1n << 64n;
}

/** The creation time of a snowflake, in ms since the Unix epoch. */
export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Compares two snowflakes numerically: negative, zero or positive. */
export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The smallest snowflake that could have been made at `timestampMs` (for `after=` queries). */
export function snowflakeFromTimestamp(timestampMs: number): string {
  return ((BigInt(Math.floor(timestampMs)) - DISCORD_EPOCH) << 22n).toString();
}

/**
 * Makes strictly increasing snowflakes, the way Discord's workers do: timestamp, worker id,
 * process id and a 12-bit increment that rolls within one millisecond.
 */
export class SnowflakeGenerator {
  private lastMs = -1n;
  private increment = 0n;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly workerId = 1n,
    private readonly processId = 0n,
  ) {}

  next(): string {
    let ms = BigInt(Math.floor(this.now())) - DISCORD_EPOCH;
    if (ms < this.lastMs) ms = this.lastMs;
    if (ms === this.lastMs) {
      this.increment = (this.increment + 1n) & 0xfffn;
      // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an id.
      if (this.increment === 0n) ms += 1n;
    } else {
      this.increment = 0n;
    }
    this.lastMs = ms;
    return ((ms << 22n) | (this.workerId << 17n) | (this.processId << 12n) | this.increment).toString();
  }
}

const defaultGenerator = new SnowflakeGenerator();

/** A fresh snowflake, e.g. for an interaction nonce. */
export function generateSnowflake(): string {
  return defaultGenerator.next();
}
