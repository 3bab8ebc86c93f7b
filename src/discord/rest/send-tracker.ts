/**
 * When a request actually leaves. undici publishes `undici:request:create` while it builds a
 * request, synchronously inside `dispatcher.request()`, and `undici:client:sendHeaders` once the
 * request's headers are written to the socket, after any TCP / TLS connect
 * (https://undici.nodejs.org/#/docs/api/DiagnosticsChannel). The limiter spaces requests from that
 * moment (`Permit.awaitSend`): a request that had to open a connection first leaves later than it
 * was granted, and the next one must not reach Discord less than the spacing after it.
 *
 * A dispatcher that publishes nothing (a MockAgent, a custom one) or a request that waits in a busy
 * pool and is built later is simply not tracked: the spacing then counts from the grant, as before.
 */
import { subscribe } from 'node:diagnostics_channel';

export interface SendHooks {
  /** The request was built: it will leave later (called synchronously inside the dispatch). */
  created(): void;
  /** Its headers were written to the socket. */
  sent(): void;
}

let claim: ((request: object) => void) | undefined;
const waiting = new WeakMap<object, () => void>();

function requestOf(message: unknown): object | undefined {
  const request = (message as { request?: unknown } | null)?.request;
  return typeof request === 'object' && request !== null ? request : undefined;
}

subscribe('undici:request:create', (message) => {
  const request = requestOf(message);
  if (request !== undefined) claim?.(request);
});

subscribe('undici:client:sendHeaders', (message) => {
  const request = requestOf(message);
  const onSent = request === undefined ? undefined : waiting.get(request);
  if (request === undefined || onSent === undefined) return;
  waiting.delete(request);
  onSent();
});

/** Runs `dispatch` and tells `hooks` about the first request it builds. */
export function trackSend<T>(dispatch: () => T, hooks: SendHooks): T {
  let claimed = false;
  const previous = claim;
  claim = (request) => {
    if (claimed) return;
    claimed = true;
    waiting.set(request, hooks.sent);
    hooks.created();
  };
  try {
    return dispatch();
  } finally {
    claim = previous;
  }
}
