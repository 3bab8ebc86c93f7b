/**
 * The CDN side: generated images stored by the bot, served under signed, expiring URLs shaped
 * like Discord's (`/attachments/{channel}/{attachment}/{filename}?ex=&is=&hm=`). Discord re-signs
 * URLs each time it serves a message, so stale copies expire while fresh reads keep working.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface AttachmentResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  webp: 'image/webp',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
};

/** `channel/id/file.png`, `/attachments/channel/id/file.png` and full URLs all name the same file. */
export function normalizeAttachmentPath(path: string): string {
  let out = path;
  const schemeEnd = out.indexOf('://');
  if (schemeEnd !== -1) out = out.slice(out.indexOf('/', schemeEnd + 3));
  out = out.split('?')[0] ?? '';
  out = out
    .replace(/^\/+/, '')
    .replace(/^media\//, '')
    .replace(/^attachments\//, '');
  return out;
}

export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

export class AttachmentStore {
  private readonly files = new Map<string, Buffer>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly secret: Buffer,
    /** Real ms a signature stays valid. */
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Files kept; the oldest go first. */
    private readonly maxFiles = Number.POSITIVE_INFINITY,
  ) {}

  store(path: string, bytes: Buffer): void {
    this.files.set(normalizeAttachmentPath(path), bytes);
    // A Map iterates in insertion order: the first key is the oldest file.
    while (this.files.size > this.maxFiles) {
      const oldest = this.files.keys().next().value;
      if (oldest === undefined) break;
      this.files.delete(oldest);
    }
  }

  has(path: string): boolean {
    return this.files.has(normalizeAttachmentPath(path));
  }

  /** A freshly signed URL for `path`. */
  url(path: string): string {
    const clean = normalizeAttachmentPath(path);
    const issued = Math.floor(this.now() / 1000);
    const expires = Math.floor((this.now() + this.ttlMs) / 1000);
    const ex = expires.toString(16);
    const is = issued.toString(16);
    return `${this.baseUrl()}/attachments/${clean}?ex=${ex}&is=${is}&hm=${this.sign(clean, ex, is)}&`;
  }

  /** The media-proxy twin of a URL (Discord's `proxy_url`). */
  proxyUrl(url: string): string {
    return url.replace(`${this.baseUrl()}/attachments/`, `${this.baseUrl()}/media/attachments/`);
  }

  /** Re-signs a URL this store issued; other URLs are returned unchanged. */
  resign(url: string): string {
    if (!url.startsWith(`${this.baseUrl()}/attachments/`)) {
      if (url.startsWith(`${this.baseUrl()}/media/attachments/`)) return this.proxyUrl(this.url(url));
      return url;
    }
    return this.url(url);
  }

  /** Answers a CDN GET like Discord's CDN: unknown 404, bad or expired signature 403. */
  serve(pathname: string, query: URLSearchParams): AttachmentResponse {
    const clean = normalizeAttachmentPath(decodeURIComponent(pathname));
    const bytes = this.files.get(clean);
    const text = (status: number, message: string): AttachmentResponse => ({
      status,
      contentType: 'text/plain; charset=utf-8',
      body: Buffer.from(message),
    });
    if (bytes === undefined) return text(404, 'Not Found');
    const ex = query.get('ex') ?? '';
    const is = query.get('is') ?? '';
    const hm = query.get('hm') ?? '';
    const expected = Buffer.from(this.sign(clean, ex, is));
    const given = Buffer.from(hm);
    const valid = given.length === expected.length && timingSafeEqual(given, expected);
    if (!valid || Number.parseInt(ex, 16) * 1000 <= this.now()) {
      return text(403, 'This content is no longer available.');
    }
    return { status: 200, contentType: contentTypeOf(clean), body: bytes };
  }

  private sign(path: string, ex: string, is: string): string {
    return createHmac('sha256', this.secret).update(`${path}|${ex}|${is}`).digest('hex');
  }
}
