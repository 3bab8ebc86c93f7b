/**
 * Responses that come from the proxies in front of Discord rather than from Discord itself: no
 * JSON body, no `Via: 1.1 google`. Clients must not mistake them for Discord's own answers.
 */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Cloudflare's rate-limit page (error 1015): the IP is banned; retrying makes it worse. */
export function cloudflare429(retryAfterS: number): RawResponse {
  return {
    status: 429,
    headers: {
      'Content-Type': 'text/html; charset=UTF-8',
      'Retry-After': String(retryAfterS),
      Server: 'cloudflare',
    },
    body:
      '<!DOCTYPE html><html><head><title>Access denied | discord.com used Cloudflare to restrict access</title></head>' +
      '<body><h1>Error 1015</h1><p>You are being rate limited</p></body></html>',
  };
}

const STATUS_TEXT: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A 502/503/504 page from the edge, as seen during Discord incidents. */
export function proxyError(status: 502 | 503 | 504): RawResponse {
  const text = STATUS_TEXT[status] ?? 'Error';
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=UTF-8', Server: 'cloudflare' },
    body: `<html><head><title>${status} ${text}</title></head><body><center><h1>${status} ${text}</h1></center><hr><center>cloudflare</center></body></html>`,
  };
}
