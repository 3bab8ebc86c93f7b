/** Answers to interactions that are not jobs: mode switches, captcha presses, refused buttons. */
import { type APIEmbed, InteractionType, MessageFlags, MessageType } from '../../discord/types.js';
import type { AcceptedInteraction, BotMessageDraft, SimWorld } from '../world.js';
import { interactionFields, type MessageEvidence } from './evidence.js';

/**
 * Posts the answer with the interaction's nonce and interaction objects (a button's answer replies
 * to the pressed message), ephemeral unless asked otherwise.
 */
export function postReply(
  world: SimWorld,
  interaction: AcceptedInteraction,
  draft: BotMessageDraft,
  ephemeral: boolean,
  evidence: MessageEvidence,
): void {
  const { payload, user } = interaction;
  const full: BotMessageDraft = {
    ...draft,
    nonce: payload.nonce,
    ...interactionFields(interaction, user, evidence),
    type: MessageType.ChatInputCommand,
  };
  if (payload.type === InteractionType.MessageComponent) {
    if (evidence.reference) {
      full.type = MessageType.Reply;
      full.message_reference = { message_id: payload.message_id, channel_id: payload.channel_id };
    } else {
      full.type = MessageType.Default;
    }
  }
  if (!evidence.footer && full.embeds) full.embeds = withoutFooters(full.embeds);
  if (ephemeral) {
    full.flags = MessageFlags.Ephemeral;
    world.postEphemeral(payload.channel_id, user.id, full);
  } else {
    world.postMessage(payload.channel_id, full);
  }
}

/** The embeds without their `/imagine <prompt>` footers (other footers stay). */
export function withoutFooters(embeds: APIEmbed[]): APIEmbed[] {
  return embeds.map((embed) => {
    if (!/^\/\w+/.test(embed.footer?.text ?? '')) return embed;
    const { footer: _footer, ...rest } = embed;
    return rest;
  });
}
