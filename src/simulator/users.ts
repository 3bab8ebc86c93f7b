/**
 * The accounts of the simulated Discord: user accounts (with their tokens), the Midjourney and
 * niji・journey bot users, and the guild's channels.
 */
import type { APIUser, Snowflake } from '../discord/types.js';
import type { SimUserOptions } from './options.js';

export interface SimUser {
  user: APIUser;
  token: string;
}

/** The Midjourney bot as Discord shows it (https://discord.com/users/936929561302675456). */
export function midjourneyBotUser(id: Snowflake): APIUser {
  return {
    id,
    username: 'Midjourney Bot',
    global_name: null,
    discriminator: '9282',
    avatar: 'f6ce562a6b4979c4b1cbc5b436d3be76',
    bot: true,
  };
}

/** The niji・journey bot as Discord shows it: its bot user shares its application id. */
export function nijiBotUser(id: Snowflake): APIUser {
  return {
    id,
    username: 'niji・journey Bot',
    global_name: null,
    discriminator: '5721',
    avatar: null,
    bot: true,
  };
}

export class UserDirectory {
  private readonly byTokenMap = new Map<string, SimUser>();
  private readonly byIdMap = new Map<Snowflake, APIUser>();
  /** The bot users (Midjourney, niji・journey): the only recipients a DM can be opened with. */
  private readonly botIds = new Set<Snowflake>();
  readonly defaultUser: SimUser;

  constructor(
    users: readonly SimUserOptions[],
    readonly botUser: APIUser,
  ) {
    for (const options of users) {
      const user: APIUser = {
        id: options.id,
        username: options.username,
        global_name: options.username,
        discriminator: '0',
        avatar: null,
      };
      this.byTokenMap.set(options.token, { user, token: options.token });
      this.byIdMap.set(user.id, user);
    }
    this.byIdMap.set(botUser.id, botUser);
    this.botIds.add(botUser.id);
    const first = users[0];
    if (first === undefined) throw new Error('at least one user is required');
    this.defaultUser = this.byTokenMap.get(first.token) as SimUser;
  }

  /** The account an `Authorization` header names, if any. */
  byToken(token: string | undefined): SimUser | undefined {
    return token === undefined ? undefined : this.byTokenMap.get(token);
  }

  /** Another bot user (niji・journey) that posts in the guild. */
  addBot(user: APIUser): void {
    this.byIdMap.set(user.id, user);
    this.botIds.add(user.id);
  }

  /** The bot user with this id (Midjourney or niji・journey), if it is one. */
  bot(id: Snowflake): APIUser | undefined {
    return this.botIds.has(id) ? this.byIdMap.get(id) : undefined;
  }

  byId(id: Snowflake): APIUser | undefined {
    return this.byIdMap.get(id);
  }

  userIds(): Snowflake[] {
    return [...this.byTokenMap.values()].map((u) => u.user.id);
  }

  /** The users a message content mentions (`<@id>` / `<@!id>`), as Discord fills `mentions`. */
  mentionsIn(content: string): APIUser[] {
    const found = new Map<Snowflake, APIUser>();
    for (const match of content.matchAll(/<@!?(\d{17,20})>/g)) {
      const user = match[1] === undefined ? undefined : this.byIdMap.get(match[1]);
      if (user) found.set(user.id, user);
    }
    return [...found.values()];
  }
}

/** The guild's channels. */
export class ChannelDirectory {
  private readonly guildOf = new Map<Snowflake, Snowflake>();

  constructor(
    readonly guildId: Snowflake,
    channelIds: readonly Snowflake[],
  ) {
    for (const id of channelIds) this.guildOf.set(id, guildId);
  }

  /** DM channels with a bot: channel -> the user and the bot (one channel per pair, as on Discord). */
  private readonly dmUsers = new Map<Snowflake, { userId: Snowflake; botId: Snowflake }>();

  has(channelId: Snowflake): boolean {
    return this.guildOf.has(channelId) || this.dmUsers.has(channelId);
  }

  /** The user's DM channel with a bot, if opened. */
  dmOf(userId: Snowflake, botId: Snowflake): Snowflake | undefined {
    for (const [channelId, dm] of this.dmUsers) {
      if (dm.userId === userId && dm.botId === botId) return channelId;
    }
    return undefined;
  }

  /** The user of a DM channel (undefined for a guild channel). */
  dmUser(channelId: Snowflake): Snowflake | undefined {
    return this.dmUsers.get(channelId)?.userId;
  }

  addDm(channelId: Snowflake, userId: Snowflake, botId: Snowflake): void {
    this.dmUsers.set(channelId, { userId, botId });
  }

  guild(channelId: Snowflake): Snowflake | undefined {
    return this.guildOf.get(channelId);
  }

  ids(): Snowflake[] {
    return [...this.guildOf.keys()];
  }
}
