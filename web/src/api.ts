/**
 * Calls to the service's /v1 API with the key the person typed in (sent as a Bearer header, never
 * in a URL), and its error envelope `{error: {name, code, message}}` as a typed ApiError.
 */
import { SseParser } from './sse-parser.js';

const KEY_ITEM = 'mjw.apiKey';

/** The key lives in this tab's sessionStorage only: closing the tab forgets it. */
export const keyStore = {
  get: (): string | null => sessionStorage.getItem(KEY_ITEM),
  set: (key: string): void => sessionStorage.setItem(KEY_ITEM, key),
  clear: (): void => sessionStorage.removeItem(KEY_ITEM),
};

export class ApiError extends Error {
  override readonly name: string;
  constructor(
    readonly status: number,
    name: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** The typed error of an answer body, or a generic one naming the status. */
export function errorOf(status: number, body: unknown): ApiError {
  const error = (body as { error?: { name?: unknown; code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error.name === 'string' && typeof error.message === 'string') {
    return new ApiError(status, error.name, typeof error.code === 'string' ? error.code : '', error.message);
  }
  return new ApiError(status, 'HttpError', `HTTP_${status}`, `The service answered ${status}`);
}

function headers(key: string | null, json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (json) h['content-type'] = 'application/json';
  // '' stands for a service without keys (loopback only): nothing to send.
  if (key !== null && key !== '') h.authorization = `Bearer ${key}`;
  return h;
}

export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown; key?: string | null } = {},
): Promise<T> {
  const key = options.key === undefined ? keyStore.get() : options.key;
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers: headers(key, options.body !== undefined),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    cache: 'no-store',
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) throw errorOf(response.status, body);
  return body as T;
}

/**
 * Follows a Server-Sent Events route until `signal` aborts, reconnecting after a drop (the
 * server's `retry` hint, 3 s). `onOpen` runs on each (re)connection, so the caller can reload
 * what it may have missed.
 */
export async function follow(
  path: string,
  onEvent: (event: string, data: unknown) => void,
  signal: AbortSignal,
  onOpen: () => void = () => {},
  onError: (error: ApiError) => void = () => {},
  onDrop: () => void = () => {},
): Promise<void> {
  while (!signal.aborted) {
    try {
      const response = await fetch(path, {
        headers: headers(keyStore.get(), false),
        signal,
        cache: 'no-store',
      });
      if (!response.ok || response.body === null) {
        const error = errorOf(response.status, await response.json().catch(() => null));
        onError(error);
        if (response.status === 401 || response.status === 404) return;
      } else {
        onOpen();
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const e of parser.push(value)) {
            try {
              onEvent(e.event, JSON.parse(e.data));
            } catch {
              // A line that is not JSON is not ours to show.
            }
          }
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    onDrop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
}
