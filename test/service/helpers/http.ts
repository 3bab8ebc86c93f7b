/** Small HTTP helpers over real sockets, plus a manual clock. */
import type { Clock } from '../../../src/util/clock.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read loosely in tests.
export type Json = any;

export interface Reply<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

export function client(baseUrl: string, key?: string) {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    ...extra,
  });
  const call = async <T>(method: string, path: string, body?: unknown, extra?: Record<string, string>) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: headers(body === undefined ? extra : { 'content-type': 'application/json', ...extra }),
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: response.status, headers: response.headers, body: parsed as T } satisfies Reply<T>;
  };
  return {
    get: <T = Json>(path: string, extra?: Record<string, string>) => call<T>('GET', path, undefined, extra),
    post: <T = Json>(path: string, body: unknown, extra?: Record<string, string>) =>
      call<T>('POST', path, body, extra),
    patch: <T = Json>(path: string, body: unknown, extra?: Record<string, string>) =>
      call<T>('PATCH', path, body, extra),
    del: <T = Json>(path: string, extra?: Record<string, string>) =>
      call<T>('DELETE', path, undefined, extra),
  };
}

export class ManualClock implements Clock {
  constructor(private current = 1_750_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  sleep(): Promise<void> {
    return Promise.reject(new Error('ManualClock.sleep is not used by the service'));
  }
}

export const KEY_A = 'alice-key-0123456789abcdef';
export const KEY_B = 'bob-key-0123456789abcdef00';
export const API_KEYS = [
  { name: 'alice', key: KEY_A },
  { name: 'bob', key: KEY_B },
];
