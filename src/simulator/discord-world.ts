/**
 * The simulated Discord as the bot sees it (SimWorld): it fills in what Discord fills in (ids,
 * author, timestamps, mentions, attachment URLs), stores channel messages where `GET /messages`
 * finds them, keeps ephemeral ones apart, and sends every change to the gateway.
 */

import type { APIAttachment, APIMessage, APIUser, Snowflake } from '../discord/types.js';
import { MessageFlags } from '../discord/types.js';
import type { SnowflakeGenerator } from '../util/snowflake.js';
import { SimulatorUnknownChannelError } from './errors.js';
import type { DispatchTarget } from './gateway/gateway-server.js';
import type { ScaledClock } from './sim-clock.js';
import type { AttachmentStore } from './store/attachment-store.js';
import type { MessageQuery, MessageStore } from './store/message-store.js';
import type { ChannelDirectory, UserDirectory } from './users.js';
import type { BotMessageDraft, SimModal, SimWorld } from './world.js';

/** Where world events go: the gateway server. */
export interface DispatchSink {
  dispatch(target: DispatchTarget, t: string, d: unknown): void;
}

export interface DiscordWorldDependencies {
  clock: ScaledClock;
  users: UserDirectory;
  channels: ChannelDirectory;
  messages: MessageStore;
  attachments: AttachmentStore;
  snowflakes: SnowflakeGenerator;
  gateway: DispatchSink;
  /** Wall-clock ms for message timestamps (real time, so they agree with the client's clock). */
  realNow?: () => number;
}

interface Ephemeral {
  message: APIMessage;
  userId: Snowflake;
}

/** What views of one world share (see `forBot`). */
interface SharedState {
  ephemerals: Map<Snowflake, Ephemeral>;
}

/** Discord's timestamp format: ISO 8601 with microseconds and an explicit offset. */
export function discordTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000+00:00');
}

export class DiscordWorld implements SimWorld {
  readonly clock: ScaledClock;
  /** Wired by the simulator to the interaction delivery (see SimWorld.failInteraction). */
  failInteraction: (interactionId: Snowflake, reason?: string) => boolean = () => false;
  /** Wired by the simulator to the interaction delivery (see SimWorld.openModal). */
  openModal: (interactionId: Snowflake, modal: SimModal, iframe?: boolean) => boolean = () => false;
  private readonly ephemerals: Map<Snowflake, Ephemeral>;
  private readonly realNow: () => number;
  /** Who the bot messages are from: the Midjourney bot, unless this is another bot's view. */
  private readonly author: APIUser;

  constructor(
    private readonly deps: DiscordWorldDependencies,
    shared: SharedState = { ephemerals: new Map() },
    author?: APIUser,
  ) {
    this.clock = deps.clock;
    this.realNow = deps.realNow ?? Date.now;
    this.ephemerals = shared.ephemerals;
    this.author = author ?? deps.users.botUser;
  }

  get botUser(): APIUser {
    return this.author;
  }

  /**
   * The same world as another bot sees it (niji・journey): the same channels, messages and
   * ephemerals, but what it posts is authored by its own bot user, and replies to interactions
   * carry its application id.
   */
  forBot(author: APIUser): DiscordWorld {
    this.deps.users.addBot(author);
    const view = new DiscordWorld(this.deps, { ephemerals: this.ephemerals }, author);
    view.failInteraction = (id, reason) => this.failInteraction(id, reason);
    view.openModal = (id, modal, iframe) => this.openModal(id, modal, iframe);
    return view;
  }

  nextSnowflake(): Snowflake {
    return this.deps.snowflakes.next();
  }

  attachmentUrl(path: string): string {
    return this.deps.attachments.url(path);
  }

  storeAttachment(path: string, png: Buffer): void {
    this.deps.attachments.store(path, png);
  }

  postMessage(channelId: Snowflake, draft: BotMessageDraft): APIMessage {
    const message = this.build(channelId, draft);
    this.deps.messages.insert(message);
    this.deps.gateway.dispatch('all', 'MESSAGE_CREATE', this.forGateway(message, draft.nonce));
    return structuredClone(message);
  }

