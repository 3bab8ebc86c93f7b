/**
 * Which job a Midjourney message belongs to. Pure: the channel router feeds it the jobs in flight
 * and one observed message, and applies the decision.
 *
 * The rule, strongest evidence first (never a marker in the prompt):
 *  1. nonce: the interaction nonce Discord echoes on the job's first message over the gateway; a
 *     message carrying a nonce that is not ours belongs to someone else and is never matched on text;
 *  2. interaction: `interaction_metadata.id` equal to the interaction id the gateway reported for
 *     our nonce;
 *  3. message id: a message already bound to a job (progress edits, deletions) stays with it, and
 *     a reply to a job's own waiting / progress message (Midjourney's outage notice) joins it;
 *  4. text, for a new message: from a Midjourney application, mentioning our user, newer than the
 *     job's recorded last message id, of a kind the job can produce (a grid for imagine / reroll /
 *     variation, "Image #n" for the matching upscale), and whose echoed prompt matches the job's
 *     prompt after normalisation. Among several such jobs (same prompt):
 *     - Midjourney's job UUID: a job whose UUID is known takes its own result and no other;
 *     - a reply to a button's source message only goes to jobs started from that message;
 *     - a first message (waiting, progress) goes to the earliest submitted job that has none
 *       yet: Midjourney starts a user's jobs in submission order;
 *     - a notice (an embed; its prompt is read from the `/imagine <prompt>` footer) goes to the job
 *       whose progress message just vanished (it died: output filter), else to the earliest one
 *       not started (refusals come before a start), else to the earliest;
 *     - a result goes to the job whose progress message it replaced (that message was deleted);
 *       when that is not known yet the decision is deferred until the deletion is seen, and only
 *       then, or when deferring no longer helps, falls back to submission order.
 *     Ambiguity is only ever resolved among jobs with the same prompt: never across prompts.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import { promptsMatch } from '../midjourney/normalize.js';
import type { ParsedMessage } from '../midjourney/parser.js';
import { compareSnowflakes } from '../util/snowflake.js';
import type { JobKind } from './types.js';

/** A job in flight as correlation sees it. */
export interface CorrelationJob {
  /** Local job id. */
  id: string;
  /** Submission order in this process (resumed jobs get the order of their ticket's time). */
  seq: number;
  kind: JobKind;
  /** The text the echo must match: the caller's prompt, or for actions the source's echoed prompt. */
  prompt: string;
  nonce: Snowflake;
  /** The channel's newest message before the job was sent; its messages come after. */
  afterMessageId: Snowflake | null;
  /** The interaction id Discord gave our nonce (gateway INTERACTION_CREATE), when seen. */
  interactionId?: Snowflake | undefined;
  /** For actions: the result message whose button was pressed. */
  sourceMessageId?: Snowflake | undefined;
  /** For upscales: which image (1–4). */
  imageIndex?: number | undefined;
  /** Midjourney's job UUID, once a message of the job revealed it. */
  midjourneyJobId?: string | undefined;
  /** Bound to a waiting / progress message of its own. */
  started: boolean;
  /** A waiting / progress message of the job was deleted: a result may have replaced it. */
  replaced: boolean;
  /** Already holds a result message: later results belong to other jobs. */
  hasResult: boolean;
}

export interface ObservedMessage {
  message: APIMessage;
  parsed: ParsedMessage;
}

export interface CorrelationContext {
  /** Our user id; text matches require the message to mention it. */
  userId: Snowflake | undefined;
  /** Message ids already bound, to their job. */
  boundTo: (messageId: Snowflake) => string | undefined;
  /** The job owning a waiting / progress message (not a result), for replies to it. */
  replyOwner?: (messageId: Snowflake) => string | undefined;
  /** No more evidence is worth waiting for: break remaining ties by submission order. */
  final: boolean;
}

export type MatchReason = 'nonce' | 'interaction' | 'message-id' | 'reply' | 'job-id' | 'text';

export type Correlation =
  | { type: 'match'; jobId: string; reason: MatchReason }
  /** Several same-prompt jobs fit and the deciding evidence (a deletion) may still come. */
  | { type: 'defer'; jobIds: string[] }
  | { type: 'none' };

type MessageRole = 'first' | 'notice' | 'grid' | 'upscale' | 'ignore';

/** What a new message can be for a job, from its parsed state. */
export function messageRole(parsed: ParsedMessage): MessageRole {
  switch (parsed.state) {
    case 'waiting':
    case 'progress':
    case 'stopped':
      return 'first';
    case 'notice':
    case 'unknown':
      return 'notice';
    case 'done':
    case 'variation':
      return 'grid';
    case 'upscale':
      return 'upscale';
    default:
      return 'ignore';
  }
}

