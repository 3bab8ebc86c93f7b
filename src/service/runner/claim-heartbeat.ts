/**
 * The runner's claim heartbeat: calls `beat` every `intervalMs` on an unref'd timer (it never
 * keeps the process alive on its own), one beat at a time; a beat that throws is logged and the
 * next one runs as usual.
 */
import type { Logger } from 'pino';

export class ClaimHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly beat: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Starts the timer if it is not running. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.now(), this.intervalMs);
    this.timer.unref();
  }

  /** Beats now (or joins the beat in progress). */
  now(): Promise<void> {
    this.running ??= this.beat()
      .catch((error: unknown) => this.logger.error({ err: error }, 'job claim heartbeat failed'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops the timer and waits for a beat in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
