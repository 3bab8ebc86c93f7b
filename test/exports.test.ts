import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('exports the client, the limiter, the service and every error class', () => {
    for (const name of [
      'Midjourney',
      'RestClient',
      'RateLimiter',
      'GatewayClient',
      'buildService',
      'loadConfig',
      'PreModerationError',
      'PostModerationError',
      'EphemeralModerationError',
      'InvalidRequestError',
      'QueueFullError',
      'JobQueuedError',
      'AppealNeededError',
      'CreditsExhaustedError',
      'AccountError',
      'HumanCheckError',
      'OutputFilterError',
      'JobFailedError',
      'UnknownOutcomeError',
      'JobTimeoutError',
      'JobNotFoundError',
      'ResumeUnresolvedError',
      'SubmissionUncertainError',
      'isSubmissionUncertainError',
      'InferredPreModerationError',
      'restartAction',
      'resumeEvidenceOf',
      'sendFailureAction',
      'DiscordAPIError',
      'DiscordProtocolError',
      'isDiscordProtocolError',
      'RateLimitedError',
      'TokenInvalidError',
      'ConfigError',
      'AccountPool',
      'accountPoolFromConfig',
      'loadAccountsConfig',
      'NoAccountAvailableError',
      'UnknownAccountError',
      'verifyWebhookSignature',
      'signWebhook',
      'ImageInputError',
      'isImageInputError',
      'loadImage',
      'sniffImageType',
      'composeImagePrompt',
      'parseDescribeAnswer',
      'parseShortenAnswer',
      'AttachmentUploadError',
    ] as const) {
      expect(typeof api[name], name).toBe('function');
    }
  });

  it('keeps every Midjourney outcome instanceof its base classes', () => {
    const error = new api.QueueFullError({ prompt: 'cat', notice: 'Queue full' });
    expect(error).toBeInstanceOf(api.MidjourneyError);
    expect(error).toBeInstanceOf(api.WorkerError);
    expect(error.code).toBe('QUEUE_FULL');
    expect(error.retryable).toBe(true);
    expect(api.isMidjourneyError(error)).toBe(true);
  });

  it('exports the one restart rule', () => {
    expect(api.restartAction({ evidence: 'not-found', sendConfirmed: false })).toBe('fail');
    expect(api.restartAction({ evidence: 'not-found', sendConfirmed: false, neverSent: true })).toBe(
      'resend',
    );
    expect(api.restartAction({ evidence: 'not-found', sendConfirmed: true })).toBe('fail');
    expectTypeOf<api.ResumeOptions['neverSent']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<api.ResumeOptions['sendConfirmed']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<api.Midjourney['resume']>().parameter(1).toEqualTypeOf<api.ResumeOptions | undefined>();
  });

  it('types the account pool as a Generator, like Midjourney', () => {
    expectTypeOf<api.AccountPool>().toMatchTypeOf<api.Generator>();
    expectTypeOf<api.AccountPool['imagine']>().returns.resolves.toEqualTypeOf<api.GenerationResult>();
    expectTypeOf<api.JobOptions['account']>().toEqualTypeOf<string | undefined>();
  });

  it('types describe, blend and shorten', () => {
    expectTypeOf<api.Midjourney['describe']>().returns.resolves.toEqualTypeOf<api.DescribeResult>();
    expectTypeOf<api.Midjourney['shorten']>().returns.resolves.toEqualTypeOf<api.ShortenResult>();
    expectTypeOf<api.Midjourney['blend']>().returns.resolves.toEqualTypeOf<api.GenerationResult>();
    expectTypeOf<api.Midjourney>().toMatchTypeOf<api.CommandGenerator>();
    expectTypeOf<api.ImageInputError['code']>().toEqualTypeOf<api.ImageInputErrorCode>();
  });

  it('types imagine as resolving to a GenerationResult', () => {
    expectTypeOf<api.Midjourney['imagine']>().returns.resolves.toEqualTypeOf<api.GenerationResult>();
  });
});
