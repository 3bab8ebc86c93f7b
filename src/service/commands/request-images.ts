/**
 * Images as HTTP clients send them to the service: a `data:` URL, raw base64 (midjourney-proxy's
 * `base64` / `base64Array` fields carry either), or an http(s) URL. Never a file path: a request
 * must not read the server's disk. Each is loaded and checked here, with the service's own
 * webhook target policy for URLs (so `MJW_WEBHOOK_ALLOW_PRIVATE` decides for both), before the
 * generator sees plain bytes.
 */
import type { ImageInputError } from '../../images/errors.js';
import { ImageInputError as ImageError } from '../../images/errors.js';
import { type LoadedImage, loadImages } from '../../images/image-source.js';
import type { ServiceContext } from '../context.js';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The service's reading of one image string; throws ImageInputError for anything else. */
export function toImageInput(text: string, field: string): string {
  const value = text.trim();
  if (/^data:/i.test(value) || /^https?:\/\//i.test(value)) return value;
  const compact = value.replace(/\s+/g, '');
  if (compact.length > 0 && BASE64.test(compact)) return `data:application/octet-stream;base64,${compact}`;
  throw new ImageError(
    'IMAGE_UNREADABLE',
    field,
    'expected a data: URL, base64 or an http(s) URL',
  ) as ImageInputError;
}

/** Loads and checks every image (all or nothing), as `{bytes, filename}` for the generator. */
export async function loadRequestImages(
  ctx: ServiceContext,
  images: readonly string[],
  field: string,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; filename: string }[]> {
  const inputs = images.map((image, i) => toImageInput(image, images.length > 1 ? `${field}[${i}]` : field));
  const loaded: LoadedImage[] = await loadImages(inputs, {
    urlPolicy: ctx.policy,
    ...(signal ? { signal } : {}),
  });
  return loaded.map((image) => ({ bytes: image.bytes, filename: image.filename }));
}

/**
 * The body limit of routes that carry images: a 10 MiB image is about 13.4 MiB of base64, far
 * over the API's 64 KiB default, so these routes take up to 16 MiB (or MJW_BODY_LIMIT_BYTES when
 * larger). Per-key rate limits still apply.
 */
export function imageBodyLimit(ctx: ServiceContext): number {
  return Math.max(ctx.config.bodyLimitBytes, 16 * 1024 * 1024);
}
