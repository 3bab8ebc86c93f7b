/**
 * Deterministic randomness for the bot: a seeded generator so a scenario replays identically,
 * job UUIDs drawn from it, and stable short-link codes.
 */
import { createHash } from 'node:crypto';
import type { Random } from '../../util/clock.js';

/** mulberry32: a tiny, well-mixed 32-bit generator; plenty for simulated choices. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A version-4 UUID (Midjourney's job id format) drawn from `random`. */
export function randomUuid(random: Random): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A stable 11-character base62 code for a URL, like the `s.mj.run` shortener's. */
export function shortCode(url: string): string {
  const digest = createHash('sha256').update(url).digest();
  let out = '';
  for (let i = 0; i < 11; i++) out += BASE62[(digest[i] ?? 0) % 62];
  return out;
}
