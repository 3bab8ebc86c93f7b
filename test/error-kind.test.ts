/**
 * One classification for every error the package exports: `mjw imagine`'s exit code, the batch
 * outcome (and `--retry discord`), and the service's outcome kind all read it, so they agree.
 */
import { describe, expect, it } from 'vitest';
import { BatchInputError, BatchJournalError, DownloadError } from '../src/batch/errors.js';
import { outcomeOf } from '../src/batch/outcome.js';
import { planRetry } from '../src/batch/retry-policy.js';
import { exitCodeFor } from '../src/cli/commands/imagine.js';
import { AccountLeasedError, ClusterUnavailableError } from '../src/cluster/errors.js';
import { classifyError, type ErrorFamily } from '../src/error-kind.js';
import { WorkerError } from '../src/errors.js';
import * as api from '../src/index.js';
import {
  AccountError,
  AppealNeededError,
  CloudflareBanError,
  CommandNotFoundError,
  ConfigError,
  CreditsExhaustedError,
  DailyCapReachedError,
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  DiscordTimeoutError,
  DuplicateImagesError,
  EphemeralModerationError,
  GatewayError,
  GenerationOptionsError,
  GeneratorClosedError,
  HumanCheckError,
  InferredPreModerationError,
  InvalidRequestError,
  InvalidRequestLimitError,
  JobFailedError,
  JobNotFoundError,
  JobQueuedError,
  JobTimeoutError,
  OutputFilterError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
  RateLimitError,
  RateLimitedError,
  TokenInvalidError,
  UnknownActionError,
  UnknownOutcomeError,
  ValidationError,
} from '../src/index.js';
import * as service from '../src/service/index.js';
import { classifyFailure } from '../src/service/runner/outcome.js';
import * as simulator from '../src/simulator/index.js';

const ctx = { method: 'POST', route: '/interactions', attempts: 1 };
const p = { prompt: 'cat' };

/** A Discord error added to src/discord/rest/errors.ts later: it must fall in by its code alone. */
class DiscordProtocolError extends WorkerError {
  override readonly name = 'DiscordProtocolError';
  readonly code = 'DISCORD_PROTOCOL_ERROR';
  constructor() {
    super('GET /channels/1/messages answered 200 with a body that is not a message list', {
      retryable: true,
    });
  }
}

type Row = [label: string, error: unknown, family: ErrorFamily, exit: number, batch: string, service: string];

