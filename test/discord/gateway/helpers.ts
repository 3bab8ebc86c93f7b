import { GatewayClient } from '../../../src/discord/gateway/client.js';
import type { GatewayClientEvents } from '../../../src/discord/gateway/events.js';
import type { GatewayClientInit } from '../../../src/discord/gateway/options.js';
import type { Clock } from '../../../src/util/clock.js';
import { FAKE_TOKEN, type FakeGateway } from './fake-gateway.js';

/**
 * Real time, optionally compressed by `scale` (a 3 000 ms wait takes 30 ms at scale 100), with a
 * record of every wait asked for and a count of waits still pending, so tests can assert both
 * "waited the documented 1-5 s" and "close() left no timer behind".
 */
export class TrackingClock implements Clock {
  readonly sleeps: number[] = [];
  pending = 0;
  constructor(readonly scale = 1) {}

  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    this.pending++;
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.pending--;
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        done();
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          done();
          resolve();
        },
        Math.max(0, ms / this.scale),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A client with short, loopback-sized timings; `random` fixed so jitter is predictable. */
export function makeClient(gateway: FakeGateway, overrides: Partial<GatewayClientInit> = {}): GatewayClient {
  return new GatewayClient({
    url: gateway.url,
    token: FAKE_TOKEN,
    random: () => 0.5,
    reconnect: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 },
    invalidSessionDelayMs: [10, 20],
    connectTimeoutMs: 1_000,
    helloTimeoutMs: 300,
    readyTimeoutMs: 300,
    closeTimeoutMs: 100,
    ...overrides,
  });
}

/** The next emission of `event`, with its arguments; rejects after `timeoutMs`. */
export function nextEvent<K extends keyof GatewayClientEvents>(
  client: GatewayClient,
  event: K,
  timeoutMs = 2_000,
): Promise<GatewayClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`no '${String(event)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: GatewayClientEvents[K]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    // eventemitter3's typings take the listener per event name; the cast keeps this helper generic.
    client.once(event, listener as never);
  });
}
