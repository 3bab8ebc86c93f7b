/**
 * An in-memory SimWorld for the bot's tests: a manual clock (timers run only when a test advances
 * time) and a recorded log of every post, edit, delete and ephemeral message.
 */
import type { APIMessage, APIUser, InteractionPayload, Snowflake } from '../../../src/discord/types.js';
import type {
  AcceptedInteraction,
  BotMessageDraft,
  SimClock,
  SimWorld,
} from '../../../src/simulator/world.js';
import { SnowflakeGenerator } from '../../../src/util/snowflake.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualClock implements SimClock {
  private time = 1_700_000_000_000;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Runs every timer due within `ms`, in time order, moving the clock to each. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = target;
  }

  get pending(): number {
    return this.timers.length;
  }
}

export type WorldEventKind = 'post' | 'edit' | 'delete' | 'ephemeral';

export interface WorldEvent {
  kind: WorldEventKind;
  /** Simulated ms since the world was created. */
  at: number;
  channelId: Snowflake;
  messageId: Snowflake;
  /** The message after the operation (absent for deletes). */
  message?: APIMessage;
  /** The draft as the bot sent it (post, edit, ephemeral). */
  draft?: BotMessageDraft;
  userId?: Snowflake;
}

export const BOT_USER: APIUser = {
  id: '936929561302675456',
  username: 'Midjourney Bot',
  global_name: null,
  discriminator: '9282',
  avatar: null,
  bot: true,
};

export const USER: APIUser = {
  id: '123456789012345678',
  username: 'alice.w',
  global_name: 'Alice',
  discriminator: '0',
  avatar: null,
};

export const OTHER_USER: APIUser = { ...USER, id: '223456789012345678', username: 'bob' };

export const CHANNEL = '1100000000000000001';
export const GUILD = '1100000000000000000';

export class FakeWorld implements SimWorld {
  readonly clock = new ManualClock();
  readonly events: WorldEvent[] = [];
  readonly messages = new Map<Snowflake, APIMessage>();
  readonly files = new Map<string, Buffer>();
  private readonly start = this.clock.now();
  private readonly ids = new SnowflakeGenerator(() => this.clock.now());

  nextSnowflake(): Snowflake {
    return this.ids.next();
  }

  attachmentUrl(path: string): string {
    return `http://127.0.0.1:9/${path}?ex=1&is=2&hm=3`;
  }

  storeAttachment(path: string, png: Buffer): void {
    this.files.set(path, png);
  }

  /** The stored PNG behind an attachment URL. */
  file(url: string): Buffer {
    const path = new URL(url).pathname.slice(1);
    const png = this.files.get(path);
    if (!png) throw new Error(`no attachment stored at ${path}`);
    return png;
  }

  private build(channelId: Snowflake, draft: BotMessageDraft, id = this.nextSnowflake()): APIMessage {
    const message: APIMessage = {
      id,
      channel_id: channelId,
      guild_id: GUILD,
      type: draft.type ?? 0,
      author: BOT_USER,
      content: draft.content ?? '',
      timestamp: new Date(this.clock.now()).toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: draft.mentions ?? [],
      mention_roles: [],
      attachments: draft.attachments ?? [],
      embeds: draft.embeds ?? [],
      components: draft.components ?? [],
      flags: draft.flags ?? 0,
      pinned: false,
      application_id: BOT_USER.id,
    };
    if (draft.nonce !== undefined) message.nonce = draft.nonce;
    if (draft.interaction_metadata) message.interaction_metadata = draft.interaction_metadata;
    if (draft.interaction) message.interaction = draft.interaction;
    if (draft.message_reference) message.message_reference = draft.message_reference;
    return message;
  }

  private log(event: Omit<WorldEvent, 'at'>): void {
    this.events.push({ ...event, at: this.clock.now() - this.start });
  }

  postMessage(channelId: Snowflake, draft: BotMessageDraft): APIMessage {
    const message = this.build(channelId, draft);
    this.messages.set(message.id, message);
    this.log({ kind: 'post', channelId, messageId: message.id, message, draft });
    return message;
  }

