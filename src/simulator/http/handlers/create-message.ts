/**
 * `POST /channels/{channel.id}/messages` with files uploaded through the attachment flow:
 * `{content?, attachments: [{id, filename, uploaded_filename}]}`. The message shows each file
 * under a signed CDN URL: how clients turn an uploaded image into a URL for an `/imagine` prompt
 * (see /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 1, "msg").
 * https://discord.com/developers/docs/resources/message#create-message
 */
import type { APIAttachment } from '../../../discord/types.js';
import { DiscordErrors, FieldError, FormErrors, invalidFormBody } from '../discord-errors.js';
import { type Handler, isIdLike, isRecord } from '../handler-context.js';

const CONTENT_MAX = 2_000;

export const createMessage: Handler = ({ state, user, params, body }) => {
  const channelId = params.channel_id ?? '';
  const errors = new FormErrors();
  if (!isIdLike(channelId)) errors.add(['channel_id'], FieldError.notSnowflake(channelId));
  const form = isRecord(body) ? body : {};
  const content = form.content;
  if (content !== undefined && typeof content !== 'string') errors.add(['content'], FieldError.notString);
  else if (typeof content === 'string' && content.length > CONTENT_MAX) {
    errors.add(['content'], FieldError.maxLength(CONTENT_MAX));
  }
  const listed = form.attachments;
  if (listed !== undefined && !Array.isArray(listed)) errors.add(['attachments'], FieldError.notArray);
  const invalid = errors.response();
  if (invalid) return invalid;
  if (!state.channels.has(channelId)) return DiscordErrors.unknownChannel();
  const attachments: APIAttachment[] = [];
  for (const [i, entry] of ((listed as unknown[] | undefined) ?? []).entries()) {
    const name = isRecord(entry) ? entry.uploaded_filename : undefined;
    const slot = typeof name === 'string' ? state.uploads.uploaded(name, user.user.id) : undefined;
    if (slot?.bytes === undefined) {
      return invalidFormBody({
        attachments: {
          [String(i)]: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND', message: 'Unknown upload' }] },
        },
      });
    }
    const id = state.world.nextSnowflake();
    const filename = slot.filename;
    const path = `attachments/${channelId}/${id}/${filename}`;
    state.world.storeAttachment(path, slot.bytes);
    attachments.push({
      id,
      filename,
      size: slot.bytes.length,
      url: state.world.attachmentUrl(path),
      proxy_url: '',
      ...(slot.contentType ? { content_type: slot.contentType } : {}),
    });
  }
  if ((content ?? '') === '' && attachments.length === 0) {
    return { status: 400, body: { code: 50_006, message: 'Cannot send an empty message' } };
  }
  const message = state.world.postUserMessage(channelId, user.user, {
    content: (content as string | undefined) ?? '',
    attachments,
  });
  return { status: 200, body: message };
};
