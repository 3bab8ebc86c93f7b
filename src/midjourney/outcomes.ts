/**
 * The outcome table: every wording Midjourney is known to use, one row each. The classifier walks
 * it in order; a new wording is one new line here.
 */
import type { OutcomeKind } from './classifier.js';
import type { AccountNoticeReason } from './errors.js';

/** A text matcher: a string matches case-insensitively as a prefix, a RegExp as written. */
export type TextPattern = string | RegExp;

export interface OutcomeRule {
  /** Stable id, reported in `Classification.rule`. */
  id: string;
  outcome: OutcomeKind;
  /** Matches the first embed's title. */
  title?: TextPattern;
  /** Matches the message content (without the echoed prompt). */
  content?: TextPattern;
  /** Matches the embed description. */
  description?: TextPattern;
  /** Matches any button custom_id. */
  customId?: TextPattern;
  accountReason?: AccountNoticeReason;
  /** Suggested wait before retrying (ms). */
  retryAfter?: number;
}

export const OUTCOME_RULES: readonly OutcomeRule[] = [];
