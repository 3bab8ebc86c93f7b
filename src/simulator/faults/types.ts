/**
 * Faults the simulated Discord can inject, for tests and the reliability suite. HTTP faults match
 * a route template (`'GET /channels/{channel_id}/messages'`, `'POST /interactions'`, the CDN's
 * `'GET /attachments/{path}'`) or `'*'`, and are consumed one request at a time.
 * The bot's own faults (never answers, out-of-order edits) live in the bot's options.
 */

interface HttpFaultBase {
  /** The route template it applies to, or `'*'` for every request. Default `'*'`. */
  route?: string;
  /** How many requests it hits before it is used up. Default 1; `Infinity` for all. */
  count?: number;
}

/** The socket is destroyed with no response: before the request is processed, or after (the effect happened). */
export interface ResetFault extends HttpFaultBase {
  kind: 'reset';
  /** Default `'before-request'`. `'after-request'` is the dangerous one for `POST /interactions`. */
  when?: 'before-request' | 'after-request';
}

/** A 5xx burst: the request is answered with `status` and not processed. 500 has Discord's JSON body; 502–504 an HTML page from the proxy in front. */
export interface StatusFault extends HttpFaultBase {
  kind: 'status';
  status: 500 | 502 | 503 | 504;
}

/** The response is held for `delayMs` real milliseconds after the request was processed (past a client's timeout). */
export interface DelayFault extends HttpFaultBase {
  kind: 'delay';
  /** Real milliseconds (not scaled: the point is to outlast a client's real timeout). */
  delayMs: number;
}

/** The response body is cut in half: a status that says success with JSON that does not parse. */
export interface MalformedJsonFault extends HttpFaultBase {
  kind: 'malformed-json';
}

/** Cloudflare's own 429 in front of Discord: an HTML page, no `Via` header, no JSON. */
export interface CloudflareFault extends HttpFaultBase {
  kind: 'cloudflare-429';
  /** `Retry-After` seconds. Default 3600. */
  retryAfterS?: number;
}

export type HttpFault = ResetFault | StatusFault | DelayFault | MalformedJsonFault | CloudflareFault;

/** Closes every gateway connection, resumable (close code, session kept) or not (INVALID_SESSION false). */
export interface GatewayDropFault {
  kind: 'gateway-drop';
  /** Default true. */
  resumable?: boolean;
  /** Close code for a resumable drop. Default 4000 (Unknown error); 1001 is also resumable. */
  closeCode?: number;
  /** Fires after this many more dispatches (counted across sessions). Default 0: at the next one. */
  afterDispatches?: number;
}

/** Sends op 7 RECONNECT to every connection. */
export interface GatewayReconnectFault {
  kind: 'gateway-reconnect';
  /** Fires after this many more dispatches. Default 0: at the next one. */
  afterDispatches?: number;
}

/** Swallows heartbeat ACKs (a zombied connection, as a client sees it). */
export interface GatewayNoAckFault {
  kind: 'gateway-no-ack';
  /** Heartbeats left unacknowledged. Default 1; `Infinity` for all. */
  count?: number;
}

export type GatewayFault = GatewayDropFault | GatewayReconnectFault | GatewayNoAckFault;

export type SimFault = HttpFault | GatewayFault;
