/**
 * API key authentication. Keys are compared as SHA-256 digests with crypto.timingSafeEqual, and
 * every configured key is compared, so neither the length nor the position of a matching key
 * leaks through timing.
 *
 * A key that matched is remembered (the exact string, at most one entry per configured key), and
 * accepted again without hashing: a lookup in that map says nothing about a wrong key (its time
 * depends on the string's hash, not on how much of a valid key it shares), and a wrong key still
 * takes the whole comparison. Only "this key is valid" becomes faster, which the answer says anyway.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKey } from '../../config/service.js';
import { AuthenticationError } from '../errors.js';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The name requests are attributed to when authentication is disabled. */
export const ANONYMOUS_CLIENT = 'anonymous';

/**
 * The key a request presents: `Authorization: Bearer <key>`, `X-API-Key: <key>`, or
 * midjourney-proxy's `mj-api-secret: <key>`.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1]) return match[1];
  }
  for (const name of ['x-api-key', 'mj-api-secret']) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

export class ApiKeyAuthenticator {
  private readonly keys: readonly { name: string; hash: Buffer }[];
  /** Keys presented that matched, by the exact string: the client name. */
  private readonly accepted = new Map<string, string>();

  constructor(
    keys: readonly ApiKey[],
    /** When true every request is accepted as ANONYMOUS_CLIENT (loopback without keys). */
    readonly disabled = false,
  ) {
    this.keys = keys.map((k) => ({ name: k.name, hash: digest(k.key) }));
  }

  /**
   * The client name for the presented key, or undefined without a valid one (never throws): for
   * public routes that show more to an authenticated caller.
   */
  identify(headers: IncomingHttpHeaders): string | undefined {
    try {
      return this.authenticate(headers);
    } catch {
      return undefined;
    }
  }

  /** The client name for the presented key; throws AuthenticationError. */
  authenticate(headers: IncomingHttpHeaders): string {
    if (this.disabled) return ANONYMOUS_CLIENT;
    const key = presentedKey(headers);
    if (key === undefined) {
      throw new AuthenticationError(
        'An API key is required: send "Authorization: Bearer <key>", "X-API-Key: <key>" or "mj-api-secret: <key>"',
      );
    }
    const known = this.accepted.get(key);
    if (known !== undefined) return known;
    const hash = digest(key);
    let match: string | undefined;
    for (const candidate of this.keys) {
      // No early exit: every key is compared whatever matched.
      if (timingSafeEqual(hash, candidate.hash) && match === undefined) match = candidate.name;
    }
    if (match === undefined) throw new AuthenticationError('The API key is not valid');
    // Equal digests: `key` is a configured key, so this map holds at most one entry per key.
    this.accepted.set(key, match);
    return match;
  }
}