  /**
   * The user's DM channel with a bot (`POST /users/@me/channels`), opened on first use: by default
   * with this view's bot. Each bot has its own channel with the user, as on Discord.
   */
  openDirectMessage(userId: Snowflake, botId: Snowflake = this.author.id): Snowflake {
    const known = this.deps.channels.dmOf(userId, botId);
    if (known !== undefined) return known;
    const id = this.nextSnowflake();
    this.deps.channels.addDm(id, userId, botId);
    this.deps.messages.addChannel(id);
    return id;
  }

  /** The bot writes to a user in their DM channel with it; MESSAGE_CREATE reaches that user only. */
  postDirectMessage(userId: Snowflake, draft: BotMessageDraft): APIMessage {
    const channelId = this.openDirectMessage(userId);
    const message = this.build(channelId, draft);
    this.deps.messages.insert(message);
    this.deps.gateway.dispatch({ userId }, 'MESSAGE_CREATE', this.forGateway(message, draft.nonce));
    return structuredClone(message);
  }

  /** A message a user posts (`POST /channels/{id}/messages`): stored and dispatched like the bot's. */
  postUserMessage(channelId: Snowflake, author: APIUser, draft: BotMessageDraft): APIMessage {
    const message = this.build(channelId, draft);
    message.author = structuredClone(author);
    this.deps.messages.insert(message);
    this.deps.gateway.dispatch('all', 'MESSAGE_CREATE', this.forGateway(message, draft.nonce));
    return this.signed(message);
  }

  postEphemeral(channelId: Snowflake, userId: Snowflake, draft: BotMessageDraft): APIMessage {
    const message = this.build(channelId, draft);
    message.flags |= MessageFlags.Ephemeral;
    this.ephemerals.set(message.id, { message, userId });
    this.deps.gateway.dispatch({ userId }, 'MESSAGE_CREATE', this.forGateway(message, draft.nonce));
    return structuredClone(message);
  }

  editMessage(channelId: Snowflake, messageId: Snowflake, draft: BotMessageDraft): APIMessage | undefined {
    const ephemeral = this.ephemerals.get(messageId);
    const message = ephemeral?.message ?? this.deps.messages.get(channelId, messageId);
    if (message === undefined || message.channel_id !== channelId) return undefined;
    const { nonce: _nonce, ...fields } = draft;
    Object.assign(message, this.fill(fields));
    if (draft.content !== undefined && draft.mentions === undefined) {
      message.mentions = this.deps.users.mentionsIn(message.content);
    }
    if (ephemeral) message.flags |= MessageFlags.Ephemeral;
    message.edited_timestamp = discordTimestamp(this.realNow());
    const target: DispatchTarget = ephemeral ? { userId: ephemeral.userId } : 'all';
    // Discord's MESSAGE_UPDATE now carries the full message.
    this.deps.gateway.dispatch(target, 'MESSAGE_UPDATE', this.forGateway(message));
    return structuredClone(message);
  }

  deleteMessage(channelId: Snowflake, messageId: Snowflake): boolean {
    const ephemeral = this.ephemerals.get(messageId);
    if (ephemeral && ephemeral.message.channel_id === channelId) this.ephemerals.delete(messageId);
    const removed = ephemeral ? ephemeral.message : this.deps.messages.remove(channelId, messageId);
    if (removed === undefined || removed.channel_id !== channelId) return false;
    const target: DispatchTarget = ephemeral ? { userId: ephemeral.userId } : 'all';
    this.deps.gateway.dispatch(target, 'MESSAGE_DELETE', {
      id: messageId,
      channel_id: channelId,
      guild_id: removed.guild_id,
    });
    return true;
  }

  getMessage(channelId: Snowflake, messageId: Snowflake): APIMessage | undefined {
    const message = this.deps.messages.get(channelId, messageId);
    return message && structuredClone(message);
  }

  /** A message a user can press a button on: a channel message, or an ephemeral one sent to them. */
  interactableMessage(channelId: Snowflake, messageId: Snowflake, userId: Snowflake): APIMessage | undefined {
    const ephemeral = this.ephemerals.get(messageId);
    if (ephemeral) {
      return ephemeral.userId === userId && ephemeral.message.channel_id === channelId
        ? ephemeral.message
        : undefined;
    }
    return this.deps.messages.get(channelId, messageId);
  }

