import { describe, expect, it } from 'vitest';
import {
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  DiscordProtocolError,
  DiscordTimeoutError,
  TokenInvalidError,
} from '../../src/discord/rest/errors.js';
import { DailyCapReachedError, InferredPreModerationError } from '../../src/generation/errors.js';
import { JobNotFoundError, PreModerationError, QueueFullError } from '../../src/midjourney/errors.js';
import { classifyFailure, isJobNotFound, toOutcomeError } from '../../src/service/runner/outcome.js';

const ctx = { method: 'POST', route: '/interactions', attempts: 1 };

describe('classifyFailure', () => {
  it.each([
    ['TokenInvalidError', new TokenInvalidError('/interactions'), 'fatal'],
    ['DiscordAPIError 401', new DiscordAPIError(ctx, 401, 0, '401: Unauthorized'), 'fatal'],
    ['DiscordHTTPError 502', new DiscordHTTPError(ctx, 502, '<html>bad gateway</html>'), 'transport'],
    [
      'DiscordNetworkError',
      new DiscordNetworkError(ctx, 'ECONNRESET', true, true, undefined, 'socket hang up'),
      'transport',
    ],
    ['DiscordTimeoutError', new DiscordTimeoutError(ctx, 15_000, true), 'transport'],
    [
      'DiscordProtocolError',
      new DiscordProtocolError(ctx, 200, '(body): not JSON', '{"id', true),
      'transport',
    ],
    ['DiscordAPIError 500', new DiscordAPIError(ctx, 500, 0, 'Internal Server Error'), 'transport'],
    ['DiscordAPIError 400', new DiscordAPIError(ctx, 400, 50035, 'Invalid Form Body'), 'outcome'],
    ['QueueFullError', new QueueFullError({ prompt: 'cat' }), 'outcome'],
    ['PreModerationError', new PreModerationError({ prompt: 'cat' }), 'outcome'],
    ['InferredPreModerationError', new InferredPreModerationError('cat', 60_000), 'outcome'],
    ['DailyCapReachedError', new DailyCapReachedError(100, 1_000), 'neutral'],
    ['AbortError', new DOMException('aborted', 'AbortError'), 'neutral'],
    ['a string', 'boom', 'neutral'],
  ])('%s -> %s', (_label, error, kind) => {
    expect(classifyFailure(error)).toBe(kind);
  });
});

describe('toOutcomeError', () => {
  it('keeps the library name, code, retryable, retryAfter and the facts, not the prompt', () => {
    const outcome = toOutcomeError(
      new QueueFullError({ prompt: 'cat', notice: 'Queue full', retryAfter: 30_000 }),
    );
    expect(outcome).toEqual({
      name: 'QueueFullError',
      code: 'QUEUE_FULL',
      message: "Midjourney's job queue for this account is full: Queue full",
      retryable: true,
      retryAfter: 30_000,
      details: { notice: 'Queue full', accountFatal: false },
    });
  });

  it('names plain errors and aborts', () => {
    expect(toOutcomeError(new Error('boom'))).toEqual({
      name: 'Error',
      code: 'INTERNAL_ERROR',
      message: 'boom',
      retryable: false,
    });
    expect(toOutcomeError(new DOMException('stop', 'AbortError'))).toMatchObject({
      name: 'AbortError',
      code: 'ABORTED',
    });
  });

  it('recognises JobNotFoundError', () => {
    expect(isJobNotFound(new JobNotFoundError({ prompt: 'cat' }))).toBe(true);
    expect(isJobNotFound(new QueueFullError({ prompt: 'cat' }))).toBe(false);
  });
});
