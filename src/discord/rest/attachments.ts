/**
 * Discord's attachment upload flow, as the user client does it before a slash command with an
 * image option (see /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 1):
 *   1. `POST /channels/{id}/attachments` `{files: [{id, filename, file_size}]}` asks for upload
 *      slots; the answer is `{attachments: [{id, upload_url, upload_filename}]}`;
 *   2. the bytes are PUT to each `upload_url` (Google Cloud Storage), with the image's
 *      Content-Type and NO Authorization header;
 *   3. the interaction names each file in `data.attachments` as
 *      `{id, filename, uploaded_filename}` and an option `{type: 11, name, value: id}` points at it.
 *
 * Step 1 is a Discord API call with the token: it goes through the RestClient, hence the one
 * RateLimiter (spacing, buckets, invalid-request budget). Step 2 does not take the token's
 * spacing: it goes to another host, carries no token, and Discord's rate limits and
 * invalid-request counter never see it; spacing it would only slow uploads down. It is bounded
 * instead by its own timeout and by running only after step 1 was let through by the limiter.
 */
import { type Dispatcher, request } from 'undici';
import { WorkerError } from '../../errors.js';
import { type Decoder, decodeMessage } from '../decode/index.js';
import type { APIMessage, Snowflake } from '../types.js';
import type { RequestOptions } from './api.js';
import type { RestRequest } from './client.js';

export interface AttachmentSlotRequest {
  /** Our own id for the file within this request ("0", "1", ...). */
  id: string;
  filename: string;
  file_size: number;
}

export interface AttachmentSlot {
  id: string;
  /** Where to PUT the bytes. */
  upload_url: string;
  /** What the interaction's `data.attachments[].uploaded_filename` must say: `<uuid>/<name>`. */
  upload_filename: string;
}

/** Anything that can make a Discord call through the limiter (RestClient). */
export interface RestRequester {
  request<T>(request: RestRequest<T>): Promise<T>;
}

const slotsDecoder: Decoder<AttachmentSlot[]> = (value) => {
  const list = (value as { attachments?: unknown } | null)?.attachments;
  if (!Array.isArray(list)) throw new Error('attachments: expected an array');
  return list.map((item, i) => {
    const slot = item as Partial<Record<keyof AttachmentSlot, unknown>>;
    for (const key of ['upload_url', 'upload_filename'] as const) {
      if (typeof slot[key] !== 'string' || slot[key] === '') {
        throw new Error(`attachments[${i}].${key}: expected a non-empty string`);
      }
    }
    return {
      id: String(slot.id ?? i),
      upload_url: String(slot.upload_url),
      upload_filename: String(slot.upload_filename),
    };
  });
};

/** Step 1: asks Discord for one upload slot per file. */
export function requestAttachmentSlots(
  rest: RestRequester,
  channelId: Snowflake,
  files: readonly AttachmentSlotRequest[],
  options: RequestOptions = {},
): Promise<AttachmentSlot[]> {
  return rest.request({
    ...options,
    method: 'POST',
    path: `/channels/${channelId}/attachments`,
    body: { files },
    decode: slotsDecoder,
  });
}

/**
 * `POST /channels/{id}/messages` showing uploaded files: Discord answers with the message, whose
 * `attachments[].url` are CDN URLs an `/imagine` prompt can use as image prompts or references.
 */
export function postUploadedFiles(
  rest: RestRequester,
  channelId: Snowflake,
  files: readonly { id: string; filename: string; uploaded_filename: string }[],
  options: RequestOptions = {},
): Promise<APIMessage> {
  return rest.request({
    ...options,
    method: 'POST',
    path: `/channels/${channelId}/messages`,
    body: { content: '', attachments: files },
    decode: decodeMessage,
  });
}

export interface UploadOptions extends RequestOptions {
  /** Default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

/** Step 2: PUTs the bytes to a slot's upload URL (no token). Rejects on a non-2xx answer. */
export async function uploadToSlot(
  uploadUrl: string,
  bytes: Uint8Array,
  contentType: string,
  options: UploadOptions = {},
): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const response = await request(uploadUrl, {
    method: 'PUT',
    headers: { 'content-type': contentType, 'content-length': String(bytes.length) },
    body: bytes,
    signal,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  await response.body.dump().catch(() => undefined);
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw new AttachmentUploadError(response.statusCode);
  }
}

/** The upload host refused the bytes (the slot expired, or the size did not match). */
export class AttachmentUploadError extends WorkerError {
  override readonly name = 'AttachmentUploadError';
  readonly code = 'ATTACHMENT_UPLOAD_FAILED';
  constructor(readonly status: number) {
    super(`ATTACHMENT_UPLOAD_FAILED: the upload host answered ${status}`, { retryable: status >= 500 });
  }
}