  /** One page of `GET /messages`, newest first, as REST serves it. */
  pageOf(channelId: Snowflake, query: MessageQuery): APIMessage[] {
    return this.deps.messages.list(channelId, query).map((m) => this.signed(m));
  }

  /** Stored messages of a channel, oldest first, with freshly signed attachment URLs (as REST serves them). */
  history(channelId: Snowflake): APIMessage[] {
    return this.deps.messages.all(channelId).map((m) => this.signed(m));
  }

  /**
   * A message as REST serves it: a copy whose attachment URLs are re-signed now, and, on a reply,
   * the referenced message as it is now (null once deleted).
   */
  signed(message: APIMessage): APIMessage {
    const copy = structuredClone(message);
    copy.attachments = copy.attachments.map((a) => ({
      ...a,
      url: this.deps.attachments.resign(a.url),
      proxy_url: this.deps.attachments.resign(a.proxy_url),
    }));
    const referenced = copy.message_reference?.message_id;
    if (referenced !== undefined && 'referenced_message' in copy) {
      const current = this.referenced(copy.channel_id, referenced);
      copy.referenced_message = current && this.signed(current);
    }
    return copy;
  }

  /**
   * The message a reply refers to, as Discord embeds it in `referenced_message`: without its own
   * `referenced_message` (Discord nests one level only); null when it no longer exists.
   */
  private referenced(channelId: Snowflake, messageId: Snowflake): APIMessage | null {
    const found = this.ephemerals.get(messageId)?.message ?? this.deps.messages.get(channelId, messageId);
    if (found === undefined) return null;
    const { referenced_message: _nested, ...rest } = structuredClone(found);
    return rest;
  }

  private build(channelId: Snowflake, draft: BotMessageDraft): APIMessage {
    const guildId = this.deps.channels.guild(channelId);
    const dm = guildId === undefined && this.deps.channels.dmUser(channelId) !== undefined;
    if (guildId === undefined && !dm) throw new SimulatorUnknownChannelError(channelId);
    const { nonce: _nonce, ...fields } = draft;
    const content = draft.content ?? '';
    const message: APIMessage = {
      id: this.nextSnowflake(),
      channel_id: channelId,
      ...(guildId === undefined ? {} : { guild_id: guildId }),
      type: 0,
      author: this.author,
      content,
      timestamp: discordTimestamp(this.realNow()),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: this.deps.users.mentionsIn(content),
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      flags: 0,
      pinned: false,
      ...this.fill(fields),
    };
    // Replies to an interaction carry the application that answered.
    if (message.interaction_metadata !== undefined || message.interaction !== undefined) {
      message.application_id = this.author.id;
    }
    // A reply: Discord completes the reference and embeds the message replied to.
    const referenced = message.message_reference?.message_id;
    if (referenced !== undefined) {
      message.message_reference = {
        type: 0,
        ...message.message_reference,
        channel_id: message.message_reference?.channel_id ?? channelId,
        ...(guildId === undefined ? {} : { guild_id: guildId }),
      };
      message.referenced_message = this.referenced(channelId, referenced);
    }
    return structuredClone(message);
  }

  /** Drops undefined fields and completes attachments (absolute URL, proxy URL, content type). */
  private fill(fields: Omit<BotMessageDraft, 'nonce'>): Partial<APIMessage> {
    const out: Partial<APIMessage> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (out as Record<string, unknown>)[key] = value;
    }
    if (fields.attachments) out.attachments = fields.attachments.map((a) => this.completeAttachment(a));
    return out;
  }

  private completeAttachment(attachment: APIAttachment): APIAttachment {
    const url = /^https?:\/\//.test(attachment.url) ? attachment.url : this.attachmentUrl(attachment.url);
    return {
      ...attachment,
      url,
      proxy_url: attachment.proxy_url ? attachment.proxy_url : this.deps.attachments.proxyUrl(url),
    };
  }

  private forGateway(message: APIMessage, nonce?: string): APIMessage {
    const copy = structuredClone(message);
    // The nonce reaches the gateway only; REST lists never carry it (see MIDJOURNEY.md).
    if (nonce !== undefined) copy.nonce = nonce;
    return copy;
  }
}
