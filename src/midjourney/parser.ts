/**
 * Reads a Midjourney bot message into data: the echoed prompt, who it is for, the job's state and
 * progress, the job id, image URLs and the buttons. Pure: no I/O, no clock.
 *
 * Content grammar (see /work/shared/MIDJOURNEY.md): `**<prompt>** - <detail> <@user> (<status>)...`,
 * where the detail names an action result (`Image #2`, `Variations (Strong) by`, `Zoom Out by`).
 *
 * Total: whatever the value (REST answers are decoded first, but gateway dispatches, fixtures and
 * the simulator hand messages over as they come), it returns a ParsedMessage and never throws.
 * A field of the wrong type reads as absent; components and embeds of unknown shapes are skipped.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import { MessageFlags } from '../discord/types.js';
import type { GenerationMode } from '../generation/types.js';
import { actionsOf } from './actions.js';
import { JOB_ID_PATTERN, MIDJOURNEY_BOT_IDS } from './constants.js';

export type MessageState =
  | 'waiting'
  | 'progress'
  | 'stopped'
  | 'done'
  | 'upscale'
  | 'variation'
  | 'notice'
  | 'noise'
  | 'unknown';

export interface ParsedEmbed {
  title?: string;
  description?: string;
  color?: number;
  footer?: string;
  imageUrl?: string;
}

export interface ParsedMessage {
  messageId: Snowflake;
  channelId: Snowflake;
  authorId: Snowflake;
  /** Sent by the Midjourney or Niji bot. */
  fromMidjourney: boolean;
  /** The raw content. */
  content: string;
  /** The prompt as Midjourney echoed it, without the surrounding `**`. */
  prompt?: string;
  /** The user the message is for (the `<@id>` mention). */
  userId?: Snowflake;
  state: MessageState;
  /** 0–100 while in progress. */
  percent?: number;
  mode?: GenerationMode;
  stealth: boolean;
  /** For results of an action: what it was (`Image #2`, `Variations (Strong)`, `Zoom Out`...). */
  variant?: string;
  /** For `Image #n` upscales: n. */
  imageIndex?: number;
  /** Midjourney's job UUID, from the attachment filename or a button's custom_id. */
  jobId?: string;
  /** The grid or single image (first attachment), when finished. */
  imageUrl?: string;
  imageUrls: string[];
  /** The in-progress preview image. */
  previewUrl?: string;
  /** Buttons by action name (`U1`..`U4`, `V1`..`V4`, `reroll`, `vary-strong`, `zoom-2x`, `pan-left`...) -> custom_id. */
  actions: Record<string, string>;
  embeds: ParsedEmbed[];
  flags: number;
  /** Flag 64: visible to one user only (never returned by GET /messages). */
  ephemeral: boolean;
  /** The interaction nonce, when Discord echoed it (gateway MESSAGE_CREATE). */
  nonce?: string;
}

export interface ParseOptions {
  /** Authors counted as Midjourney. Default: the Midjourney and Niji bots. */
  botIds?: readonly Snowflake[];
}

// Greedy on the prompt so a `**` inside it does not cut it short; the detail follows the last `** - `.
const JOB_CONTENT = /\*\*([\s\S]+)\*\* - ([\s\S]*)$/;
const MENTION = /<@!?(\d+)>/;
// Markdown links such as `[(Open on website for full quality)](<https://midjourney.com/jobs/...>)`.
const MARKDOWN_LINK = /\[[^\]]*\]\(<?[^)>]*>?\)/g;
const STATUS_GROUP = /\(([^()]*)\)/g;
const NOISE = /^(displaying|animating)\b[^\n]*\.\.\.$/i;

export function parseMessage(input: APIMessage, options: ParseOptions = {}): ParsedMessage {
  const botIds = options.botIds ?? MIDJOURNEY_BOT_IDS;
  const message = fieldsOf(input);
  const content = text(message.content);
  const flags = Number.isSafeInteger(message.flags) ? (message.flags as number) : 0;
  const authorId = text(fieldsOf(message.author).id);
  const attachments = attachmentsOf(message.attachments);
  const parsed: ParsedMessage = {
    messageId: text(message.id),
    channelId: text(message.channel_id),
    authorId,
    fromMidjourney: botIds.includes(authorId),
    content,
    state: 'unknown',
    stealth: false,
    imageUrls: attachments.map((a) => a.url),
    actions: actionsOf(message.components as APIMessage['components']),
    embeds: recordsOf(message.embeds).map(parseEmbed),
    flags,
    ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
  };
  if (typeof message.nonce === 'string' || typeof message.nonce === 'number') {
    parsed.nonce = String(message.nonce);
  }
  const jobId = findJobId(attachments, message.components, content);
  if (jobId !== undefined) parsed.jobId = jobId;

  const job = JOB_CONTENT.exec(content);
  if (job) {
    parsed.prompt = job[1]!.trim();
    readDetail(parsed, job[2] ?? '');
  } else if (NOISE.test(content.trim())) {
    parsed.state = 'noise';
  } else if (parsed.embeds.length > 0 || content.trim() !== '') {
    parsed.state = 'notice';
  }
  const firstMention = fieldsOf(recordsOf(message.mentions)[0]).id;
  const mention = MENTION.exec(content)?.[1] ?? (typeof firstMention === 'string' ? firstMention : undefined);
  if (mention !== undefined) parsed.userId = mention;
  placeImages(parsed);
  return parsed;
}

