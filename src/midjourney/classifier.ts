/**
 * Decides what a Midjourney message (or a deletion) means for a job. Pure. Order:
 * 1. a finished result that became ephemeral is ephemeral moderation;
 * 2. the rows of `OUTCOME_RULES` (embed titles first, then descriptions, content, buttons);
 * 3. the job's own content grammar (waiting, progress, done, stopped, noise);
 * 4. the embed colour (red: an unknown refusal; yellow: a warning, the job goes on);
 * 5. anything else with text or an embed is `unknown`, terminal, with the raw message kept: never
 *    a silent hang. (A message with neither is noise: there is nothing in it to report.)
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import { EmbedColor } from './constants.js';
import type { AccountNoticeReason } from './errors.js';
import { OUTCOME_RULES, OUTCOME_TRAITS, type OutcomeRule, type TextPattern } from './outcomes.js';
import { extractParameter } from './parameters.js';
import { type MessageState, type ParsedEmbed, type ParsedMessage, parseMessage } from './parser.js';

export type OutcomeKind =
  | 'success'
  | 'waiting'
  | 'progress'
  | 'noise'
  | 'warning'
  | 'job-queued'
  | 'pre-moderation'
  | 'post-moderation'
  | 'ephemeral-moderation'
  | 'queue-full'
  | 'invalid-request'
  | 'appeal-needed'
  | 'credits-exhausted'
  | 'account'
  | 'human-check'
  | 'output-filter'
  | 'job-failed'
  | 'duplicate-images'
  | 'unknown';

export type ClassifierEvent =
  | {
      type: 'message';
      message: APIMessage;
      /** The parse of `message`, if already done (parsed again otherwise). */
      parsed?: ParsedMessage;
      /** Delivered as an ephemeral notice (defaults to the message's flag 64). */
      ephemeral?: boolean;
    }
  | {
      type: 'deleted';
      messageId: Snowflake;
      /** The last version of the deleted message the watcher saw. */
      lastSeen?: ParsedMessage;
    };

export interface Classification {
  outcome: OutcomeKind;
  /** The job is over (success or failure). */
  terminal: boolean;
  /**
   * Becomes the job's outcome only if nothing else for the job arrives within a confirmation
   * window: a deleted progress message is also what a normal completion looks like, moments after
   * the result appears. `terminal` is false while tentative.
   */
  tentative: boolean;
  /** The account must stop submitting. */
  accountFatal: boolean;
  retryable: boolean;
  /** Suggested wait before retrying (ms). */
  retryAfter?: number;
  /** The id of the table row (or built-in rule) that matched, for logs and new-wording triage. */
  rule: string;
  /** The notice's text: embed title and description, or the content. */
  notice?: string;
  /** For invalid requests: the offending parameter (`--ar`), when it can be read. */
  parameter?: string;
  /** For account notices. */
  accountReason?: AccountNoticeReason;
  /** A button a person may need (appeal, captcha). */
  customId?: string;
  /** Job id, message id and progress, when the message carries them. */
  jobId?: string;
  messageId?: Snowflake;
  percent?: number;
  parsed?: ParsedMessage;
  /** The raw message, kept for unknown outcomes. */
  raw?: APIMessage;
}

const RESULT_STATES: ReadonlySet<MessageState> = new Set(['done', 'upscale', 'variation']);

export function classify(event: ClassifierEvent): Classification {
  if (event.type === 'deleted') return classifyDeletion(event.messageId, event.lastSeen);
  const parsed = event.parsed ?? parseMessage(event.message);
  const ephemeral = event.ephemeral ?? parsed.ephemeral;
  const make = (outcome: OutcomeKind, rule: string, extra: Partial<Classification> = {}): Classification =>
    build(outcome, rule, parsed, extra);

  if (ephemeral && RESULT_STATES.has(parsed.state)) {
    return make('ephemeral-moderation', 'result-ephemeral', {
      notice: 'The finished result is visible only to its owner',
    });
  }
  for (const rule of OUTCOME_RULES) {
    const notice = matchRule(rule, parsed);
    if (notice !== undefined) return fromRule(rule, parsed, notice, event.message);
  }
  switch (parsed.state) {
    case 'waiting':
      return make('waiting', 'state-waiting');
    case 'progress':
      return make('progress', 'state-progress');
    case 'done':
    case 'upscale':
    case 'variation':
      return make('success', `state-${parsed.state}`);
    case 'stopped':
      return make('post-moderation', 'state-stopped', { notice: 'The job was stopped (Stopped)' });
    case 'noise':
      return make('noise', 'state-noise');
    case 'unknown':
      // No text and no embed: nothing to report (e.g. a partial MESSAGE_UPDATE that only touched
      // attachments or flags; merge such updates onto the last full message before classifying).
      if (parsed.embeds.length === 0) return make('noise', 'no-text');
      break;
    default:
      break;
  }
  const colored = parsed.embeds.find((e) => e.color === EmbedColor.Error || e.color === EmbedColor.Warning);
  if (colored?.color === EmbedColor.Warning)
    return make('warning', 'color-warning', { notice: embedText(colored) });
  const notice = colored ? embedText(colored) : noticeOf(parsed);
  return make('unknown', colored ? 'color-error' : 'unrecognised', {
    raw: event.message,
    ...(notice === '' ? {} : { notice }),
  });
}

