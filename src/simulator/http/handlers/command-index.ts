/**
 * The application-command index a user client loads to learn commands' ids and versions:
 * `GET /guilds/{guild.id}/application-command-index` and `GET /channels/{channel.id}/application-command-index`.
 */
import { DiscordErrors, FieldError, FormErrors } from '../discord-errors.js';
import { type Handler, isIdLike } from '../handler-context.js';

export const getGuildCommandIndex: Handler = ({ state, params }) => {
  const guildId = params.guild_id ?? '';
  if (!isIdLike(guildId))
    return new FormErrors().add(['guild_id'], FieldError.notSnowflake(guildId)).response()!;
  if (guildId !== state.channels.guildId) return DiscordErrors.unknownGuild();
  return { status: 200, body: state.commands.index() };
};

export const getChannelCommandIndex: Handler = ({ state, params }) => {
  const channelId = params.channel_id ?? '';
  if (!isIdLike(channelId))
    return new FormErrors().add(['channel_id'], FieldError.notSnowflake(channelId)).response()!;
  if (!state.channels.has(channelId)) return DiscordErrors.unknownChannel();
  return { status: 200, body: state.commands.index() };
};
