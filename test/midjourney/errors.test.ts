import { describe, expect, expectTypeOf, it } from 'vitest';
import { isWorkerError, WorkerError } from '../../src/errors.js';
import * as midjourney from '../../src/midjourney/index.js';
import {
  AccountError,
  HumanCheckError,
  InvalidRequestError,
  isAccountFatal,
  isMidjourneyError,
  JobNotFoundError,
  JobTimeoutError,
  MidjourneyError,
  type MidjourneyErrorCode,
  QueueFullError,
} from '../../src/midjourney/index.js';

describe('Midjourney errors', () => {
  it('are WorkerErrors with a literal name, a stable code and the job context', () => {
    const error = new QueueFullError({
      prompt: 'fox',
      jobId: 'j1',
      messageId: '42',
      notice: 'Queue full: wait',
      retryAfter: 30_000,
    });
    expect(error).toBeInstanceOf(MidjourneyError);
    expect(error).toBeInstanceOf(WorkerError);
    expect(isWorkerError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'QueueFullError',
      code: 'QUEUE_FULL',
      retryable: true,
      accountFatal: false,
    });
    expect(error.message).toBe("Midjourney's job queue for this account is full: Queue full: wait");
    expect(error.toJSON()).toEqual({
      name: 'QueueFullError',
      code: 'QUEUE_FULL',
      message: "Midjourney's job queue for this account is full: Queue full: wait",
      retryable: true,
      prompt: 'fox',
      jobId: 'j1',
      messageId: '42',
      notice: 'Queue full: wait',
      retryAfter: 30_000,
      accountFatal: false,
    });
  });

  it('mark account notices and human checks as fatal for the account', () => {
    const account = new AccountError({ prompt: 'fox', reason: 'subscription-paused' });
    const human = new HumanCheckError({ prompt: 'fox', customId: 'MJ::Captcha::1' });
    expect(account.message).toMatch(/subscription-paused/);
    expect(isAccountFatal(account)).toBe(true);
    expect(isAccountFatal(human)).toBe(true);
    expect(isAccountFatal(new QueueFullError({ prompt: 'fox' }))).toBe(false);
    expect(isAccountFatal(new Error('x'))).toBe(false);
  });

  it('narrow by code with isMidjourneyError', () => {
    const error: unknown = new InvalidRequestError({ prompt: 'fox --ar 3', parameter: '--ar' });
    expect(isMidjourneyError(error)).toBe(true);
    expect(isMidjourneyError(error, 'INVALID_REQUEST')).toBe(true);
    expect(isMidjourneyError(error, 'QUEUE_FULL')).toBe(false);
    expect(isMidjourneyError(new Error('x'))).toBe(false);
    if (isMidjourneyError(error, 'INVALID_REQUEST'))
      expectTypeOf(error.code).toEqualTypeOf<'INVALID_REQUEST'>();
  });

  it('time-outs and lost jobs are retryable and say why', () => {
    const timeout = new JobTimeoutError({ prompt: 'fox', timeoutMs: 600_000, lastState: 'progress' });
    expect(timeout).toMatchObject({ code: 'JOB_TIMEOUT', retryable: true, lastState: 'progress' });
    expect(timeout.message).toBe('No outcome within 600000 ms');
    const lost = new JobNotFoundError({ prompt: 'fox', nonce: '1265623712648101888' });
    expect(lost).toMatchObject({ code: 'JOB_NOT_FOUND', retryable: true, nonce: '1265623712648101888' });
  });

  it('keep the cause and let a caller replace the summary', () => {
    const cause = new Error('root');
    const error = new QueueFullError({ prompt: 'fox', cause, message: 'custom summary' });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('custom summary');
    expect(error.toJSON()).not.toHaveProperty('cause');
  });
});

describe('the midjourney module', () => {
  it('exports every error class with a distinct code', () => {
    const classes = Object.values(midjourney).filter(
      (value): value is typeof MidjourneyError =>
        typeof value === 'function' && value.prototype instanceof MidjourneyError,
    );
    expect(classes).toHaveLength(16);
    const codes = classes.map((c) => {
      const instance = new (c as unknown as new (context: object) => MidjourneyError)({
        prompt: 'x',
        reason: 'blocked',
        timeoutMs: 1,
      });
      expect(instance.name).toBe(c.name);
      return instance.code;
    });
    expect(new Set(codes).size).toBe(16);
    expectTypeOf<(typeof codes)[number]>().toEqualTypeOf<MidjourneyErrorCode>();
  });

  it('exports the functions the orchestrator uses', () => {
    const exported: Record<string, unknown> = { ...midjourney };
    for (const name of [
      'parseMessage',
      'classify',
      'toError',
      'normalizePrompt',
      'promptsMatch',
      'buildImagineInteraction',
      'buildComponentInteraction',
      'randomSessionId',
      'isOutdatedCommandError',
      'precheckPrompt',
      'CommandResolver',
    ]) {
      expect(typeof exported[name], name).toBe('function');
    }
  });
});