const ROWS: Row[] = [
  // Midjourney outcomes: exit 3, the classifier's name, "Midjourney answered".
  ['PreModerationError', new PreModerationError(p), 'midjourney', 3, 'pre-moderation', 'outcome'],
  [
    'InferredPreModerationError',
    new InferredPreModerationError('cat', 60_000),
    'midjourney',
    3,
    'pre-moderation',
    'outcome',
  ],
  ['PostModerationError', new PostModerationError(p), 'midjourney', 3, 'post-moderation', 'outcome'],
  [
    'EphemeralModerationError',
    new EphemeralModerationError(p),
    'midjourney',
    3,
    'ephemeral-moderation',
    'outcome',
  ],
  ['InvalidRequestError', new InvalidRequestError(p), 'midjourney', 3, 'invalid-request', 'outcome'],
  ['QueueFullError', new QueueFullError(p), 'midjourney', 3, 'queue-full', 'outcome'],
  ['JobQueuedError', new JobQueuedError(p), 'midjourney', 3, 'job-queued', 'outcome'],
  ['AppealNeededError', new AppealNeededError(p), 'midjourney', 3, 'appeal-needed', 'outcome'],
  ['CreditsExhaustedError', new CreditsExhaustedError(p), 'midjourney', 3, 'credits-exhausted', 'outcome'],
  ['AccountError', new AccountError({ ...p, reason: 'blocked' }), 'midjourney', 3, 'account', 'outcome'],
  ['HumanCheckError', new HumanCheckError(p), 'midjourney', 3, 'human-check', 'outcome'],
  ['OutputFilterError', new OutputFilterError(p), 'midjourney', 3, 'output-filter', 'outcome'],
  ['JobFailedError', new JobFailedError(p), 'midjourney', 3, 'job-failed', 'outcome'],
  ['DuplicateImagesError', new DuplicateImagesError(p), 'midjourney', 3, 'duplicate-images', 'outcome'],
  ['UnknownOutcomeError', new UnknownOutcomeError(p), 'midjourney', 3, 'unknown', 'outcome'],
  ['JobTimeoutError', new JobTimeoutError({ ...p, timeoutMs: 1_000 }), 'midjourney', 3, 'timeout', 'outcome'],
  ['JobNotFoundError', new JobNotFoundError(p), 'midjourney', 3, 'not-found', 'outcome'],
  // Discord and its transport: exit 4, `discord`, and what it says about Discord's health.
  [
    'DiscordAPIError 400',
    new DiscordAPIError(ctx, 400, 50_035, 'Invalid Form Body'),
    'discord',
    4,
    'discord',
    'outcome',
  ],
  [
    'DiscordAPIError 401',
    new DiscordAPIError(ctx, 401, 0, '401: Unauthorized'),
    'discord',
    4,
    'discord',
    'fatal',
  ],
  [
    'DiscordAPIError 500',
    new DiscordAPIError(ctx, 500, 0, 'Internal Server Error'),
    'discord',
    4,
    'discord',
    'transport',
  ],
  ['DiscordHTTPError 502', new DiscordHTTPError(ctx, 502, '<html>'), 'discord', 4, 'discord', 'transport'],
  [
    'DiscordNetworkError',
    new DiscordNetworkError(ctx, 'ECONNRESET', true, true, undefined, 'reset'),
    'discord',
    4,
    'discord',
    'transport',
  ],
  ['DiscordTimeoutError', new DiscordTimeoutError(ctx, 15_000, true), 'discord', 4, 'discord', 'transport'],
  [
    'RateLimitedError',
    new RateLimitedError(ctx, { retryAfterMs: 1_000, global: false, scope: 'shared', bucket: undefined }),
    'discord',
    4,
    'discord',
    'transport',
  ],
  ['TokenInvalidError', new TokenInvalidError('POST /interactions'), 'discord', 4, 'discord', 'fatal'],
  [
    'CloudflareBanError',
    new CloudflareBanError('POST /interactions', 60_000),
    'discord',
    4,
    'discord',
    'transport',
  ],
  [
    'InvalidRequestLimitError',
    new InvalidRequestLimitError('POST /interactions', 5_000, 5_000, 60_000),
    'discord',
    4,
    'discord',
    'transport',
  ],
  [
    'GatewayError auth',
    new GatewayError('GATEWAY_AUTH_FAILED', 'closed 4004'),
    'discord',
    4,
    'discord',
    'fatal',
  ],
  [
    'GatewayError connect',
    new GatewayError('GATEWAY_CONNECT_FAILED', 'refused', { retryable: true }),
    'discord',
    4,
    'discord',
    'transport',
  ],
  [
    'GatewayError misuse',
    new GatewayError('GATEWAY_INVALID_USE', 'bad option'),
    'discord',
    4,
    'discord',
    'neutral',
  ],
  ['DiscordProtocolError (added later)', new DiscordProtocolError(), 'discord', 4, 'discord', 'transport'],
  [
    'raw undici socket error',
    Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    'discord',
    4,
    'discord',
    'transport',
  ],
  // Cancelled, bad input, and local failures.
  ['AbortError', new DOMException('aborted', 'AbortError'), 'aborted', 1, 'aborted', 'neutral'],
  [
    'ValidationError',
    new ValidationError('Invalid prompt', ['prompt: empty']),
    'invalid-input',
    2,
    'error',
    'neutral',
  ],
  [
    'RequestValidationError',
    new service.RequestValidationError(['prompt: empty']),
    'invalid-input',
    2,
    'error',
    'neutral',
  ],
  ['ConfigError', new ConfigError(['DISCORD_TOKEN: required']), 'local', 1, 'error', 'neutral'],
  [
    'CommandNotFoundError',
    new CommandNotFoundError('imagine', '936929561302675456', 'guild:1'),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['DailyCapReachedError', new DailyCapReachedError(100, 1_000), 'local', 1, 'error', 'neutral'],
  [
    'GenerationOptionsError',
    new GenerationOptionsError('pollMinMs', 'too small'),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['GeneratorClosedError', new GeneratorClosedError(), 'local', 1, 'error', 'neutral'],
  ['UnknownActionError', new UnknownActionError('U9', ['U1']), 'local', 1, 'error', 'neutral'],
  ['RateLimitError (service)', new RateLimitError(1_000, 'requests'), 'local', 1, 'error', 'neutral'],
  ['BatchInputError', new BatchInputError('bad', 'in.txt'), 'local', 1, 'error', 'neutral'],
  ['BatchJournalError', new BatchJournalError('bad', 'journal'), 'local', 1, 'error', 'neutral'],
  ['DownloadError', new DownloadError('404', 'http://x', 404), 'local', 1, 'error', 'neutral'],
  [
    'SimulatorOptionsError',
    new simulator.SimulatorOptionsError('timeScale', 'too big'),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['AttachmentUploadError', new api.AttachmentUploadError(503), 'discord', 4, 'discord', 'transport'],
  // Forms (modals): refused before the form is submitted; nothing ran.
  [
    'ModalRequiredError',
    new api.ModalRequiredError({ customId: 'MJ::iframe::x', fields: ['mask'], message: 'give a mask' }),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['ModalUnavailableError', new api.ModalUnavailableError('zoom-custom'), 'local', 1, 'error', 'neutral'],
  ['InpaintSubmitError', new api.InpaintSubmitError(400, 'bad mask'), 'local', 1, 'error', 'neutral'],
  [
    'ImageInputError',
    new api.ImageInputError('IMAGE_NOT_AN_IMAGE', 'cat.txt', 'not a PNG, JPEG, WebP or GIF'),
    'invalid-input',
    2,
    'error',
    'neutral',
  ],
  // Ownership, accounts and restarts: local refusals, never a Discord verdict nor a job outcome.
  [
    'LockHeldError',
    new api.LockHeldError('/tmp/x.lock', undefined, 0, 'pid 1 is running'),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['LockLostError', new api.LockLostError('/tmp/x.lock', undefined, 0), 'local', 1, 'error', 'neutral'],
  ['LockFileError', new api.LockFileError('cannot create', '/tmp/x.lock'), 'local', 1, 'error', 'neutral'],
  [
    'TokenInUseError',
    new api.TokenInUseError('/tmp/token.lock', undefined, 0),
    'local',
    1,
    'error',
    'neutral',
  ],
  // The cluster's account lease held by a worker, or Redis unreachable: a command refused, exit 1.
  ['AccountLeasedError', new AccountLeasedError('a1', 'host:1:ab'), 'local', 1, 'error', 'neutral'],
  ['ClusterUnavailableError', new ClusterUnavailableError('Redis down'), 'local', 1, 'error', 'neutral'],
  [
    'NoAccountAvailableError',
    new api.NoAccountAvailableError('any account', ['a1: disabled']),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['UnknownAccountError', new api.UnknownAccountError('a9'), 'local', 1, 'error', 'neutral'],
  [
    'ResumeUnresolvedError',
    new api.ResumeUnresolvedError('cat', '1100000000000000001', 1_000, 3),
    'local',
    1,
    'error',
    'neutral',
  ],
  [
    'SubmissionUncertainError',
    new api.SubmissionUncertainError({
      prompt: 'cat',
      nonce: '1100000000000000001',
      waitedMs: 900,
      cause: new Error('timed out'),
    }),
    'local',
    1,
    'error',
    'neutral',
  ],
  [
    'JobClaimLostError',
    new service.JobClaimLostError({ jobId: '1', owner: 'a', fence: 1, expiresAt: 0 }),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['JobExistsError', new service.JobExistsError('1'), 'local', 1, 'error', 'neutral'],
  [
    'IdempotencyReservationLostError',
    new service.IdempotencyReservationLostError('k'),
    'local',
    1,
    'error',
    'neutral',
  ],
  ['a plain Error', new Error('boom'), 'local', 1, 'error', 'neutral'],
  ['a string', 'boom', 'local', 1, 'error', 'neutral'],
];

describe('classifyError', () => {
  it.each(ROWS)('%s: %s, exit %i, batch %s, service %s', (_label, error, family, exit, batch, kind) => {
    expect(classifyError(error).family).toBe(family);
    expect(exitCodeFor(error)).toBe(exit);
    expect(outcomeOf(error)).toBe(batch);
    expect(classifyFailure(error)).toBe(kind);
  });

  it('keeps the error’s own code and retryable', () => {
    expect(classifyError(new InvalidRequestLimitError('r', 1, 1, 1))).toEqual({
      family: 'discord',
      health: 'transport',
      code: 'INVALID_REQUEST_LIMIT',
      retryable: true,
    });
    expect(classifyError(new QueueFullError(p))).toEqual({
      family: 'midjourney',
      code: 'QUEUE_FULL',
      retryable: true,
    });
  });

  it('covers every error class the package exports', () => {
    const exported = [api, service, simulator].flatMap((module) =>
      Object.entries(module)
        .filter(
          ([name, value]) =>
            /Error$/.test(name) && typeof value === 'function' && value.prototype instanceof Error,
        )
        .map(([name]) => name),
    );
    const abstract = new Set(['WorkerError', 'MidjourneyError', 'ServiceError']);
    const tabled = new Set(ROWS.map(([label]) => label.split(' ')[0]));
    for (const name of new Set(exported)) {
      if (abstract.has(name)) continue;
      expect(tabled.has(name) || name === 'SimulatorUnknownChannelError' || isServiceOnly(name), name).toBe(
        true,
      );
    }
  });
});

/** Service request errors never reach a job outcome; they are local by construction. */
function isServiceOnly(name: string): boolean {
  const value = (service as Record<string, unknown>)[name];
  return typeof value === 'function' && value.prototype instanceof service.ServiceError;
}

describe('--retry discord', () => {
  const policy = { outcomes: new Set(['discord']), maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 };
  const decide = (error: WorkerError) =>
    planRetry({ outcome: outcomeOf(error), attempts: 1, retryable: error.retryable }, policy, () => 1).retry;

  it.each([
    ['InvalidRequestLimitError', new InvalidRequestLimitError('r', 1, 1, 1), true],
    ['DiscordHTTPError 503', new DiscordHTTPError({ ...ctx, method: 'GET' }, 503, ''), true],
    ['DiscordProtocolError', new DiscordProtocolError(), true],
    ['TokenInvalidError', new TokenInvalidError('r'), false],
    ['CloudflareBanError', new CloudflareBanError('r', 1_000), false],
    // May have reached Discord: a retry could pay for the job twice.
    [
      'ambiguous DiscordNetworkError',
      new DiscordNetworkError(ctx, 'ECONNRESET', true, true, undefined, 'x'),
      false,
    ],
  ] as const)('%s: retried %s', (_label, error, retried) => {
    expect(decide(error)).toBe(retried);
  });
});
