/**
 * The channels' message history, in id (= creation) order, with Discord's pagination:
 * newest first, `before` and `after` exclusive, `around` centred on (and including) its anchor.
 * https://discord.com/developers/docs/resources/message#get-channel-messages
 */
import type { APIMessage, Snowflake } from '../../discord/types.js';
import { compareSnowflakes } from '../../util/snowflake.js';

export interface MessageQuery {
  /** 1-100, already validated. */
  limit: number;
  before?: Snowflake;
  after?: Snowflake;
  around?: Snowflake;
}

export class MessageStore {
  /** Per channel, ascending by id (ids only grow, so appends keep the order). */
  private readonly channels = new Map<Snowflake, APIMessage[]>();

  /** @param maxPerChannel messages kept per channel; the oldest go first. */
  constructor(private readonly maxPerChannel = Number.POSITIVE_INFINITY) {}

  addChannel(channelId: Snowflake): void {
    if (!this.channels.has(channelId)) this.channels.set(channelId, []);
  }

  hasChannel(channelId: Snowflake): boolean {
    return this.channels.has(channelId);
  }

  insert(message: APIMessage): void {
    const list = this.channels.get(message.channel_id);
    if (list === undefined) throw new Error(`no channel ${message.channel_id}`);
    const last = list[list.length - 1];
    if (last === undefined || compareSnowflakes(last.id, message.id) < 0) list.push(message);
    else {
      const index = list.findIndex((m) => compareSnowflakes(m.id, message.id) > 0);
      list.splice(index === -1 ? list.length : index, 0, message);
    }
    if (list.length > this.maxPerChannel) list.splice(0, list.length - this.maxPerChannel);
  }

  get(channelId: Snowflake, messageId: Snowflake): APIMessage | undefined {
    return this.channels.get(channelId)?.find((m) => m.id === messageId);
  }

  remove(channelId: Snowflake, messageId: Snowflake): APIMessage | undefined {
    const list = this.channels.get(channelId);
    const index = list?.findIndex((m) => m.id === messageId) ?? -1;
    if (list === undefined || index === -1) return undefined;
    return list.splice(index, 1)[0];
  }

  /** Every message of the channel, oldest first. */
  all(channelId: Snowflake): readonly APIMessage[] {
    return this.channels.get(channelId) ?? [];
  }

  /**
   * One page, newest first. When several anchors are given only one applies: `around`, then
   * `after`, then `before` (Discord documents them as mutually exclusive; given both `before` and
   * `after` it answers by `after`, qeled/discordie#85).
   */
  list(channelId: Snowflake, query: MessageQuery): APIMessage[] {
    const all = this.channels.get(channelId) ?? [];
    const { limit } = query;
    let page: APIMessage[];
    if (query.around !== undefined) {
      const anchor = query.around;
      const newer = all.filter((m) => compareSnowflakes(m.id, anchor) >= 0);
      const older = all.filter((m) => compareSnowflakes(m.id, anchor) < 0);
      // Limit 1 returns the anchor itself (clients have long fetched one message this way).
      const newerCount = Math.ceil(limit / 2);
      page = [
        ...older.slice(Math.max(0, older.length - (limit - newerCount))),
        ...newer.slice(0, newerCount),
      ];
    } else if (query.after !== undefined) {
      const after = query.after;
      // The oldest `limit` messages after the anchor: paging forward takes the first id of each page.
      page = all.filter((m) => compareSnowflakes(m.id, after) > 0).slice(0, limit);
    } else if (query.before !== undefined) {
      const before = query.before;
      const older = all.filter((m) => compareSnowflakes(m.id, before) < 0);
      page = older.slice(Math.max(0, older.length - limit));
    } else {
      page = all.slice(Math.max(0, all.length - limit));
    }
    return page.reverse();
  }
}
