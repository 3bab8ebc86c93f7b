/**
 * The root of every error midjourney-worker throws. Each family (Discord transport, Midjourney
 * outcomes, configuration, batch input, service) extends it with a literal `name` and a stable
 * string `code` that callers switch on; the human summary lives in `message`.
 */
export abstract class WorkerError extends Error {
  /** Stable, machine-readable code such as `RATE_LIMITED` or `QUEUE_FULL`. */
  abstract readonly code: string;
  /** Whether trying the same thing again later can succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }

  /** A plain object for logs and JSON output; never carries secrets. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'cause' && value !== undefined) out[key] = value;
    }
    return out;
  }
}

export function isWorkerError(value: unknown): value is WorkerError {
  return value instanceof WorkerError;
}

/** Raised by the validation helpers when a value from outside (HTTP body, file line) is malformed. */
export class ValidationError extends WorkerError {
  override readonly name = 'ValidationError';
  readonly code = 'VALIDATION_FAILED';
  constructor(
    message: string,
    /** Every problem found, one `field: reason` line each. */
    readonly problems: readonly string[],
  ) {
    super(`${message}:\n  ${problems.join('\n  ')}`);
  }
}
