/**
 * The two calls the seed needs (see /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 5), both
 * Discord API calls with the token, hence through the RateLimiter:
 *  - `PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me?location=Message&type=0`, empty body,
 *    204 (what Discord's client sends; reactions share one bucket per message, routes.ts);
 *  - `POST /users/@me/channels {recipient_id}`: the DM channel with the bot, where the seed comes.
 *    No integration studied calls it (they configure the DM channel id by hand); it is the
 *    documented way to get a DM channel, and `dmChannelId` skips it.
 */
import type { Snowflake } from '../types.js';
import type { RequestOptions } from './api.js';
import type { RestRequester } from './attachments.js';

export function addReaction(
  rest: RestRequester,
  channelId: Snowflake,
  messageId: Snowflake,
  emoji: string,
  options: RequestOptions = {},
): Promise<void> {
  return rest.request({
    ...options,
    method: 'PUT',
    path: `/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}/@me?location=Message&type=0`,
  }) as Promise<void>;
}

export interface DmChannel {
  id: Snowflake;
}

export function openDmChannel(
  rest: RestRequester,
  recipientId: Snowflake,
  options: RequestOptions = {},
): Promise<DmChannel> {
  return rest.request({
    ...options,
    method: 'POST',
    path: '/users/@me/channels',
    body: { recipient_id: recipientId },
    decode: (value) => {
      const id = (value as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !/^\d{16,20}$/.test(id)) throw new Error('id: expected a snowflake');
      return { id };
    },
  });
}
