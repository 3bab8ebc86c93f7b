/**
 * Which job a Midjourney message belongs to. Pure: the channel router feeds it the jobs in flight
 * and one observed message, and applies the decision.
 *
 * Midjourney's messages are replies to our interactions: besides the text, Discord says which
 * interaction a reply answers (`interaction_metadata`, and the deprecated `interaction` next to
 * it: id, type, command name, user; `interacted_message_id` on button results) and which message
 * it replies to (`message_reference`, `referenced_message`). Whether a notice's embed carries the
 * `/imagine <prompt>` footer varies, so no rule may depend on it alone.
 *
 * Two bots speak this grammar (Midjourney and niji・journey) and may run jobs in one channel at
 * once, even with the same prompt: a job knows its bot (`botId`, the bot user, which is its
 * application id) and no rule below ever gives it a message another bot authored.
 *
 * The rule, strongest evidence first (never a marker in the prompt):
 *  1. nonce: the interaction nonce Discord echoes on the job's first message over the gateway (and
 *     at times on later ones; a resumed job that may have answered a form has two, see `form`); a message carrying a nonce that is not ours belongs to someone else
 *     and is never matched on anything weaker;
 *  2. interaction id: the message's `interaction_metadata.id` (or `interaction.id`) equals the
 *     interaction id the job is known by: the gateway's INTERACTION_CREATE / SUCCESS for our
 *     nonce, or the id on a message already bound to the job (its first message over the gateway
 *     carries both the nonce and the id; in a poll, its waiting message);
 *  3. message id: a message already bound to a job (progress edits, deletions) stays with it, and
 *     a reply to a job's own waiting / progress message (Midjourney's outage notice) joins it;
 *  Below this line a message must be from a Midjourney application, addressed to our user (the
 *  `<@id>` in the content, else the interaction's user), newer than the job's recorded last
 *  message id (strictly), and fit the job's interaction: the same command (`interaction_metadata
 *  .name`, e.g. `imagine`; a button press is a component interaction, type 3), the same source
 *  message for a button (`interacted_message_id`, else the message replied to), and not another
 *  interaction id than the one the job is known by. For first messages and notices, also the
 *  order of interactions: Discord numbers interactions as it receives them and we send a user's
 *  jobs one at a time in submission order, so a job whose interaction id is unknown cannot own an
 *  id smaller than that of a job submitted before it, nor larger than that of one submitted after
 *  it; and with k of our held messages carrying smaller interaction ids (each another waiting
 *  job's), at least k waiting jobs come before the owner (as many after it for larger ones).
 *  4. text, for a new message whose prompt can be read (the content, else a notice's footer): of
 *     a kind the job can produce (a grid for imagine / reroll / variation, "Image #n" for the
 *     matching upscale), and whose echoed prompt matches the job's prompt after normalisation (for
 *     a resumed job's reply to a modal submit, the form's prompt: see `form`).
 *     Among several such jobs (same prompt):
 *     - Midjourney's job UUID: a job whose UUID is known takes its own result and no other;
 *     - a reply to a button's source message only goes to jobs started from that message;
 *     - a first message (waiting, progress) goes to the earliest submitted job that has none
 *       yet (among those the order of interactions allows): Midjourney starts a user's jobs in
 *       submission order;
 *     - a notice that is a reply follows rule 5 among them (the one whose progress message
 *       vanished, it died: output filter; else the only one waiting for its first message; else
 *       deferred); a notice that says nothing of its interaction goes to the job whose progress
 *       message vanished, else to the earliest one not started, else to the earliest;
 *     - a result goes to the job whose progress message it replaced (that message was deleted);
 *       when that is not known yet the decision is deferred until the deletion is seen, and only
 *       then, or when deferring no longer helps, falls back to submission order.
 *     Ambiguity is only ever resolved among jobs with the same prompt: never across prompts.
 *  5. interaction, for a message without a readable prompt (a notice without the footer, the
 *     plain-text failure): it belongs to the job still waiting for its first message (no
 *     interaction id known, not started or its progress message vanished, no result) when that
 *     job is the only one that fits, and is not a resumed job: after a restart the channel may hold
 *     a notice of a job that ended in the process before, which no job here knows of, so "the only
 *     one waiting" proves nothing (a resumed job is then followed by its own prompt-bearing
 *     messages, or ends by the restart rule). With several, the message is deferred until later evidence
 *     decides (a job's own first message reveals its interaction id; a job ends after showing
 *     one) and never guessed, even at the end: a refusal given to the wrong job swaps two
 *     outcomes. When a candidate ends having shown nothing (its deadline), the router never
 *     delivers the message at all.
 */
