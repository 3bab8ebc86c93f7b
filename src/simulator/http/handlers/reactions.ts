/**
 * `PUT /channels/{channel.id}/messages/{message.id}/reactions/{emoji}/@me`: 204, and the bot hears
 * of it (Midjourney answers ✉️ on a result with the job's seed by DM).
 * https://discord.com/developers/docs/resources/message#create-reaction
 */
import { DiscordErrors } from '../discord-errors.js';
import type { Handler } from '../handler-context.js';

export const addReaction: Handler = ({ state, user, params }) => {
  const channelId = params.channel_id ?? '';
  const messageId = params.message_id ?? '';
  if (!state.channels.has(channelId)) return DiscordErrors.unknownChannel();
  if (state.world.interactableMessage(channelId, messageId, user.user.id) === undefined) {
    return DiscordErrors.unknownMessage();
  }
  const emoji = params.emoji ?? '';
  if (emoji === '') return { status: 400, body: { code: 10014, message: 'Unknown Emoji' } };
  return {
    status: 204,
    after: () => state.delivery.deliverReaction({ channelId, messageId, emoji, user: user.user }),
  };
};
