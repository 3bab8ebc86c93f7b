/**
 * The newest message id of each channel, kept from the gateway so a submission's snapshot
 * ("the job's messages come after this id") costs no REST call while the gateway is live.
 *
 * The rule, strongest first:
 * 1. A channel is known from READY (a user account's READY lists its guilds' channels with
 *    `last_message_id`), or after one REST read of its newest message that started while the
 *    gateway was live; from then on every MESSAGE_CREATE of the channel raises the value.
 *    Dispatches that arrive during that read count too (the larger id wins), so nothing posted
 *    between the read and its answer is missed.
 * 2. Continuity ends with the live stretch: any gateway state change (drop, reconnect, resume,
 *    invalidated session) forgets every channel. A resume replays what was missed, but the value
 *    is only trusted while dispatches flow, so the next snapshot simply reads again.
 * 3. A deleted newest message leaves the value as is: later messages still sort after it, which is
 *    all a snapshot promises (Discord's own `last_message_id` behaves the same).
 */
import type { ReadyData } from '../discord/gateway/index.js';
import type { Snowflake } from '../discord/types.js';
import { compareSnowflakes } from '../util/snowflake.js';

interface Entry {
  id: Snowflake | null;
  /** A read finished within the live stretch: `id` can be trusted. */
  read: boolean;
}

export class NewestMessages {
  private readonly channels = new Map<Snowflake, Entry>();
  /** Bumped on every state change: a read that straddles one is not trusted. */
  private stretch = 0;

  constructor(private readonly live: () => boolean) {}

  /** Known newest id (null: the channel is empty), or undefined when a REST read is needed. */
  known(channelId: Snowflake): Snowflake | null | undefined {
    if (!this.live()) return undefined;
    const entry = this.channels.get(channelId);
    return entry?.read ? entry.id : undefined;
  }

  /**
   * The channel's newest message id: the known one, or `read()` (a REST call), remembered when the
   * gateway stayed live throughout.
   */
  async get(channelId: Snowflake, read: () => Promise<Snowflake | null>): Promise<Snowflake | null> {
    const known = this.known(channelId);
    if (known !== undefined) return known;
    const stretch = this.stretch;
    const live = this.live();
    // Created before the read so dispatches during it are not lost (rule 1).
    const pending: Entry = { id: null, read: false };
    if (live && !this.channels.has(channelId)) this.channels.set(channelId, pending);
    let id: Snowflake | null;
    try {
      id = await read();
    } catch (error) {
      if (this.channels.get(channelId) === pending) this.channels.delete(channelId);
      throw error;
    }
    const entry = this.channels.get(channelId);
    if (!live || stretch !== this.stretch || entry === undefined) return id;
    entry.id = newer(entry.id, id);
    entry.read = true;
    return entry.id;
  }

  /** A new session's READY: every channel it lists with `last_message_id` becomes known. */
  ready(data: ReadyData): void {
    this.reset();
    for (const guild of data.guilds) {
      for (const channel of guild.channels ?? []) {
        if (channel.last_message_id === undefined) continue;
        this.channels.set(channel.id, { id: channel.last_message_id, read: true });
      }
    }
  }

  /** A MESSAGE_CREATE seen over the gateway. */
  created(channelId: Snowflake, messageId: Snowflake): void {
    const entry = this.channels.get(channelId);
    if (entry) entry.id = newer(entry.id, messageId);
  }

  /** The gateway changed state: continuity is lost (rule 2). */
  reset(): void {
    this.stretch += 1;
    this.channels.clear();
  }
}

function newer(a: Snowflake | null, b: Snowflake | null): Snowflake | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareSnowflakes(a, b) >= 0 ? a : b;
}