function classifyDeletion(messageId: Snowflake, last: ParsedMessage | undefined): Classification {
  const extra: Partial<Classification> = { messageId };
  if (last !== undefined && RESULT_STATES.has(last.state)) {
    return build('ephemeral-moderation', 'result-deleted', last, {
      ...extra,
      notice: 'The finished result was deleted',
    });
  }
  if (last === undefined || last.state === 'waiting' || last.state === 'progress') {
    const c = build('post-moderation', 'progress-deleted', last, {
      ...extra,
      notice: 'The job message was deleted before a result appeared',
    });
    return { ...c, terminal: false, tentative: true };
  }
  // A notice or a stray message vanishing says nothing about the job.
  return build('noise', 'notice-deleted', last, extra);
}

function build(
  outcome: OutcomeKind,
  rule: string,
  parsed: ParsedMessage | undefined,
  extra: Partial<Classification>,
): Classification {
  const c: Classification = { outcome, rule, tentative: false, ...OUTCOME_TRAITS[outcome] };
  if (parsed !== undefined) {
    c.parsed = parsed;
    c.messageId = parsed.messageId;
    if (parsed.jobId !== undefined) c.jobId = parsed.jobId;
    if (parsed.percent !== undefined) c.percent = parsed.percent;
  }
  return Object.assign(c, extra);
}

function fromRule(rule: OutcomeRule, parsed: ParsedMessage, notice: string, raw: APIMessage): Classification {
  const extra: Partial<Classification> = {};
  if (notice !== '') extra.notice = notice;
  if (rule.retryAfter !== undefined) extra.retryAfter = rule.retryAfter;
  if (rule.accountReason !== undefined) extra.accountReason = rule.accountReason;
  if (rule.outcome === 'invalid-request') {
    const parameter = extractParameter(notice);
    if (parameter !== undefined) extra.parameter = parameter;
  }
  // The button a person would press: the captcha, or the Appeal offered with moderation notices.
  const customId = rule.outcome === 'human-check' ? parsed.actions['human-check'] : parsed.actions.appeal;
  if (customId !== undefined) extra.customId = customId;
  if (rule.outcome === 'unknown') extra.raw = raw;
  return build(rule.outcome, rule.id, parsed, extra);
}

function matches(pattern: TextPattern, text: string | undefined): boolean {
  if (text === undefined) return false;
  const trimmed = text.trim();
  return typeof pattern === 'string'
    ? trimmed.toLowerCase().startsWith(pattern.toLowerCase())
    : pattern.test(trimmed);
}

/** The notice text when every matcher of the rule matches (possibly ''), undefined otherwise. */
function matchRule(rule: OutcomeRule, parsed: ParsedMessage): string | undefined {
  let embed: ParsedEmbed | undefined;
  const pickEmbed = (test: (e: ParsedEmbed) => boolean): boolean => {
    const found = parsed.embeds.find((e) => (embed === undefined || e === embed) && test(e));
    if (found !== undefined) embed = found;
    return found !== undefined;
  };
  if (rule.title !== undefined && !pickEmbed((e) => matches(rule.title!, e.title))) return undefined;
  if (rule.description !== undefined && !pickEmbed((e) => matches(rule.description!, e.description))) {
    return undefined;
  }
  if (rule.content !== undefined && !matches(rule.content, parsed.content)) return undefined;
  if (
    rule.customId !== undefined &&
    !Object.values(parsed.actions).some((id) => matches(rule.customId!, id))
  ) {
    return undefined;
  }
  return embed !== undefined ? embedText(embed) : noticeOf(parsed);
}

function embedText(embed: ParsedEmbed): string {
  return [embed.title?.trim(), embed.description?.trim()]
    .filter((s) => s !== undefined && s !== '')
    .join(': ');
}

/** The first embed's text, else the content. */
function noticeOf(parsed: ParsedMessage): string {
  const first = parsed.embeds[0];
  const text = first === undefined ? '' : embedText(first);
  return text !== '' ? text : parsed.content.trim();
}

export { type ErrorContext, toError } from './to-error.js';
