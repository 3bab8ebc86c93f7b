/** Answers to interactions that are not jobs: mode switches, captcha presses, refused buttons. */
import { type APIMessage, InteractionType, MessageFlags, MessageType } from '../../discord/types.js';
import type { AcceptedInteraction, BotMessageDraft, SimWorld } from '../world.js';

/** Posts the answer with the interaction's nonce and metadata, ephemeral unless asked otherwise. */
export function postReply(
  world: SimWorld,
  interaction: AcceptedInteraction,
  draft: BotMessageDraft,
  ephemeral: boolean,
): APIMessage {
  const { payload, user } = interaction;
  const full: BotMessageDraft = {
    ...draft,
    nonce: payload.nonce,
    interaction_metadata: { id: interaction.id, type: payload.type, user },
    type:
      payload.type === InteractionType.MessageComponent ? MessageType.Reply : MessageType.ChatInputCommand,
  };
  if (payload.type === InteractionType.ApplicationCommand)
    full.interaction_metadata!.name = payload.data.name;
  if (ephemeral) {
    full.flags = MessageFlags.Ephemeral;
    return world.postEphemeral(payload.channel_id, user.id, full);
  }
  return world.postMessage(payload.channel_id, full);
}
