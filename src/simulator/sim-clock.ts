/**
 * The simulator's clock: simulated time runs `timeScale` times faster than real time, and every
 * scheduled callback is a real timer whose delay is divided by the scale. Timers are tracked so
 * `cancelAll()` (called by `Simulator.close()`) leaves no handle behind.
 */
import type { SimClock } from './world.js';

export class ScaledClock implements SimClock {
  private readonly origin: number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    /** Simulated ms per real ms; 100 plays a 60 s job in 0.6 s. */
    readonly timeScale: number,
    private readonly realNow: () => number = Date.now,
  ) {
    this.origin = realNow();
  }

  /** Simulated ms since the epoch: starts at the real time and then runs `timeScale` times faster. */
  now(): number {
    return this.origin + (this.realNow() - this.origin) * this.timeScale;
  }

  /** Real milliseconds that `simulatedMs` of simulated time take. */
  toRealMs(simulatedMs: number): number {
    return simulatedMs / this.timeScale;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, this.toRealMs(ms)),
    );
    // The HTTP server keeps a standalone simulator alive; timers alone must not.
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Timers scheduled and not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