  editMessage(channelId: Snowflake, messageId: Snowflake, draft: BotMessageDraft): APIMessage | undefined {
    const old = this.messages.get(messageId);
    if (!old) return undefined;
    const message: APIMessage = {
      ...old,
      ...Object.fromEntries(Object.entries(draft).filter(([key]) => key !== 'nonce')),
      edited_timestamp: new Date(this.clock.now()).toISOString(),
    };
    this.messages.set(messageId, message);
    this.log({ kind: 'edit', channelId, messageId, message, draft });
    return message;
  }

  deleteMessage(channelId: Snowflake, messageId: Snowflake): boolean {
    const existed = this.messages.delete(messageId);
    if (existed) this.log({ kind: 'delete', channelId, messageId });
    return existed;
  }

  postEphemeral(channelId: Snowflake, userId: Snowflake, draft: BotMessageDraft): APIMessage {
    const message = this.build(channelId, { ...draft, flags: (draft.flags ?? 0) | 64 });
    this.log({ kind: 'ephemeral', channelId, messageId: message.id, message, draft, userId });
    return message;
  }

  /** Interactions the bot declined to acknowledge (SimWorld.failInteraction). */
  readonly failed: { interactionId: Snowflake; reason?: string }[] = [];

  failInteraction(interactionId: Snowflake, reason?: string): boolean {
    this.failed.push(reason === undefined ? { interactionId } : { interactionId, reason });
    return true;
  }

  getMessage(_channelId: Snowflake, messageId: Snowflake): APIMessage | undefined {
    return this.messages.get(messageId);
  }

  /** Messages still in the channel, oldest first. */
  channel(): APIMessage[] {
    return [...this.messages.values()];
  }

  /** A compact `kind@ms content-or-title` log, handy for sequence assertions. */
  summary(): string[] {
    return this.events.map((e) => {
      const text = e.message?.content || e.message?.embeds[0]?.title || '';
      return `${e.kind}@${e.at} ${text}`.trim();
    });
  }
}

let counter = 0;
const nextId = (): Snowflake => (BigInt('1200000000000000000') + BigInt(counter++)).toString();

export function imagine(
  prompt: string,
  user: APIUser = USER,
  nonce: Snowflake = nextId(),
): AcceptedInteraction {
  const payload: InteractionPayload = {
    type: 2,
    application_id: BOT_USER.id,
    guild_id: GUILD,
    channel_id: CHANNEL,
    session_id: 'f'.repeat(32),
    nonce,
    data: {
      version: '1237876415471554623',
      id: '938956540159881230',
      name: 'imagine',
      type: 1,
      options: [{ type: 3, name: 'prompt', value: prompt }],
      attachments: [],
    },
  };
  return { id: nextId(), payload, user, receivedAt: 0 };
}

export function command(name: string, user: APIUser = USER): AcceptedInteraction {
  const interaction = imagine('', user);
  if (interaction.payload.type === 2) {
    interaction.payload.data.name = name;
    interaction.payload.data.options = [];
  }
  return interaction;
}

export function press(
  customId: string,
  messageId: Snowflake,
  user: APIUser = USER,
  nonce: Snowflake = nextId(),
): AcceptedInteraction {
  const payload: InteractionPayload = {
    type: 3,
    application_id: BOT_USER.id,
    guild_id: GUILD,
    channel_id: CHANNEL,
    message_id: messageId,
    message_flags: 0,
    session_id: 'f'.repeat(32),
    nonce,
    data: { component_type: 2, custom_id: customId },
  };
  return { id: nextId(), payload, user, receivedAt: 0 };
}

/** Every custom_id on a message, in order. */
export function customIds(message: APIMessage): string[] {
  return message.components.flatMap((row) =>
    row.components.flatMap((c) => (c.custom_id ? [c.custom_id] : [])),
  );
}
