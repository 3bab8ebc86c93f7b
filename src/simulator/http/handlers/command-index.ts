/**
 * The application-command index a user client loads to learn commands' ids and versions:
 * `GET /guilds/{guild.id}/application-command-index` and `GET /channels/{channel.id}/application-command-index`,
 * and the older `GET /channels/{channel.id}/application-commands/search` some integrations still use.
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

/**
 * `GET /channels/{id}/application-commands/search?type=1&query=imagine&limit=10&include_applications=true`:
 * commands whose name starts with `query`, in index order (another bot's `imagine` still first).
 */
export const searchChannelCommands: Handler = ({ state, params, query }) => {
  const channelId = params.channel_id ?? '';
  const errors = new FormErrors();
  if (!isIdLike(channelId)) errors.add(['channel_id'], FieldError.notSnowflake(channelId));
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? 25 : Number(rawLimit);
  if (rawLimit !== null && !/^\d+$/.test(rawLimit)) errors.add(['limit'], FieldError.notInt(rawLimit));
  else if (limit < 1) errors.add(['limit'], FieldError.min(1));
  const invalid = errors.response();
  if (invalid) return invalid;
  if (!state.channels.has(channelId)) return DiscordErrors.unknownChannel();
  const index = state.commands.index();
  const prefix = (query.get('query') ?? '').toLowerCase();
  const type = query.get('type');
  const commands = index.application_commands
    .filter((c) => c.name.startsWith(prefix) && (type === null || String(c.type) === type))
    .slice(0, limit);
  const body: Record<string, unknown> = {
    application_commands: commands,
    cursor: { next: null, previous: null, repaired: null },
  };
  if (query.get('include_applications') === 'true') {
    body.applications = index.applications.filter((a) => commands.some((c) => c.application_id === a.id));
  }
  return { status: 200, body };
};
