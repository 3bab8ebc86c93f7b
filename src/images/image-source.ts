/**
 * Turns what a caller gives as an image into checked bytes, before anything reaches Discord:
 * a local file path, bytes, a base64 `data:` URL, or an http(s) URL. Every path ends in the same
 * checks: at most `maxBytes`, and the first bytes must say PNG, JPEG, WebP or GIF (sniff.ts).
 *
 * URLs are fetched through a policy (`ImageUrlPolicy`): by default the service's webhook target
 * policy (src/service/webhooks/target-policy.ts), which refuses loopback, private, link-local and
 * other non-public addresses both before the request and at connect time (DNS rebinding). It is
 * loaded with `import()` only when a URL is fetched, so the library's root stays free of the
 * service. Redirects are not followed: a redirect to a private address would skip the check.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Dispatcher, request } from 'undici';
import { anySignal } from '../util/abort.js';
import { ImageInputError } from './errors.js';
import { IMAGE_MIME, type ImageType, sniffImageType } from './sniff.js';

/** An image as a caller may give it. A string is a `data:` URL, an http(s) URL, or a file path. */
export type ImageInput = string | URL | Uint8Array | { bytes: Uint8Array; filename?: string };

/** Which URLs may be fetched. `WebhookTargetPolicy` (the service's) fits. */
export interface ImageUrlPolicy {
  /** Resolves with the URL to fetch, or rejects when it is forbidden. */
  check(url: string): Promise<string>;
  /** A dispatcher whose connections are checked again at connect time. */
  createDispatcher?(): Dispatcher;
}

export interface ImageLoadOptions {
  /** Largest accepted image in bytes. Default 10 MiB (`DEFAULT_IMAGE_MAX_BYTES`). */
  maxBytes?: number;
  /** Which URLs may be fetched. Default: the service's policy, public addresses only. */
  urlPolicy?: ImageUrlPolicy;
  /** Deadline of a URL fetch in ms. Default 15_000. */
  fetchTimeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_FETCH_TIMEOUT_MS = 15_000;

/** A checked image, ready to upload. */
export interface LoadedImage {
  bytes: Buffer;
  type: ImageType;
  mime: string;
  /** The name it is uploaded under (extension from the sniffed type). */
  filename: string;
  /** Where it came from, shortened for messages. */
  source: string;
}

let defaultPolicy: Promise<ImageUrlPolicy> | undefined;

/** The service's target policy, public addresses only; loaded on first use. */
function loadDefaultPolicy(): Promise<ImageUrlPolicy> {
  defaultPolicy ??= import('../service/webhooks/target-policy.js').then(
    ({ WebhookTargetPolicy }) => new WebhookTargetPolicy({ allowPrivate: false }),
  );
  return defaultPolicy;
}

export async function loadImage(input: ImageInput, options: ImageLoadOptions = {}): Promise<LoadedImage> {
  const maxBytes = options.maxBytes ?? DEFAULT_IMAGE_MAX_BYTES;
  if (input instanceof Uint8Array) return checked(Buffer.from(input), 'bytes', 'image', maxBytes);
  if (input instanceof URL) return fetchImage(input.toString(), maxBytes, options);
  if (typeof input === 'object' && input !== null && input.bytes instanceof Uint8Array) {
    const name = input.filename ? stem(input.filename) : 'image';
    return checked(Buffer.from(input.bytes), input.filename ?? 'bytes', name, maxBytes);
  }
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ImageInputError(
      'IMAGE_UNREADABLE',
      String(input),
      'expected a path, a URL, a data: URL or bytes',
    );
  }
  const text = input.trim();
  if (/^data:/i.test(text)) return checked(decodeDataUrl(text, maxBytes), 'data:', 'image', maxBytes);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return fetchImage(text, maxBytes, options);
  return readLocal(text, maxBytes);
}

/** Loads several images; the first refusal rejects (nothing is uploaded before all pass). */
export function loadImages(
  inputs: readonly ImageInput[],
  options: ImageLoadOptions = {},
): Promise<LoadedImage[]> {
  return Promise.all(inputs.map((input) => loadImage(input, options)));
}

