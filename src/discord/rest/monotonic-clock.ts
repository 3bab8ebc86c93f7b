import { type Clock, sleep } from '../../util/clock.js';

/**
 * The limiter's default clock: sub-millisecond and monotonic. `Date.now()` has whole-millisecond
 * steps (two readings 350 apart can be 349.x ms apart in truth) and jumps when NTP corrects the
 * wall clock; neither is acceptable for a 350 ms floor. Still epoch-based, as Clock promises.
 * vitest's default fake timers fake `performance` too, so fake-time tests drive it like Date.
 */
export const monotonicClock: Clock = Object.freeze({
  now: () => performance.timeOrigin + performance.now(),
  sleep,
});