import { type APIMessage, InteractionType, type Snowflake } from '../discord/types.js';
import { promptsMatch } from '../midjourney/normalize.js';
import type { ParsedMessage } from '../midjourney/parser.js';
import { compareSnowflakes } from '../util/snowflake.js';
import type { JobKind } from './types.js';

/** A job in flight as correlation sees it. */
export interface CorrelationJob {
  /** Local job id. */
  id: string;
  /**
   * The bot the job was sent to (its bot user id, which is its application id): only messages it
   * authored can be the job's. Undefined: any Midjourney-grammar bot (older callers).
   */
  botId?: Snowflake | undefined;
  /** Submission order in this process (resumed jobs get the order of their ticket's time). */
  seq: number;
  kind: JobKind;
  /**
   * The application command the job ran, by name. Default: `imagine` for an imagine job, none for
   * the button jobs (a button press is a component interaction, not a command).
   */
  command?: string | undefined;
  /** The text the echo must match: the caller's prompt, or for actions the source's echoed prompt. */
  prompt: string;
  nonce: Snowflake;
  /** The channel's newest message before the job was sent; its messages come after. */
  afterMessageId: Snowflake | null;
  /**
   * The interaction id Discord gave our nonce (gateway INTERACTION_CREATE / SUCCESS), or the one
   * a message bound to the job carried, when known.
   */
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
  /**
   * Followed after a restart (`resume`): the channel after its `afterMessageId` may hold messages
   * of jobs that ended in the process before, which this process never tracked. Rule 5 never
   * takes such a job as the sole candidate (see the file comment).
   */
  resumed?: boolean;
  /**
   * A resumed button job that may have answered a form (its ticket's `formNonce`): the form
   * submit's nonce and the prompt the form set. Once the form was submitted the job's messages
   * carry these and answer a modal submit (interaction type 5); with no form (Remix off) they
   * carry `nonce`, echo `prompt` and answer the button (type 3). Rules 1 and 4 accept either.
   */
  form?: { nonce: Snowflake; prompt: string } | undefined;
}

export interface ObservedMessage {
  message: APIMessage;
  parsed: ParsedMessage;
}

export interface CorrelationContext {
  /** Our user id; rules 4 and 5 require the message to be addressed to it. */
  userId: Snowflake | undefined;
  /** Message ids already bound, to their job. */
  boundTo: (messageId: Snowflake) => string | undefined;
  /** The job owning a waiting / progress message (not a result), for replies to it. */
  replyOwner?: (messageId: Snowflake) => string | undefined;
  /** No more evidence is worth waiting for: break remaining same-prompt ties by submission order. */
  final: boolean;
  /**
   * Interaction ids of our messages held for want of evidence (each is one of the jobs still
   * waiting for its first message): what the order rule counts. Default none.
   */
  heldInteractionIds?: readonly Snowflake[];
}

export type MatchReason = 'nonce' | 'interaction' | 'message-id' | 'reply' | 'job-id' | 'text' | 'sole-job';

export type Correlation =
  | { type: 'match'; jobId: string; reason: MatchReason }
  /**
   * Several jobs fit and deciding evidence may still come: a deletion (same-prompt results) or
   * a job's own first message (notices without a prompt).
   */
  | { type: 'defer'; jobIds: string[]; waitingFor: 'deletion' | 'first-message' }
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

/** What a reply says about the interaction it answers, from either of Discord's two objects. */
export interface InteractionEvidence {
  id?: Snowflake;
  /** 2 application command, 3 message component (a button), 5 modal submit. */
  type?: number;
  /** The command's name (application commands). */
  name?: string;
  userId?: Snowflake;
  /** Button results: the message whose button was pressed. */
  interactedMessageId?: Snowflake;
}

/**
 * The interaction a message answers: `interaction_metadata`, completed by the deprecated
 * `interaction` (Discord sends either or both); undefined when the message is not a reply to one.
 */
export function interactionOf(message: APIMessage): InteractionEvidence | undefined {
  const meta = message.interaction_metadata;
  const legacy = message.interaction;
  if (meta === undefined && legacy === undefined) return undefined;
  const evidence: InteractionEvidence = {};
  const id = meta?.id ?? legacy?.id;
  const type = meta?.type ?? legacy?.type;
  const name = meta?.name ?? (legacy?.name || undefined);
  const userId = meta?.user?.id ?? legacy?.user?.id;
  if (id !== undefined) evidence.id = id;
  if (type !== undefined) evidence.type = type;
  if (name !== undefined) evidence.name = name;
  if (userId !== undefined) evidence.userId = userId;
  if (meta?.interacted_message_id !== undefined) evidence.interactedMessageId = meta.interacted_message_id;
  return evidence;
}

