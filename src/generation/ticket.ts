/**
 * Checks a SubmissionTicket handed back to `resume()` (from a journal, a database, a request):
 * every problem is listed at once, each naming its field.
 */
import { ValidationError } from '../errors.js';
import { BOT_TYPES } from '../midjourney/constants.js';
import type { JobKind, SubmissionTicket } from './types.js';

const KINDS: readonly JobKind[] = ['imagine', 'upscale', 'variation', 'reroll'];
const SNOWFLAKE = /^\d{17,20}$/;

/** Throws a ValidationError listing every malformed field of `ticket`. */
export function assertTicket(ticket: SubmissionTicket): void {
  const problems = ticketProblems(ticket);
  if (problems.length > 0) throw new ValidationError('Invalid submission ticket', problems);
}

export function ticketProblems(ticket: SubmissionTicket): string[] {
  if (typeof ticket !== 'object' || ticket === null) return ['ticket: expected a SubmissionTicket object'];
  const problems: string[] = [];
  if (!KINDS.includes(ticket.kind))
    problems.push(`kind: expected one of ${KINDS.join(', ')}, got ${JSON.stringify(ticket.kind)}`);
  if (typeof ticket.prompt !== 'string' || ticket.prompt.trim() === '')
    problems.push('prompt: expected a non-empty string');
  if (typeof ticket.channelId !== 'string' || !SNOWFLAKE.test(ticket.channelId))
    problems.push('channelId: expected a snowflake');
  if (typeof ticket.nonce !== 'string' || !SNOWFLAKE.test(ticket.nonce))
    problems.push('nonce: expected a snowflake');
  if (ticket.afterMessageId !== null && !SNOWFLAKE.test(String(ticket.afterMessageId))) {
    problems.push('afterMessageId: expected a snowflake or null');
  }
  if (!Number.isFinite(ticket.submittedAt)) problems.push('submittedAt: expected ms since the epoch');
  // The form's fields (types.ts) are optional: tickets written before them stay valid.
  if (ticket.formNonce !== undefined) {
    if (typeof ticket.formNonce !== 'string' || !SNOWFLAKE.test(ticket.formNonce)) {
      problems.push('formNonce: expected a snowflake');
    } else if (ticket.formNonce === ticket.nonce) {
      problems.push('formNonce: expected a nonce other than nonce');
    }
  }
  for (const field of ['formPrompt', 'sourcePrompt'] as const) {
    const value = ticket[field];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      problems.push(`${field}: expected a non-empty string`);
    }
  }
  if (ticket.botType !== undefined && !BOT_TYPES.includes(ticket.botType)) {
    problems.push(`botType: expected midjourney or niji, got ${JSON.stringify(ticket.botType)}`);
  }
  return problems;
}

/** For a resumed upscale: the image index from its button (`MJ::JOB::upsample::<n>::<uuid>`). */
export function imageIndexOf(ticket: SubmissionTicket): number | undefined {
  const index = /::upsample::([1-4])::/.exec(ticket.customId ?? '')?.[1];
  return index === undefined ? undefined : Number(index);
}

/**
 * What a resumed job's echo must match unless it answers a submitted form: Vary (Region)'s editor
 * (a `formPrompt` without a `formNonce`) runs the prompt it was given; another button that may
 * open a form, the source's echoed prompt (`sourcePrompt`: no form opened); an older ticket, its
 * `prompt`. A submitted form's prompt is matched through the correlation's `form` (orchestrator.ts).
 */
export function resumedMatchPrompt(ticket: SubmissionTicket): string {
  if (ticket.formNonce === undefined && ticket.formPrompt !== undefined) return ticket.formPrompt;
  return ticket.sourcePrompt ?? ticket.prompt;
}
