/**
 * `POST /interactions` as a user client sends it: validated like Discord, answered 204, then the
 * interaction goes to the gateway (INTERACTION_CREATE, then SUCCESS or FAILURE) and to the bot.
 * Attachment options (type 11) must point at `data.attachments[]` entries whose
 * `uploaded_filename` was uploaded by this user (upload-store.ts); the files then move to the CDN.
 */
import type { ApplicationCommandInteractionPayload } from '../../../discord/types.js';
import type { SimState } from '../../sim-state.js';
import type { AcceptedAttachment, AcceptedInteraction } from '../../world.js';
import { invalidFormBody, type SimResponse } from '../discord-errors.js';
import { type Handler, isRecord } from '../handler-context.js';
import { validateInteraction } from '../interaction-validator.js';

const ATTACHMENT_OPTION = 11;

export const createInteraction: Handler = ({ state, user, body }) => {
  const result = validateInteraction(body, {
    channelGuild: (channelId) => state.channels.guild(channelId),
    hasGuild: (guildId) => guildId === state.channels.guildId,
    hasApplication: (applicationId) => state.commands.hasApplication(applicationId),
    command: (applicationId, commandId) => state.commands.find(applicationId, commandId),
    message: (channelId, messageId) => state.world.interactableMessage(channelId, messageId, user.user.id),
    modal: (modalId) => state.delivery.modal(modalId, user.user.id),
  });
  if (!result.ok) return result.response;
  if (result.payload.type === 5) state.delivery.closeModal(result.payload.data.id);
  const interaction: AcceptedInteraction = {
    id: state.world.nextSnowflake(),
    payload: structuredClone(result.payload),
    user: user.user,
    receivedAt: state.clock.now(),
  };
  if (result.payload.type === 2) {
    const attached = resolveAttachments(state, result.payload, user.user.id);
    if (!Array.isArray(attached)) return attached;
    if (attached.length > 0) interaction.attachments = attached;
  }
  // The bot hears of it only once the 204 is on its way, as with Discord.
  return { status: 204, after: () => state.delivery.deliver(interaction) };
};

function attachmentProblem(message: string): SimResponse {
  return invalidFormBody({ data: { attachments: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND', message }] } } });
}

function resolveAttachments(
  state: SimState,
  payload: ApplicationCommandInteractionPayload,
  userId: string,
): AcceptedAttachment[] | SimResponse {
  const out: AcceptedAttachment[] = [];
  const listed = Array.isArray(payload.data.attachments) ? payload.data.attachments : [];
  for (const option of payload.data.options ?? []) {
    if (option.type !== ATTACHMENT_OPTION) continue;
    const entry = listed.find((a) => isRecord(a) && String(a.id) === String(option.value));
    if (!isRecord(entry) || typeof entry.uploaded_filename !== 'string') {
      return attachmentProblem(`Option "${option.name}" names no attachment`);
    }
    const slot = state.uploads.uploaded(entry.uploaded_filename, userId);
    if (slot === undefined || slot.bytes === undefined) {
      return attachmentProblem(`Attachment "${entry.uploaded_filename}" was not uploaded`);
    }
    const filename =
      typeof entry.filename === 'string' && entry.filename !== '' ? entry.filename : slot.filename;
    const path = `attachments/${payload.channel_id}/${state.world.nextSnowflake()}/${filename.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    state.world.storeAttachment(path, slot.bytes);
    out.push({
      option: option.name,
      filename,
      url: state.world.attachmentUrl(path),
      size: slot.bytes.length,
      contentType: slot.contentType ?? 'application/octet-stream',
    });
  }
  return out;
}
