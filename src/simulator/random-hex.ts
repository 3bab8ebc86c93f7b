import type { Random } from '../util/clock.js';

/** `length` lowercase hex digits drawn from `random` (gateway session ids, signing secrets). */
export function randomHex(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}
