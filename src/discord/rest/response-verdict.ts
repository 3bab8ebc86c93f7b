/**
 * What a response means for rate limiting: the pure decision the limiter acts on. Table-tested in
 * test/discord/rest/response-verdict.test.ts.
 * https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
 */
import {
  type HeaderMap,
  parseRateLimitHeaders,
  type RateLimitHeaders,
  type RateLimitScope,
} from './headers.js';

/** What the transport reports back to the limiter once it has a response. */
export interface ResponseInfo {
  status: number;
  /** Lower-case header names (undici's shape). */
  headers: HeaderMap;
  /** The parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body?: unknown;
}

/** Used when a 429 carries neither `retry_after` nor `Retry-After`: wait a second, not zero. */
export const MISSING_RETRY_AFTER_MS = 1_000;

export type ResponseVerdict =
  | { kind: 'ok'; headers: RateLimitHeaders }
  | {
      kind: 'rate-limited';
      headers: RateLimitHeaders;
      scope: RateLimitScope;
      /** The whole token is paused (body `global`, `X-RateLimit-Global` or scope `global`). */
      global: boolean;
      /** A 429 while the bucket still had requests left: a per-route sublimit. */
      sublimit: boolean;
      retryAfterMs: number;
      message: string | undefined;
    }
  | {
      kind: 'cloudflare';
      headers: RateLimitHeaders;
      /** Its `Retry-After` (seconds or HTTP date), in ms. */
      retryAfterMs: number | undefined;
      /** The pause the limiter applied for it (bounded, escalated); set by `permit.complete()`. */
      pauseMs?: number;
    }
  | { kind: 'token-invalid'; headers: RateLimitHeaders };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Classifies a response. `nowMs` (epoch ms) only serves the `X-RateLimit-Reset` fallback. */
export function classifyResponse(response: ResponseInfo, nowMs: number): ResponseVerdict {
  const headers = parseRateLimitHeaders(response.headers, nowMs);
  if (response.status === 401) return { kind: 'token-invalid', headers };
  if (response.status !== 429) return { kind: 'ok', headers };

  const body = response.body;
  // Discord's API always answers a 429 with a JSON body through its Google front end (`Via`);
  // anything else is Cloudflare refusing the IP, and retrying only extends the ban.
  if (!isObject(body) || !headers.via) {
    return { kind: 'cloudflare', headers, retryAfterMs: headers.retryAfterMs };
  }
  const bodyRetry =
    typeof body.retry_after === 'number' && body.retry_after >= 0 ? body.retry_after : undefined;
  // The body's float seconds are precise; the header is rounded up to whole seconds.
  const retryAfterMs =
    bodyRetry !== undefined
      ? bodyRetry * 1000
      : (headers.retryAfterMs ?? headers.resetAfterMs ?? MISSING_RETRY_AFTER_MS);
  const global = body.global === true || headers.global || headers.scope === 'global';
  const scope: RateLimitScope = headers.scope ?? (global ? 'global' : 'user');
  const sublimit = !global && scope !== 'shared' && headers.remaining !== undefined && headers.remaining > 0;
  return {
    kind: 'rate-limited',
    headers,
    scope,
    global,
    sublimit,
    retryAfterMs: Math.ceil(retryAfterMs),
    message: typeof body.message === 'string' ? body.message : undefined,
  };
}

/**
 * Whether a response counts toward Discord's invalid-request limit (10,000 per 10 minutes per IP):
 * 401, 403 and 429, except 429s with scope `shared`, which are the resource's limit, not ours.
 */
export function countsAsInvalid(status: number, verdict: ResponseVerdict): boolean {
  if (status === 401 || status === 403) return true;
  if (status !== 429) return false;
  return !(verdict.kind === 'rate-limited' && verdict.scope === 'shared');
}
