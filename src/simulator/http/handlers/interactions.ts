/**
 * `POST /interactions` as a user client sends it: validated like Discord, answered 204, then the
 * interaction goes to the gateway (INTERACTION_CREATE, then SUCCESS or FAILURE) and to the bot.
 */
import type { AcceptedInteraction } from '../../world.js';
import type { Handler } from '../handler-context.js';
import { validateInteraction } from '../interaction-validator.js';

export const createInteraction: Handler = ({ state, user, body }) => {
  const result = validateInteraction(body, {
    channelGuild: (channelId) => state.channels.guild(channelId),
    hasGuild: (guildId) => guildId === state.channels.guildId,
    hasApplication: (applicationId) => state.commands.hasApplication(applicationId),
    command: (applicationId, commandId) => state.commands.find(applicationId, commandId),
    message: (channelId, messageId) => state.world.interactableMessage(channelId, messageId, user.user.id),
  });
  if (!result.ok) return result.response;
  const interaction: AcceptedInteraction = {
    id: state.world.nextSnowflake(),
    payload: structuredClone(result.payload),
    user: user.user,
    receivedAt: state.clock.now(),
  };
  // The bot hears of it only once the 204 is on its way, as with Discord.
  return { status: 204, after: () => state.delivery.deliver(interaction) };
};
