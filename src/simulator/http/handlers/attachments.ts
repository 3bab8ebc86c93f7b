/**
 * `POST /channels/{channel.id}/attachments`: upload slots, as Discord's client asks for them
 * before sending a command with an image option. Body `{files: [{id, filename, file_size}]}`,
 * answer `{attachments: [{id, upload_url, upload_filename}]}` (see upload-store.ts).
 */
import { randomUUID } from 'node:crypto';
import { SIM_UPLOAD_MAX_BYTES } from '../../store/upload-store.js';
import { DiscordErrors, FieldError, FormErrors } from '../discord-errors.js';
import { type Handler, isIdLike, isRecord } from '../handler-context.js';

/** Discord allows ten attachments per message. */
const MAX_FILES = 10;

export const createAttachmentSlots: Handler = ({ state, user, params, body }) => {
  const channelId = params.channel_id ?? '';
  const errors = new FormErrors();
  if (!isIdLike(channelId)) errors.add(['channel_id'], FieldError.notSnowflake(channelId));
  const files = isRecord(body) ? body.files : undefined;
  if (!Array.isArray(files))
    errors.add(['files'], files === undefined ? FieldError.required : FieldError.notArray);
  else if (files.length === 0 || files.length > MAX_FILES) errors.add(['files'], FieldError.max(MAX_FILES));
  else {
    files.forEach((file: unknown, i) => {
      if (!isRecord(file)) {
        errors.add(['files', i], FieldError.notObject);
        return;
      }
      if (typeof file.filename !== 'string' || file.filename === '' || file.filename.length > 1024) {
        errors.add(['files', i, 'filename'], FieldError.notString);
      }
      if (!Number.isInteger(file.file_size) || (file.file_size as number) < 1) {
        errors.add(['files', i, 'file_size'], FieldError.notInt(file.file_size));
      } else if ((file.file_size as number) > SIM_UPLOAD_MAX_BYTES) {
        errors.add(['files', i, 'file_size'], FieldError.max(SIM_UPLOAD_MAX_BYTES));
      }
    });
  }
  const invalid = errors.response();
  if (invalid) return invalid;
  if (!state.channels.has(channelId)) return DiscordErrors.unknownChannel();
  const attachments = (files as Record<string, unknown>[]).map((file, i) => {
    const filename = String(file.filename).replace(/[^A-Za-z0-9._-]+/g, '_');
    const uploadFilename = `${randomUUID()}/${filename}`;
    state.uploads.open({
      uploadFilename,
      filename,
      size: file.file_size as number,
      channelId,
      userId: user.user.id,
    });
    return {
      id: file.id === undefined ? i : file.id,
      upload_url: `${state.uploadBaseUrl()}/upload/${uploadFilename}?upload_id=${randomUUID().replace(/-/g, '')}`,
      upload_filename: uploadFilename,
    };
  });
  return { status: 200, body: { attachments } };
};