function checked(bytes: Buffer, source: string, name: string, maxBytes: number): LoadedImage {
  if (bytes.length > maxBytes) {
    throw new ImageInputError('IMAGE_TOO_LARGE', source, `${bytes.length} bytes, the limit is ${maxBytes}`);
  }
  const type = sniffImageType(bytes);
  if (type === undefined) {
    throw new ImageInputError('IMAGE_NOT_AN_IMAGE', source, 'not a PNG, JPEG, WebP or GIF image');
  }
  const ext = type === 'jpeg' ? 'jpg' : type;
  return { bytes, type, mime: IMAGE_MIME[type], filename: `${safeName(name)}.${ext}`, source };
}

function stem(filename: string): string {
  const base = basename(filename);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Discord keeps the name; keep it short and plain so it survives the CDN path. */
function safeName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64);
  return clean === '' ? 'image' : clean;
}

function decodeDataUrl(text: string, maxBytes: number): Buffer {
  const match = /^data:([^;,]*)(;base64)?,(.*)$/is.exec(text);
  if (!match || match[2] === undefined) {
    throw new ImageInputError(
      'IMAGE_UNREADABLE',
      'data:',
      'expected a base64 data: URL (data:image/png;base64,...)',
    );
  }
  const payload = (match[3] ?? '').replace(/\s+/g, '');
  // Base64 is 4/3 the size: refuse before decoding something far too big.
  if (Math.floor((payload.length * 3) / 4) > maxBytes + 3) {
    throw new ImageInputError(
      'IMAGE_TOO_LARGE',
      'data:',
      `about ${Math.floor((payload.length * 3) / 4)} bytes, the limit is ${maxBytes}`,
    );
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) {
    throw new ImageInputError('IMAGE_UNREADABLE', 'data:', 'the payload is not base64');
  }
  return Buffer.from(payload, 'base64');
}

async function readLocal(path: string, maxBytes: number): Promise<LoadedImage> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ImageInputError('IMAGE_UNREADABLE', path, 'not a file');
    if (info.size > maxBytes) {
      throw new ImageInputError('IMAGE_TOO_LARGE', path, `${info.size} bytes, the limit is ${maxBytes}`);
    }
    return checked(await readFile(path), path, stem(path), maxBytes);
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ImageInputError('IMAGE_UNREADABLE', path, `cannot read it (${code})`, { cause: error });
  }
}

async function fetchImage(raw: string, maxBytes: number, options: ImageLoadOptions): Promise<LoadedImage> {
  const shown = shortUrl(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ImageInputError('IMAGE_URL_FORBIDDEN', shown, 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ImageInputError('IMAGE_URL_FORBIDDEN', shown, `scheme ${url.protocol} is not http or https`);
  }
  const policy = options.urlPolicy ?? (await loadDefaultPolicy());
  let target: string;
  try {
    target = await policy.check(url.toString());
  } catch (error) {
    const reason = (error as { reason?: unknown }).reason;
    throw new ImageInputError(
      'IMAGE_URL_FORBIDDEN',
      shown,
      typeof reason === 'string' ? reason : (error as Error).message,
      { cause: error },
    );
  }
  const dispatcher = policy.createDispatcher?.();
  const timeout = AbortSignal.timeout(options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS);
  try {
    const response = await request(target, {
      method: 'GET',
      headers: { accept: 'image/png,image/jpeg,image/webp,image/gif' },
      signal: anySignal(options.signal, timeout) ?? null,
      ...(dispatcher ? { dispatcher } : {}),
    });
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump().catch(() => undefined);
      throw new ImageInputError('IMAGE_FETCH_FAILED', shown, `answered ${response.statusCode}`, {
        retryable: response.statusCode >= 500,
      });
    }
    const length = Number(response.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(length) && length > maxBytes) {
      await response.body.dump().catch(() => undefined);
      throw new ImageInputError('IMAGE_TOO_LARGE', shown, `${length} bytes, the limit is ${maxBytes}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        response.body.destroy();
        throw new ImageInputError('IMAGE_TOO_LARGE', shown, `more than ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return checked(Buffer.concat(chunks), shown, stem(url.pathname) || 'image', maxBytes);
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    throw new ImageInputError('IMAGE_FETCH_FAILED', shown, (error as Error).message, {
      cause: error,
      retryable: true,
    });
  } finally {
    await dispatcher?.close().catch(() => undefined);
  }
}

function shortUrl(raw: string): string {
  return raw.length > 120 ? `${raw.slice(0, 117)}...` : raw;
}
