/** What every API handler receives. */

import type { SimState } from '../sim-state.js';
import type { SimUser } from '../users.js';
import type { SimResponse } from './discord-errors.js';

export interface HandlerContext {
  state: SimState;
  /** The account the token names. */
  user: SimUser;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body (or multipart `payload_json`); undefined when there is none. */
  body: unknown;
}

export type Handler = (ctx: HandlerContext) => SimResponse | Promise<SimResponse>;

/** Discord parses ids as unsigned 64-bit integers: `0` is a valid `after`, `abc` is not. */
export function isIdLike(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) < 1n << 64n;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
