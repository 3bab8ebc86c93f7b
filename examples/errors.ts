/**
 * Every outcome is a typed error: switch on the class (or on `error.code`) and do what it says.
 *
 *   npx tsx examples/errors.ts
 */
import {
  AccountError,
  AppealNeededError,
  CreditsExhaustedError,
  DiscordNetworkError,
  EphemeralModerationError,
  HumanCheckError,
  InvalidRequestError,
  JobFailedError,
  JobQueuedError,
  JobTimeoutError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
  RateLimitedError,
  TokenInvalidError,
  UnknownOutcomeError,
} from '../src/index.js';
import { connect } from './connect.js';

/** What a caller should do about each outcome. */
function advice(error: unknown): string {
  if (error instanceof PreModerationError)
    return 'reword the prompt; do not resend it as is (repeated refusals risk the account)';
  if (error instanceof PostModerationError) return `stopped at ${error.percent ?? '?'}%: reword the prompt`;
  if (error instanceof EphemeralModerationError)
    return 'the result was hidden by moderation: reword the prompt';
  if (error instanceof AppealNeededError) return 'a person can press Appeal in Discord';
  if (error instanceof InvalidRequestError)
    return `fix the prompt${error.parameter ? ` (parameter ${error.parameter})` : ''}`;
  if (error instanceof QueueFullError) return `retry in ${Math.round((error.retryAfter ?? 30_000) / 1000)} s`;
  if (error instanceof JobQueuedError) return 'the job will still run: resume it later';
  if (error instanceof CreditsExhaustedError) return 'switch to relax mode or buy fast hours';
  if (error instanceof AccountError)
    return `the account needs a person (${error.reason}); nothing more is sent`;
  if (error instanceof HumanCheckError) return 'a person must pass the check in Discord';
  if (error instanceof JobFailedError) return 'Midjourney failed on its side: retry later';
  if (error instanceof JobTimeoutError)
    return `no outcome within ${error.timeoutMs} ms: check the channel, then retry`;
  if (error instanceof UnknownOutcomeError) return 'an unrecognised message: report it (error.raw holds it)';
  if (error instanceof RateLimitedError) return `Discord rate limit: retry in ${error.retryAfterMs} ms`;
  if (error instanceof TokenInvalidError) return 'the token is wrong or revoked';
  if (error instanceof DiscordNetworkError) return 'network trouble: retry';
  return 'unexpected: log it';
}

const prompts: [string, { timeoutMs?: number }][] = [
  ['a watercolor fox reading a newspaper', {}],
  ['a bloody battlefield at night', {}],
  ['a portrait of an astronaut cat --foo bar', {}],
  ['a minimalist poster of a mountain --ar 3', {}],
  ['a very slow sunrise', { timeoutMs: 500 }],
];

const { mj, close } = await connect();
try {
  for (const [prompt, options] of prompts) {
    try {
      const result = await mj.imagine(prompt, options);
      console.log(`${'ok'.padEnd(20)} ${prompt}\n  ${result.imageUrl}`);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      console.log(`${name.padEnd(20)} ${prompt}\n  -> ${advice(error)}`);
    }
  }
} finally {
  await close();
}
