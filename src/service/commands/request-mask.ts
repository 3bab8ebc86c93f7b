/**
 * Vary (Region)'s mask as HTTP clients send it: `mask` on `/v1/jobs/:id/actions`, `maskBase64` on
 * midjourney-proxy's `/mj/submit/action` and `/mj/submit/modal`, a `data:` URL or plain base64 of a
 * PNG. Checked here with the image checks of ../../images (a PNG, at most MASK_MAX_BYTES) before
 * anything is sent; the job keeps it as base64 in the job store until it ends, so a job not yet
 * sent when the service restarts still has its mask.
 */
import { ImageInputError } from '../../images/errors.js';
import { loadImage } from '../../images/image-source.js';
import { toImageInput } from './request-images.js';

/**
 * Largest accepted mask: 1 MiB of PNG. Midjourney's editor draws the mask in two colours, which
 * PNG compresses to a few KB even at 2048x2048; the bound keeps the stored job small.
 */
export const MASK_MAX_BYTES = 1024 * 1024;

/** The mask's PNG bytes as base64; throws ImageInputError (400) for anything else. */
export async function loadRequestMask(text: string, field: string): Promise<string> {
  if (/^\s*https?:\/\//i.test(text)) {
    throw new ImageInputError('IMAGE_UNREADABLE', field, 'expected a data: URL or base64 of a PNG');
  }
  const loaded = await loadImage(toImageInput(text, field), { maxBytes: MASK_MAX_BYTES });
  if (loaded.type !== 'png') {
    throw new ImageInputError(
      'IMAGE_NOT_AN_IMAGE',
      field,
      `Vary (Region) takes a PNG mask, got ${loaded.mime}`,
    );
  }
  return Buffer.from(loaded.bytes).toString('base64');
}
