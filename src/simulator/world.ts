/**
 * The seam between the simulated Discord (HTTP + gateway + message store) and the simulated
 * Midjourney bot. The server owns channels, messages, ids, users and delivery; the bot only
 * decides what to post, edit and delete, and when.
 */
import type { ModalTextInput } from '../discord/gateway/protocol.js';
import type { APIMessage, APIUser, InteractionPayload, Snowflake } from '../discord/types.js';

/** What the bot may write into a message; the world fills ids, author, timestamps and defaults. */
export type BotMessageDraft = Partial<
  Pick<APIMessage, 'content' | 'embeds' | 'attachments' | 'components' | 'flags' | 'type' | 'mentions'>
> & {
  /** Echoed over the gateway on MESSAGE_CREATE (the first message of a job carries the interaction nonce). */
  nonce?: string;
  interaction_metadata?: APIMessage['interaction_metadata'];
  /** The deprecated interaction object, sent next to (or instead of) `interaction_metadata`. */
  interaction?: APIMessage['interaction'];
  /** A reply: the world completes it (guild, channel) and adds the `referenced_message`. */
  message_reference?: APIMessage['message_reference'];
};

/** Simulated time: real timers whose durations are divided by the time scale. */
export interface SimClock {
  now(): number;
  /** Schedules `fn` after `ms` of simulated time; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

/** What the bot can do to the simulated Discord. */
export interface SimWorld {
  readonly clock: SimClock;
  /** Generates ids the way Discord does. */
  nextSnowflake(): Snowflake;
  /** The absolute URL under which an attachment path is served (CDN style, signed query). */
  attachmentUrl(path: string): string;
  /** Registers a generated PNG so the attachment URL serves it. */
  storeAttachment(path: string, png: Buffer): void;
  /** Posts a message from the bot; stored and dispatched as MESSAGE_CREATE. */
  postMessage(channelId: Snowflake, draft: BotMessageDraft): APIMessage;
  /** Edits a stored message (MESSAGE_UPDATE); returns undefined if it no longer exists. */
  editMessage(channelId: Snowflake, messageId: Snowflake, draft: BotMessageDraft): APIMessage | undefined;
  /** Deletes a message (MESSAGE_DELETE). */
  deleteMessage(channelId: Snowflake, messageId: Snowflake): boolean;
  /**
   * An ephemeral message (flag 64) for one user: delivered over that user's gateway sessions only,
   * never stored where `GET /messages` can see it.
   */
  postEphemeral(channelId: Snowflake, userId: Snowflake, draft: BotMessageDraft): APIMessage;
  /** Looks up a stored (non-ephemeral) message. */
  getMessage(channelId: Snowflake, messageId: Snowflake): APIMessage | undefined;
  /**
   * The bot does not acknowledge this interaction (it is down, or a "never answers" fault). Call it
   * synchronously inside `handleInteraction`: the user's sessions then get INTERACTION_FAILURE after
   * Discord's 3 s deadline instead of INTERACTION_SUCCESS. Returns false when it came too late.
   * Optional so that test doubles of the world need not implement it.
   */
  failInteraction?(interactionId: Snowflake, reason?: string): boolean;
  /**
   * The bot answers the interaction being handled with a modal (`iframe`: Vary (Region)'s editor)
   * instead of a message: the user's sessions get INTERACTION_MODAL_CREATE (or
   * INTERACTION_IFRAME_MODAL_CREATE) in place of INTERACTION_SUCCESS, and a modal submit (type 5)
   * naming this interaction id and the modal's custom id is accepted once. Call it synchronously
   * inside `handleInteraction`. Optional for test doubles.
   */
  openModal?(interactionId: Snowflake, modal: SimModal, iframe?: boolean): boolean;
  /**
   * Writes to a user in their DM channel with this bot (the seed after a ✉️ reaction): niji・journey
   * writes in its own channel with the user, not in Midjourney's. Optional for test doubles.
   */
  postDirectMessage?(userId: Snowflake, draft: BotMessageDraft): APIMessage;
}

/** A modal the bot opens: its custom id, title and text inputs (none for an iframe). */
export interface SimModal {
  custom_id: string;
  title?: string;
  components?: { type: 1; components: ModalTextInput[] }[];
}

/** What Vary (Region)'s editor posts to `/inpaint/api/submit-job`. */
export interface InpaintSubmit {
  /** The token of the iframe modal (`MJ::iframe::<token>`). */
  customId: string;
  /** The mask: a base64 PNG (no `data:` prefix); white marks the region to redraw. */
  mask: string;
  /** The prompt for the region; empty keeps the job's prompt. */
  prompt: string;
}

/** A reaction a user added to a message (`PUT .../reactions/{emoji}/@me`). */
export interface AddedReaction {
  channelId: Snowflake;
  messageId: Snowflake;
  /** The emoji, decoded (`✉️`). */
  emoji: string;
  user: APIUser;
}

/** An interaction accepted by the HTTP layer (already validated, 204 sent or about to be). */
export interface AcceptedInteraction {
  /** The interaction id Discord assigns. */
  id: Snowflake;
  payload: InteractionPayload;
  user: APIUser;
  /** When the HTTP layer accepted it (simulated ms). */
  receivedAt: number;
  /** The uploaded files its attachment options (type 11) point at, now served by the CDN. */
  attachments?: AcceptedAttachment[];
}

/** An uploaded file an interaction option refers to. */
export interface AcceptedAttachment {
  /** The option naming it (`image`, `image1`...). */
  option: string;
  filename: string;
  /** Signed CDN URL, as Discord shows the file in messages. */
  url: string;
  size: number;
  contentType: string;
}

/** The bot's side of the seam. */
export interface SimBot {
  /** Called for every accepted interaction addressed to the bot's application. */
  handleInteraction(interaction: AcceptedInteraction): void;
  /**
   * Vary (Region)'s editor submitted a mask for an iframe modal this bot opened: `unknown` when
   * no such modal is pending. Optional.
   */
  handleInpaint?(submit: InpaintSubmit): 'accepted' | 'unknown';
  /** Called when a user reacts to one of the bot's messages. Optional. */
  handleReaction?(reaction: AddedReaction): void;
  /** Cancels every timer; no message is posted after this. */
  stop(): void;
}