/** The prompt a message echoes: from the content, else a notice's `/imagine <prompt>` footer. */
export function echoedPromptOf(parsed: ParsedMessage): string | undefined {
  if (parsed.prompt !== undefined) return parsed.prompt;
  for (const embed of parsed.embeds) {
    const match = /^\/imagine\s+([\s\S]+)$/i.exec(embed.footer?.trim() ?? '');
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** The user a Midjourney message is for: the `<@id>` in the content, else the interaction's user. */
export function addresseeOf(observed: ObservedMessage): Snowflake | undefined {
  const { message, parsed } = observed;
  return parsed.userId ?? message.interaction_metadata?.user.id ?? message.mentions[0]?.id;
}

function isAfter(id: Snowflake, after: Snowflake | null): boolean {
  return after === null || compareSnowflakes(id, after) > 0;
}

function bySeq(a: CorrelationJob, b: CorrelationJob): number {
  return a.seq - b.seq;
}

type KindGroup = 'grid' | 'variation' | 'upscale';

function kindGroup(kind: JobKind): KindGroup {
  return kind === 'upscale' ? 'upscale' : kind === 'variation' ? 'variation' : 'grid';
}

/** What kind of job a message's wording says it is for (`Variations by`, `Image #2`, or plain). */
export function variantGroup(parsed: ParsedMessage): KindGroup {
  const variant = parsed.variant;
  if (parsed.state === 'upscale' || parsed.imageIndex !== undefined) return 'upscale';
  if (variant === undefined) return 'grid';
  if (/image #|upscal/i.test(variant)) return 'upscale';
  if (/variation|vary|remix|zoom|pan/i.test(variant)) return 'variation';
  return 'grid';
}

function kindAccepts(job: CorrelationJob, role: MessageRole, parsed: ParsedMessage): boolean {
  if (job.hasResult) return false;
  if (role === 'first') {
    return !job.started && (job.kind !== 'upscale' || variantGroup(parsed) === 'upscale');
  }
  if (role === 'notice') return true;
  if (role === 'upscale') {
    return (
      job.kind === 'upscale' && (parsed.imageIndex === undefined || job.imageIndex === parsed.imageIndex)
    );
  }
  return job.kind !== 'upscale';
}

/** Decides which job, if any, `observed` belongs to. */
export function correlate(
  observed: ObservedMessage,
  jobs: readonly CorrelationJob[],
  context: CorrelationContext,
): Correlation {
  const { message, parsed } = observed;
  const nonce = message.nonce === undefined ? parsed.nonce : String(message.nonce);

  if (nonce !== undefined) {
    const job = jobs.find((j) => j.nonce === nonce);
    if (job) return { type: 'match', jobId: job.id, reason: 'nonce' };
  }
  const interactionId = message.interaction_metadata?.id;
  if (interactionId !== undefined) {
    const job = jobs.find((j) => j.interactionId === interactionId);
    if (job) return { type: 'match', jobId: job.id, reason: 'interaction' };
  }
  const bound = context.boundTo(message.id);
  if (bound !== undefined) return { type: 'match', jobId: bound, reason: 'message-id' };
  const repliedTo = message.message_reference?.message_id;
  const replyOwner = repliedTo === undefined ? undefined : context.replyOwner?.(repliedTo);
  if (replyOwner !== undefined) return { type: 'match', jobId: replyOwner, reason: 'reply' };
  // Someone else's interaction: its text may equal ours, but it is not ours.
  if (nonce !== undefined) return { type: 'none' };

  const echoed = echoedPromptOf(parsed);
  if (!parsed.fromMidjourney || echoed === undefined) return { type: 'none' };
  const addressee = addresseeOf(observed);
  if (context.userId === undefined || addressee !== context.userId) return { type: 'none' };
  const role = messageRole(parsed);
  if (role === 'ignore') return { type: 'none' };

  let candidates = jobs.filter(
    (job) =>
      isAfter(message.id, job.afterMessageId) &&
      kindAccepts(job, role, parsed) &&
      promptsMatch(job.prompt, echoed),
  );
  if (candidates.length === 0) return { type: 'none' };
  // The wording ("Variations by", "Image #2") narrows the kind when a job of that kind waits.
  const group = variantGroup(parsed);
  if (candidates.some((job) => kindGroup(job.kind) === group)) {
    candidates = candidates.filter((job) => kindGroup(job.kind) === group);
  }

  // Midjourney's UUID is the strongest text-side evidence: it names the job outright.
  if (parsed.jobId !== undefined) {
    const own = candidates.find((job) => job.midjourneyJobId === parsed.jobId);
    if (own) return { type: 'match', jobId: own.id, reason: 'job-id' };
    candidates = candidates.filter((job) => job.midjourneyJobId === undefined);
    if (candidates.length === 0) return { type: 'none' };
  }
  if (repliedTo !== undefined && candidates.some((job) => job.sourceMessageId === repliedTo)) {
    candidates = candidates.filter((job) => job.sourceMessageId === repliedTo);
  }
  candidates.sort(bySeq);
  const first = candidates[0];
  if (first === undefined) return { type: 'none' };
  if (candidates.length === 1 || role === 'first') {
    return { type: 'match', jobId: first.id, reason: 'text' };
  }
  if (role === 'notice') {
    const pick = candidates.find((job) => job.replaced) ?? candidates.find((job) => !job.started) ?? first;
    return { type: 'match', jobId: pick.id, reason: 'text' };
  }

  // A result among several same-prompt jobs: it replaces one of the progress messages.
  const replaced = candidates.filter((job) => job.replaced);
  if (replaced.length === 1 && replaced[0]) {
    return { type: 'match', jobId: replaced[0].id, reason: 'text' };
  }
  const started = candidates.filter((job) => job.started);
  const waitingForDeletion = replaced.length === 0 && started.length > 0;
  if (waitingForDeletion && !context.final) {
    return { type: 'defer', jobIds: candidates.map((job) => job.id) };
  }
  const pool = replaced.length > 0 ? replaced : started.length > 0 ? started : candidates;
  const pick = pool[0] ?? first;
  return { type: 'match', jobId: pick.id, reason: 'text' };
}
