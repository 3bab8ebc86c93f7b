/**
 * Why an image given to `/describe`, `/blend` or an image prompt was refused before anything was
 * sent to Discord: it is not an image we recognise, it is too large, it cannot be read, or its URL
 * is one the fetch policy forbids (private addresses, other schemes) or that did not answer.
 */
import { WorkerError } from '../errors.js';

export type ImageInputErrorCode =
  | 'IMAGE_NOT_AN_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_UNREADABLE'
  | 'IMAGE_URL_FORBIDDEN'
  | 'IMAGE_FETCH_FAILED';

export class ImageInputError extends WorkerError {
  override readonly name = 'ImageInputError';
  readonly code: ImageInputErrorCode;
  constructor(
    code: ImageInputErrorCode,
    /** What was given, shortened: a path, a URL, `bytes` or `data:` (never the whole payload). */
    readonly source: string,
    /** Why it was refused. */
    readonly reason: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(`${code} ${source}: ${reason}`, options);
    this.code = code;
  }
}

export function isImageInputError(value: unknown): value is ImageInputError {
  return value instanceof ImageInputError;
}
