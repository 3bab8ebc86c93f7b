import type { Clock, Random } from '../../util/clock.js';

export interface HeartbeatHooks {
  /** Sends op 1; the client fills in the last sequence number. */
  beat(): void;
  /** No ACK arrived between two beats: the connection is a zombie. Called once, then the loop ends. */
  zombie(): void;
  /** An ACK came back `latencyMs` after the last beat. */
  acked(latencyMs: number): void;
}

/**
 * The heartbeat of one connection. The first beat waits `interval * random()` so a fleet of
 * clients reconnecting together does not beat in step; then one beat per interval. A beat due
 * while the previous one is still unacknowledged means the connection is dead without having
 * closed (a "zombie"), and the client must drop it and resume.
 * https://discord.com/developers/docs/events/gateway#sending-heartbeats
 */
export class Heartbeat {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #hooks: HeartbeatHooks;
  readonly #stop = new AbortController();
  #acknowledged = true;
  #sentAt: number | null = null;

  constructor(clock: Clock, random: Random, hooks: HeartbeatHooks) {
    this.#clock = clock;
    this.#random = random;
    this.#hooks = hooks;
  }

  /** Starts the loop for HELLO's `heartbeat_interval`; it runs until `stop()` or a zombie. */
  start(intervalMs: number): void {
    void this.#run(intervalMs).catch(() => {
      // Only an abort ends the waits early: stop() was called, nothing to report.
    });
  }

  /** Discord asked for a beat (op 1 from the server): send one now, out of schedule. */
  beatNow(): void {
    this.#send();
  }

  /** op 11 arrived. */
  ack(): void {
    this.#acknowledged = true;
    if (this.#sentAt !== null) this.#hooks.acked(this.#clock.now() - this.#sentAt);
    this.#sentAt = null;
  }

  stop(): void {
    this.#stop.abort();
  }

  async #run(intervalMs: number): Promise<void> {
    const signal = this.#stop.signal;
    await this.#clock.sleep(Math.floor(intervalMs * this.#random()), signal);
    for (;;) {
      if (signal.aborted) return;
      if (!this.#acknowledged) {
        this.stop();
        this.#hooks.zombie();
        return;
      }
      this.#send();
      await this.#clock.sleep(intervalMs, signal);
    }
  }

  #send(): void {
    this.#acknowledged = false;
    this.#sentAt = this.#clock.now();
    this.#hooks.beat();
  }
}
