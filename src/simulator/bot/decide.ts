/**
 * Decides how a job ends, before anything is posted. Deterministic rules first (account state,
 * prompt validation, banned words, fast hours), then the scripted per-prompt rules tests add,
 * then the demo probabilities. Slots are applied afterwards by the bot.
 */
import type { Random } from '../../util/clock.js';
import { BotOptionsError } from './options.js';
import { findBannedWord, type ParsedPrompt, validatePrompt } from './prompt.js';
import { type AccountState, type BotMode, JOB_OUTCOMES, type JobOutcome, type ScriptRule } from './types.js';

export interface DecisionInput {
  prompt: ParsedPrompt;
  /** Button jobs reuse a prompt that already passed validation and moderation. */
  validate: boolean;
  accountState: AccountState;
  mode: BotMode;
  bannedWords: readonly string[];
  /** Scripted rules, in order; a matched rule with `times` is consumed. */
  rules: ScriptRule[];
  probabilities: Partial<Record<JobOutcome, number>>;
  random: Random;
  neverAnswer: boolean;
}

export interface Decision {
  outcome: JobOutcome;
  /** The scripted rule that decided, if any (carries stopAt, deleteAfterMs...). */
  rule?: ScriptRule;
  /** A specific reason for notices, e.g. "Unrecognized parameter(s): `--foo`". */
  detail?: string;
  bannedWord?: string;
}

function matches(rule: ScriptRule, prompt: string): boolean {
  if (typeof rule.match === 'string') return prompt.toLowerCase().includes(rule.match.toLowerCase());
  rule.match.lastIndex = 0;
  return rule.match.test(prompt);
}

/** Checks a rule a test scripts, naming the faulty field. */
export function validateScriptRule(rule: ScriptRule): void {
  if (!(typeof rule.match === 'string' || rule.match instanceof RegExp)) {
    throw new BotOptionsError('script.match', 'expected a string or a RegExp');
  }
  if (!(JOB_OUTCOMES as readonly string[]).includes(rule.outcome)) {
    throw new BotOptionsError('script.outcome', `unknown outcome ${JSON.stringify(rule.outcome)}`);
  }
  if (rule.stopAt !== undefined && !(rule.stopAt >= 0 && rule.stopAt < 100)) {
    throw new BotOptionsError('script.stopAt', `expected a percentage in 0..99, got ${rule.stopAt}`);
  }
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0)) {
    throw new BotOptionsError('script.times', `expected a positive integer, got ${rule.times}`);
  }
}

/** Takes the first matching rule, consuming one of its `times`. */
export function takeRule(rules: ScriptRule[], prompt: string): ScriptRule | undefined {
  const index = rules.findIndex(
    (rule) => (rule.times === undefined || rule.times > 0) && matches(rule, prompt),
  );
  if (index < 0) return undefined;
  const rule = rules[index]!;
  if (rule.times !== undefined) {
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(index, 1);
  }
  return rule;
}

export function decideOutcome(input: DecisionInput): Decision {
  if (input.neverAnswer) return { outcome: 'never-answer' };
  const state = input.accountState;
  if (state !== 'active' && state !== 'credits-exhausted') return { outcome: state };
  if (input.validate) {
    const problem = validatePrompt(input.prompt);
    if (problem) return { outcome: problem.outcome, detail: problem.description };
    const bannedWord = findBannedWord(input.prompt.raw, input.bannedWords);
    if (bannedWord !== undefined) return { outcome: 'pre-moderation', bannedWord };
  }
  if (state === 'credits-exhausted' && input.mode !== 'relaxed') return { outcome: 'credits-exhausted' };
  const rule = takeRule(input.rules, input.prompt.raw);
  if (rule) return { outcome: rule.outcome, rule };
  const entries = Object.entries(input.probabilities) as [JobOutcome, number][];
  if (entries.length === 0) return { outcome: 'success' };
  let roll = input.random();
  // Object key order is insertion order, so a given seed always picks the same outcomes.
  for (const [outcome, probability] of entries) {
    if (roll < probability) return { outcome };
    roll -= probability;
  }
  return { outcome: 'success' };
}
