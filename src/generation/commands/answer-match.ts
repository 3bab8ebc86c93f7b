/**
 * Which messages answer a `/describe`, `/shorten` or `/blend` we sent. Pure: the runner feeds the
 * channel's messages after its snapshot, oldest first, on every read.
 *
 * The rule, strongest evidence first:
 *  1. our reply: `interaction_metadata.name` is the command and `interaction_metadata.user` is us;
 *     when Discord echoed a nonce on it, it must be ours (another client's describe is not).
 *     The runner sends one call per command name and bot at a time, and passes only that bot's
 *     messages, so there is one such reply;
 *  2. a reply that is a notice (an embed with a title: "Banned image prompt", "Invalid
 *     request"...) is read by the classifier table and becomes its typed error;
 *  3. describe / shorten: the reply once edited into its embed (command-answers.ts) is the answer;
 *  4. blend: the reply is the job's waiting message; its echoed prompt (the images as
 *     `<https://s.mj.run/…>` links and `--ar`) names the job, and the grid with that echo,
 *     mentioning us, is the answer. When the reply was deleted before we read it (fast jobs), a
 *     grid of exactly as many links as images, and nothing else, mentioning us, is taken.
 */
import type { APIMessage, Snowflake } from '../../discord/types.js';
import { classify } from '../../midjourney/classifier.js';
import { parseDescribeAnswer, parseShortenAnswer } from '../../midjourney/command-answers.js';
import type { BotType } from '../../midjourney/constants.js';
import { promptsMatch } from '../../midjourney/normalize.js';
import { parseMessage } from '../../midjourney/parser.js';
import { toError } from '../../midjourney/to-error.js';
import { toGenerationResult } from '../result.js';
import type { GenerationResult } from '../types.js';
import type { DescribeResult, ShortenResult } from './types.js';

export interface MatchContext {
  nonce: Snowflake;
  userId: Snowflake;
  /** The caller's input, for errors (a prompt, or the image names). */
  prompt: string;
  channelId: Snowflake;
  submittedAt: number;
  now: number;
  /** The bot the command went to (the runner passes only its messages). Default `midjourney`. */
  botType?: BotType;
}

export type Verdict<T> = { kind: 'pending' } | { kind: 'answer'; value: T } | { kind: 'error'; error: Error };

/** What a blend learned so far: the echo of its waiting message, when seen. */
export interface MatchState {
  echo?: string;
  startedAt?: number;
}

export interface AnswerMatcher<T> {
  start(): MatchState;
  read(state: MatchState, messages: readonly APIMessage[], ctx: MatchContext): Verdict<T>;
}

const PENDING = { kind: 'pending' } as const;

/** Rule 1. */
export function isOurReply(
  message: APIMessage,
  name: string,
  ctx: Pick<MatchContext, 'userId' | 'nonce'>,
): boolean {
  // `interaction_metadata`, or the deprecated `interaction` object some replies carry alone.
  const meta = message.interaction_metadata ?? message.interaction;
  if (meta?.name !== name || meta.user?.id !== ctx.userId) return false;
  return message.nonce === undefined || message.nonce === null || String(message.nonce) === ctx.nonce;
}

/** Rule 2: the reply's notice as a typed error, or undefined when it is no refusal. */
function refusal(message: APIMessage, ctx: MatchContext): Error | undefined {
  if (!message.embeds?.[0]?.title && !/^failed\b/i.test(message.content ?? '')) return undefined;
  const c = classify({ type: 'message', message });
  if (!c.terminal || c.outcome === 'success') return undefined;
  return toError(c, { prompt: ctx.prompt, messageId: message.id });
}

function base(message: APIMessage, ctx: MatchContext) {
  return {
    messageId: message.id,
    channelId: ctx.channelId,
    messageFlags: message.flags ?? 0,
    submittedAt: ctx.submittedAt,
    completedAt: ctx.now,
  };
}

export const describeMatcher: AnswerMatcher<DescribeResult> = {
  start: () => ({}),
  read(_state, messages, ctx) {
    for (const message of messages) {
      if (!isOurReply(message, 'describe', ctx)) continue;
      const error = refusal(message, ctx);
      if (error) return { kind: 'error', error };
      const answer = parseDescribeAnswer(message);
      if (!answer) continue;
      const value: DescribeResult = {
        kind: 'describe',
        ...base(message, ctx),
        prompts: answer.prompts,
        buttons: answer.buttons,
        botType: ctx.botType ?? 'midjourney',
      };
      if (answer.imageUrl) value.imageUrl = answer.imageUrl;
      return { kind: 'answer', value };
    }
    return PENDING;
  },
};

export function shortenMatcher(prompt: string): AnswerMatcher<ShortenResult> {
  return {
    start: () => ({}),
    read(_state, messages, ctx) {
      for (const message of messages) {
        if (!isOurReply(message, 'shorten', ctx)) continue;
        const error = refusal(message, ctx);
        if (error) return { kind: 'error', error };
        const answer = parseShortenAnswer(message);
        if (!answer) continue;
        return {
          kind: 'answer',
          value: {
            kind: 'shorten',
            ...base(message, ctx),
            prompt,
            tokens: answer.tokens,
            prompts: answer.prompts,
            buttons: answer.buttons,
          },
        };
      }
      return PENDING;
    },
  };
}

const LINK = /<https?:\/\/s\.mj\.run\/[^\s>]+>/g;

/** The echo of a blend: only image links, then parameters. */
function isBlendEcho(echo: string, images: number): boolean {
  const links = echo.match(LINK) ?? [];
  const rest = echo.replace(LINK, '').trim();
  return links.length === images && (rest === '' || rest.startsWith('--'));
}

export function blendMatcher(images: number): AnswerMatcher<GenerationResult> {
  return {
    start: () => ({}),
    read(state, messages, ctx) {
      for (const message of messages) {
        if (isOurReply(message, 'blend', ctx)) {
          const error = refusal(message, ctx);
          if (error) return { kind: 'error', error };
          const parsed = parseMessage(message);
          if (parsed.prompt !== undefined && state.echo === undefined) {
            state.echo = parsed.prompt;
            state.startedAt = ctx.now;
          }
        }
      }
      for (const message of messages) {
        const parsed = parseMessage(message);
        if (!parsed.fromMidjourney || parsed.userId !== ctx.userId || parsed.prompt === undefined) continue;
        const ours =
          state.echo !== undefined
            ? promptsMatch(state.echo, parsed.prompt)
            : isBlendEcho(parsed.prompt, images);
        if (!ours) continue;
        const c = classify({ type: 'message', message, parsed });
        if (c.outcome === 'success' && parsed.imageUrl) {
          return {
            kind: 'answer',
            value: toGenerationResult({
              kind: 'blend',
              botType: ctx.botType ?? 'midjourney',
              prompt: parsed.prompt,
              channelId: ctx.channelId,
              message,
              parsed,
              submittedAt: ctx.submittedAt,
              startedAt: state.startedAt,
              completedAt: ctx.now,
            }),
          };
        }
        if (c.terminal && c.outcome !== 'success') {
          return { kind: 'error', error: toError(c, { prompt: ctx.prompt, messageId: message.id }) };
        }
      }
      return PENDING;
    },
  };
}