/** Reads everything after `**prompt** - `: the action detail, the mention and the status groups. */
function readDetail(parsed: ParsedMessage, rawDetail: string): void {
  const detail = rawDetail.replace(MARKDOWN_LINK, '').trim();
  const mentionAt = detail.search(MENTION);
  const before = (mentionAt >= 0 ? detail.slice(0, mentionAt) : '').trim();
  const after = mentionAt >= 0 ? detail.slice(mentionAt).replace(MENTION, '') : detail;
  const statuses = [...after.matchAll(STATUS_GROUP)].map((m) => m[1]!.trim().toLowerCase());

  let state: MessageState = 'done';
  for (const status of statuses) {
    const percent = /^(\d{1,3})%$/.exec(status);
    if (percent) {
      parsed.percent = Math.min(100, Number(percent[1]));
      state = 'progress';
    } else if (status === 'waiting to start' || status === 'paused') state = 'waiting';
    else if (status === 'stopped') state = 'stopped';
    else readMode(parsed, status);
  }

  const variant = before.replace(/\s+by$/i, '').trim();
  if (variant !== '') {
    parsed.variant = variant;
    const image = /^Image #([1-4])$/i.exec(variant);
    if (image) parsed.imageIndex = Number(image[1]);
    // Only a finished result takes the action's state; progress and waiting stay what they are.
    if (state === 'done') state = /^(image #|upscaled)/i.test(variant) ? 'upscale' : 'variation';
  }
  parsed.state = state;
}

/** `fast`, `relaxed`, `turbo`, optionally `, stealth`: `(relaxed, stealth)`. */
function readMode(parsed: ParsedMessage, status: string): void {
  for (const word of status.split(/[\s,]+/)) {
    if (word === 'fast') parsed.mode = 'fast';
    else if (word === 'relaxed' || word === 'relax') parsed.mode = 'relax';
    else if (word === 'turbo') parsed.mode = 'turbo';
    else if (word === 'stealth') parsed.stealth = true;
  }
}

/** While in progress the attachment is a preview; once finished it is the result. */
function placeImages(parsed: ParsedMessage): void {
  const first = parsed.imageUrls[0];
  if (first === undefined) return;
  if (parsed.state === 'progress' || parsed.state === 'waiting') {
    parsed.previewUrl = first;
    parsed.imageUrls = [];
  } else {
    parsed.imageUrl = first;
  }
}

function parseEmbed(embed: Record<string, unknown>): ParsedEmbed {
  const out: ParsedEmbed = {};
  if (typeof embed.title === 'string') out.title = embed.title;
  if (typeof embed.description === 'string') out.description = embed.description;
  if (typeof embed.color === 'number' && Number.isFinite(embed.color)) out.color = embed.color;
  const footer = fieldsOf(embed.footer).text;
  if (typeof footer === 'string') out.footer = footer;
  const image = fieldsOf(embed.image).url;
  if (typeof image === 'string') out.imageUrl = image;
  return out;
}

/** An object's fields, or none when it is not an object. */
function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function recordsOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter(
        (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
      )
    : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

interface LooseAttachment {
  filename: string;
  url: string;
}

/** Attachments with a URL (the image); a missing filename reads as empty. */
function attachmentsOf(value: unknown): LooseAttachment[] {
  return recordsOf(value)
    .filter((a) => typeof a.url === 'string')
    .map((a) => ({ filename: text(a.filename), url: a.url as string }));
}

/**
 * The job UUID: from the grid filename `<user>_<slug>_<uuid>.png` (after the last `_`, else anywhere
 * in the name), a CDN path
 * `cdn.midjourney.com/<uuid>/0_0.png`, a button's custom_id, or the website link in the content.
 */
function findJobId(
  attachments: readonly LooseAttachment[],
  components: unknown,
  content: string,
): string | undefined {
  for (const attachment of attachments) {
    const stem = attachment.filename.replace(/\.[a-z0-9]+$/i, '');
    const last = stem.slice(stem.lastIndexOf('_') + 1);
    if (isUuid(last)) return last.toLowerCase();
    // Previews: `<slug>_<uuid>_grid_0.webp`.
    const inName = JOB_ID_PATTERN.exec(attachment.filename)?.[0];
    if (inName !== undefined) return inName.toLowerCase();
    const inUrl = /\/([0-9a-f-]{36})\/\d+_\d+\.[a-z]+/i.exec(attachment.url)?.[1];
    if (inUrl !== undefined && isUuid(inUrl)) return inUrl.toLowerCase();
  }
  for (const row of recordsOf(components)) {
    for (const button of recordsOf(row.components)) {
      const id =
        typeof button.custom_id === 'string' ? JOB_ID_PATTERN.exec(button.custom_id)?.[0] : undefined;
      if (id !== undefined) return id.toLowerCase();
    }
  }
  const link = /midjourney\.com\/jobs\/([0-9a-f-]{36})/i.exec(content)?.[1];
  return link !== undefined && isUuid(link) ? link.toLowerCase() : undefined;
}

function isUuid(text: string): boolean {
  return text.length === 36 && JOB_ID_PATTERN.test(text);
}
