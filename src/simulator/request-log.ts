/**
 * Every request the simulator received, in arrival order, for tests to assert what a client sent
 * and when. The token never appears: it is not recorded, and is scrubbed from paths and bodies.
 */
import { redactSecrets } from '../util/logger.js';

export interface RequestLogEntry {
  method: string;
  /** The route template (`GET /channels/{channel_id}/messages`), or the raw path for unknown routes. */
  route: string;
  /** Path and query as received. */
  path: string;
  /** Real epoch ms when the request arrived. */
  time: number;
  /** The status answered; 0 while in flight or when the connection was reset. */
  status: number;
  /** Real ms from arrival to the response (or reset). */
  durationMs?: number;
  /** The fault injected into this request, if any. */
  fault?: string;
  /** Set on 429s: which limit answered. */
  rateLimitScope?: 'user' | 'global' | 'shared' | 'cloudflare';
  /** The user the token named (never the token). */
  userId?: string;
  /** The JSON body of a POST (e.g. the interaction payload). */
  body?: unknown;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  constructor(
    private readonly limit: number,
    private readonly secrets: () => readonly string[],
  ) {}

  /** Records a request as it arrives; the caller fills in the outcome on the returned entry. */
  open(method: string, route: string, path: string, time: number): RequestLogEntry {
    const entry: RequestLogEntry = {
      method,
      route,
      path: redactSecrets(path, this.secrets()),
      time,
      status: 0,
    };
    if (this.limit === 0) return entry;
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  /** A body as it may be recorded: a copy with any token text replaced. */
  scrub(body: unknown): unknown {
    if (body === undefined) return undefined;
    return JSON.parse(redactSecrets(JSON.stringify(body), this.secrets()));
  }

  clear(): void {
    this.entries.splice(0);
  }
}
