/**
 * Reads a Midjourney bot message into data: the echoed prompt, who it is for, the job's state and
 * progress, the job id, image URLs and the buttons. Pure: no I/O, no clock.
 *
 * Content grammar (see /work/shared/MIDJOURNEY.md): `**<prompt>** - <detail> <@user> (<status>)...`,
 * where the detail names an action result (`Image #2`, `Variations (Strong) by`, `Zoom Out by`).
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

export function parseMessage(message: APIMessage, options: ParseOptions = {}): ParsedMessage {
  const botIds = options.botIds ?? MIDJOURNEY_BOT_IDS;
  const content = message.content ?? '';
  const flags = message.flags ?? 0;
  const parsed: ParsedMessage = {
    messageId: message.id,
    channelId: message.channel_id,
    authorId: message.author?.id ?? '',
    fromMidjourney: botIds.includes(message.author?.id ?? ''),
    content,
    state: 'unknown',
    stealth: false,
    imageUrls: (message.attachments ?? []).map((a) => a.url),
    actions: actionsOf(message.components),
    embeds: (message.embeds ?? []).map(parseEmbed),
    flags,
    ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
  };
  if (message.nonce !== undefined && message.nonce !== null) parsed.nonce = String(message.nonce);
  const jobId = findJobId(message, content);
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
  const mention = MENTION.exec(content)?.[1] ?? message.mentions?.[0]?.id;
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

function parseEmbed(embed: APIMessage['embeds'][number]): ParsedEmbed {
  const out: ParsedEmbed = {};
  if (embed.title !== undefined) out.title = embed.title;
  if (embed.description !== undefined) out.description = embed.description;
  if (embed.color !== undefined) out.color = embed.color;
  if (embed.footer?.text !== undefined) out.footer = embed.footer.text;
  if (embed.image?.url !== undefined) out.imageUrl = embed.image.url;
  return out;
}

/**
 * The job UUID: from the grid filename `<user>_<slug>_<uuid>.png` (after the last `_`, else anywhere
 * in the name), a CDN path
 * `cdn.midjourney.com/<uuid>/0_0.png`, a button's custom_id, or the website link in the content.
 */
function findJobId(message: APIMessage, content: string): string | undefined {
  for (const attachment of message.attachments ?? []) {
    const stem = attachment.filename.replace(/\.[a-z0-9]+$/i, '');
    const last = stem.slice(stem.lastIndexOf('_') + 1);
    if (isUuid(last)) return last.toLowerCase();
    // Previews: `<slug>_<uuid>_grid_0.webp`.
    const inName = JOB_ID_PATTERN.exec(attachment.filename)?.[0];
    if (inName !== undefined) return inName.toLowerCase();
    const inUrl = /\/([0-9a-f-]{36})\/\d+_\d+\.[a-z]+/i.exec(attachment.url)?.[1];
    if (inUrl !== undefined && isUuid(inUrl)) return inUrl.toLowerCase();
  }
  for (const row of message.components ?? []) {
    for (const button of row.components ?? []) {
      const id = button.custom_id === undefined ? undefined : JOB_ID_PATTERN.exec(button.custom_id)?.[0];
      if (id !== undefined) return id.toLowerCase();
    }
  }
  const link = /midjourney\.com\/jobs\/([0-9a-f-]{36})/i.exec(content)?.[1];
  return link !== undefined && isUuid(link) ? link.toLowerCase() : undefined;
}

function isUuid(text: string): boolean {
  return text.length === 36 && JOB_ID_PATTERN.test(text);
}
