/**
 * `GET /channels/{channel.id}/messages`: newest first, `limit` 1-100 (default 50), one of
 * `around` / `before` / `after`. https://discord.com/developers/docs/resources/message#get-channel-messages
 */
import { DiscordErrors, FieldError, FormErrors } from '../discord-errors.js';
import { type Handler, isIdLike } from '../handler-context.js';

export const getChannelMessages: Handler = ({ state, params, query }) => {
  const channelId = params.channel_id ?? '';
  const errors = new FormErrors();
  if (!isIdLike(channelId)) errors.add(['channel_id'], FieldError.notSnowflake(channelId));

  let limit = 50;
  const rawLimit = query.get('limit');
  if (rawLimit !== null) {
    if (!/^-?\d+$/.test(rawLimit)) errors.add(['limit'], FieldError.notInt(rawLimit));
    else {
      limit = Number(rawLimit);
      if (limit < 1) errors.add(['limit'], FieldError.min(1));
      else if (limit > 100) errors.add(['limit'], FieldError.max(100));
    }
  }
  const anchors: { around?: string; before?: string; after?: string } = {};
  for (const name of ['around', 'before', 'after'] as const) {
    const value = query.get(name);
    if (value === null) continue;
    if (isIdLike(value)) anchors[name] = value;
    else errors.add([name], FieldError.notSnowflake(value));
  }
  const invalid = errors.response();
  if (invalid) return invalid;
  if (!state.channels.has(channelId)) return DiscordErrors.unknownChannel();

  const page = state.world.pageOf(channelId, { limit, ...anchors });
  return { status: 200, body: page };
};