/** The message a reply refers to: `message_reference`, else the `referenced_message` itself. */
export function repliedToOf(message: APIMessage): Snowflake | undefined {
  return message.message_reference?.message_id ?? message.referenced_message?.id ?? undefined;
}

/** The user a Midjourney message is for: the `<@id>` in the content, else the interaction's user. */
export function addresseeOf(observed: ObservedMessage): Snowflake | undefined {
  const { message, parsed } = observed;
  return parsed.userId ?? interactionOf(message)?.userId ?? message.mentions[0]?.id;
}

/** The command a job ran (see `CorrelationJob.command`); undefined for a button press. */
export function commandOf(job: CorrelationJob): string | undefined {
  return job.command ?? (job.kind === 'imagine' ? 'imagine' : undefined);
}

/**
 * Whether the interaction a message answers can be the job's: the same command, the same source
 * message for a button, and not an interaction id other than the job's.
 */
export function fitsInteraction(
  job: CorrelationJob,
  evidence: InteractionEvidence | undefined,
  repliedTo: Snowflake | undefined,
): boolean {
  if (evidence === undefined) return true;
  if (evidence.id !== undefined && job.interactionId !== undefined && evidence.id !== job.interactionId) {
    return false;
  }
  const command = commandOf(job);
  if (evidence.type === InteractionType.ApplicationCommand) {
    return command !== undefined && (evidence.name === undefined || evidence.name === command);
  }
  if (evidence.type === InteractionType.MessageComponent) {
    if (command !== undefined) return false;
    const source = evidence.interactedMessageId ?? repliedTo;
    return source === undefined || job.sourceMessageId === undefined || source === job.sourceMessageId;
  }
  return true;
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

/**
 * The order rule (see the file comment): whether `job`, whose interaction id is unknown, can own
 * interaction `id` given the ids of the other jobs and of the held messages.
 */
export function orderAllows(
  job: CorrelationJob,
  id: Snowflake,
  jobs: readonly CorrelationJob[],
  held: readonly Snowflake[] = [],
): boolean {
  if (job.interactionId !== undefined) return job.interactionId === id;
  for (const other of jobs) {
    if (other.interactionId === undefined || other === job) continue;
    const order = compareSnowflakes(other.interactionId, id);
    if (other.seq < job.seq && order > 0) return false;
    if (other.seq > job.seq && order < 0) return false;
  }
  const unknown = jobs.filter((j) => j.interactionId === undefined).sort(bySeq);
  const position = unknown.indexOf(job);
  // Held ids of jobs already known say nothing about the waiting ones.
  const others = new Set(held.filter((h) => h !== id && !jobs.some((j) => j.interactionId === h)));
  let before = 0;
  let after = 0;
  for (const h of others) {
    if (compareSnowflakes(h, id) < 0) before += 1;
    else after += 1;
  }
  return position >= before && unknown.length - 1 - position >= after;
}

/**
 * The prompts a job's message may echo (rule 4): a job that may have answered a form echoes the
 * form's prompt on replies to the modal submit, its own on replies to the button, either when the
 * message does not say which interaction it answers.
 */
function promptsOf(job: CorrelationJob, evidence: InteractionEvidence | undefined): string[] {
  if (job.form === undefined) return [job.prompt];
  if (evidence?.type === InteractionType.ModalSubmit) return [job.form.prompt];
  if (evidence?.type === InteractionType.MessageComponent) return [job.prompt];
  return [job.prompt, job.form.prompt];
}

/** Rule 5: no message of the job revealed its interaction yet, and none may still come first. */
function awaitsFirstMessage(job: CorrelationJob): boolean {
  return job.interactionId === undefined && !job.hasResult && (!job.started || job.replaced);
}

/** Whether the message's author is the job's bot (always, for a job that names none). */
export function fromJobsBot(job: CorrelationJob, parsed: ParsedMessage): boolean {
  return job.botId === undefined || parsed.authorId === job.botId;
}

/** Decides which job, if any, `observed` belongs to. */
export function correlate(
  observed: ObservedMessage,
  allJobs: readonly CorrelationJob[],
  context: CorrelationContext,
): Correlation {
  const { message, parsed } = observed;
  const nonce = message.nonce === undefined ? parsed.nonce : String(message.nonce);
  const evidence = interactionOf(message);
  // Another bot's message is never a job's, whatever else it shares with it (prompt, user, order).
  const jobs = allJobs.filter((job) => fromJobsBot(job, parsed));

  // 1. nonce
  if (nonce !== undefined) {
    const job = jobs.find((j) => j.nonce === nonce || j.form?.nonce === nonce);
    if (job) return { type: 'match', jobId: job.id, reason: 'nonce' };
  }
  // 2. interaction id
  if (evidence?.id !== undefined) {
    const job = jobs.find((j) => j.interactionId === evidence.id);
    if (job) return { type: 'match', jobId: job.id, reason: 'interaction' };
  }
  // 3. message id, replies to a job's own first message
  const bound = context.boundTo(message.id);
  if (bound !== undefined) return { type: 'match', jobId: bound, reason: 'message-id' };
  const repliedTo = repliedToOf(message);
  const replyOwner = repliedTo === undefined ? undefined : context.replyOwner?.(repliedTo);
  if (replyOwner !== undefined && jobs.some((job) => job.id === replyOwner)) {
    return { type: 'match', jobId: replyOwner, reason: 'reply' };
  }
  // Someone else's interaction: its text may equal ours, but it is not ours.
  if (nonce !== undefined) return { type: 'none' };

  if (!parsed.fromMidjourney) return { type: 'none' };
  const addressee = addresseeOf(observed);
  if (context.userId === undefined || addressee !== context.userId) return { type: 'none' };
  const role = messageRole(parsed);
  if (role === 'ignore') return { type: 'none' };
  const interactionId = evidence?.id;
  const fitting = jobs.filter(
    (job) =>
      isAfter(message.id, job.afterMessageId) &&
      kindAccepts(job, role, parsed) &&
      fitsInteraction(job, evidence, repliedTo) &&
      (interactionId === undefined ||
        role === 'grid' ||
        role === 'upscale' ||
        // Discord numbers both bots' interactions on one counter, and we send them one at a time.
        orderAllows(job, interactionId, allJobs, context.heldInteractionIds)),
  );

  const echoed = echoedPromptOf(parsed);
  if (echoed === undefined) {
    // 5. interaction, without a prompt to read
    if (evidence === undefined) return { type: 'none' };
    const waiting = fitting.filter(awaitsFirstMessage).sort(bySeq);
    const [only] = waiting;
    if (only === undefined) return { type: 'none' };
    if (waiting.some((job) => job.resumed === true)) return { type: 'none' };
    if (waiting.length === 1) return { type: 'match', jobId: only.id, reason: 'sole-job' };
    return { type: 'defer', jobIds: waiting.map((job) => job.id), waitingFor: 'first-message' };
  }

  // 4. text
  let candidates = fitting.filter((job) =>
    promptsOf(job, evidence).some((prompt) => promptsMatch(prompt, echoed)),
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
  const source = evidence?.interactedMessageId ?? repliedTo;
  if (source !== undefined && candidates.some((job) => job.sourceMessageId === source)) {
    candidates = candidates.filter((job) => job.sourceMessageId === source);
  }
  candidates.sort(bySeq);
  const first = candidates[0];
  if (first === undefined) return { type: 'none' };
  if (candidates.length === 1 || role === 'first') {
    return { type: 'match', jobId: first.id, reason: 'text' };
  }
  if (role === 'notice') {
    if (evidence !== undefined) {
      // A reply: the same no-guess rule as without a prompt (rule 5).
      const waiting = candidates.filter(awaitsFirstMessage);
      if (waiting.some((job) => job.resumed === true)) return { type: 'none' };
      const died = waiting.filter((job) => job.replaced);
      const pick = died.length === 1 ? died[0] : waiting.length === 1 ? waiting[0] : undefined;
      if (pick) return { type: 'match', jobId: pick.id, reason: 'text' };
      if (waiting.length > 1) {
        return { type: 'defer', jobIds: waiting.map((job) => job.id), waitingFor: 'first-message' };
      }
    }
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
    return { type: 'defer', jobIds: candidates.map((job) => job.id), waitingFor: 'deletion' };
  }
  const pool = replaced.length > 0 ? replaced : started.length > 0 ? started : candidates;
  const pick = pool[0] ?? first;
  return { type: 'match', jobId: pick.id, reason: 'text' };
}
