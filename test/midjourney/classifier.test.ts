import { describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { type Classification, classify, type OutcomeKind, toError } from '../../src/midjourney/classifier.js';
import {
  AccountError,
  AppealNeededError,
  CreditsExhaustedError,
  DuplicateImagesError,
  EphemeralModerationError,
  HumanCheckError,
  InvalidRequestError,
  JobFailedError,
  JobQueuedError,
  type MidjourneyError,
  OutputFilterError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
  UnknownOutcomeError,
} from '../../src/midjourney/errors.js';
import { OUTCOME_TRAITS } from '../../src/midjourney/outcomes.js';
import { parseMessage } from '../../src/midjourney/parser.js';
import { fixtureNames, JOB, loadFixture } from './fixtures.js';

const of = (fixture: string): Classification => classify({ type: 'message', message: loadFixture(fixture) });

type ErrorClass = abstract new (...args: never[]) => MidjourneyError;

const cases: [fixture: string, outcome: OutcomeKind, extra: Partial<Classification>, error?: ErrorClass][] = [
  ['waiting', 'waiting', { terminal: false }],
  ['progress', 'progress', { terminal: false, percent: 31, jobId: JOB }],
  ['done-grid', 'success', { terminal: true, jobId: JOB }],
  ['upscale', 'success', { rule: 'state-upscale' }],
  ['variation', 'success', { rule: 'state-variation' }],
  ['zoom-out', 'success', {}],
  ['stopped', 'post-moderation', { terminal: true, retryable: false }, PostModerationError],
  ['ephemeral-result', 'ephemeral-moderation', { terminal: true }, EphemeralModerationError],
  [
    'banned-prompt-detected',
    'pre-moderation',
    { rule: 'banned-prompt', customId: 'MJ::Prompts::Appeal::1265623712648101888' },
    PreModerationError,
  ],
  ['banned-prompt', 'pre-moderation', { rule: 'banned-prompt' }, PreModerationError],
  ['banned-image-prompt', 'pre-moderation', { rule: 'banned-prompt' }, PreModerationError],
  ['image-denied', 'pre-moderation', { rule: 'image-denied' }, PreModerationError],
  [
    'action-needed',
    'appeal-needed',
    { customId: 'MJ::Prompts::Appeal::8e2f3d4c', accountFatal: false },
    AppealNeededError,
  ],
  [
    'action-required-captcha',
    'human-check',
    { accountFatal: true, customId: 'MJ::Captcha::fox::1' },
    HumanCheckError,
  ],
  ['human-check-iframe', 'human-check', { rule: 'captcha-button', accountFatal: true }, HumanCheckError],
  ['job-queued', 'job-queued', { terminal: false, retryable: false }, JobQueuedError],
  ['queue-full', 'queue-full', { terminal: true, retryable: true, retryAfter: 30_000 }, QueueFullError],
  ['invalid-parameter', 'invalid-request', { parameter: '--ar' }, InvalidRequestError],
  ['unrecognized-parameter', 'invalid-request', { parameter: '--foo' }, InvalidRequestError],
  ['unrecognized-parameter-title', 'invalid-request', { parameter: '--fancy' }, InvalidRequestError],
  ['invalid-prompt', 'invalid-request', { rule: 'invalid-prompt' }, InvalidRequestError],
  ['invalid-link', 'invalid-request', { rule: 'invalid-link' }, InvalidRequestError],
  ['invalid-request', 'invalid-request', { rule: 'invalid-request' }, InvalidRequestError],
  ['empty-prompt', 'invalid-request', { rule: 'empty-prompt' }, InvalidRequestError],
  ['job-action-restricted', 'invalid-request', { rule: 'job-action-restricted' }, InvalidRequestError],
  [
    'credits-exhausted',
    'credits-exhausted',
    { accountFatal: false, retryable: false },
    CreditsExhaustedError,
  ],
  [
    'pending-mod-message',
    'account',
    { accountReason: 'pending-mod-message', accountFatal: true },
    AccountError,
  ],
  ['blocked', 'account', { accountReason: 'blocked', accountFatal: true }, AccountError],
  ['plan-cancelled', 'account', { accountReason: 'plan-cancelled' }, AccountError],
  ['subscription-required', 'account', { accountReason: 'subscription-required' }, AccountError],
  ['subscription-paused', 'account', { accountReason: 'subscription-paused' }, AccountError],
  ['tos-not-accepted', 'account', { accountReason: 'tos-not-accepted' }, AccountError],
  ['output-filter', 'output-filter', { terminal: true }, OutputFilterError],
  ['duplicate-images', 'duplicate-images', {}, DuplicateImagesError],
  ['could-not-complete', 'job-failed', { retryable: true, rule: 'could-not-complete' }, JobFailedError],
  ['internal-error', 'job-failed', { retryable: true }, JobFailedError],
  [
    'failed-text',
    'job-failed',
    { rule: 'failed-text', notice: 'Failed to process your command :c' },
    JobFailedError,
  ],
  ['noise-displaying', 'noise', { terminal: false }],
  ['noise-animating', 'noise', { terminal: false }],
  ['warning-yellow', 'warning', { terminal: false, rule: 'color-warning' }],
  ['unknown-red', 'unknown', { terminal: true, rule: 'color-error' }, UnknownOutcomeError],
  ['unknown-plain', 'unknown', { terminal: true, rule: 'unrecognised' }, UnknownOutcomeError],
];

describe('classify over recorded messages', () => {
  it.each(cases)('%s -> %s', (fixture, outcome, extra, errorClass) => {
    const c = of(fixture);
    expect(c.outcome).toBe(outcome);
    expect(c).toMatchObject({ tentative: false, ...extra });
    if (errorClass) {
      const error = toError(c, { prompt: 'a red fox' });
      expect(error).toBeInstanceOf(errorClass);
      expect(error.prompt).toBe('a red fox');
      expect(error.retryable).toBe(c.retryable);
      expect(error.accountFatal).toBe(c.accountFatal);
      expect(error.messageId).toBe(c.messageId);
    }
  });

  it('covers every fixture, and no recorded message is a silent non-terminal unknown', () => {
    const covered = new Set(cases.map(([name]) => name));
    const classified = fixtureNames().map((name) => [name, of(name)] as const);
    for (const [name, c] of classified) {
      if (c.outcome === 'unknown') expect(c.terminal, name).toBe(true);
    }
    const uncovered = fixtureNames().filter((n) => !covered.has(n));
    for (const name of uncovered) expect(of(name).rule, name).not.toBe('unrecognised');
  });

  it('puts the title and description in the notice and the error message', () => {
    const c = of('queue-full');
    expect(c.notice).toBe(
      'Queue full: Your job queue is full. Please wait for a job to finish first, then resubmit this one.',
    );
    const error = toError(c, { prompt: 'fox', jobId: 'job-1' });
    expect(error.message).toContain('Queue full: Your job queue is full');
    expect(error).toMatchObject({ code: 'QUEUE_FULL', jobId: 'job-1', retryAfter: 30_000 });
  });
});

describe('wording variants and fallbacks', () => {
  const withEmbed = (title: string, color?: number, description = 'details'): APIMessage => {
    const message = loadFixture('queue-full');
    message.embeds = [{ type: 'rich', title, description, ...(color === undefined ? {} : { color }) }];
    return message;
  };
  const outcomeOf = (title: string, color?: number, description?: string): OutcomeKind =>
    classify({ type: 'message', message: withEmbed(title, color, description) }).outcome;

  it.each([
    ['Banned prompt detected', 'pre-moderation'],
    ['BANNED PROMPT', 'pre-moderation'],
    ['Banned image prompt', 'pre-moderation'],
    ['Image denied', 'pre-moderation'],
    ['Prompt denied', 'pre-moderation'],
    ['Invalid parameter', 'invalid-request'],
    ['Invalid parameters', 'invalid-request'],
    ['Unrecognized parameter(s)', 'invalid-request'],
    ['Invalid aspect ratio', 'invalid-request'],
    ['Job queued', 'job-queued'],
    ['Slow down!', 'queue-full'],
    ['Temporarily blocked', 'account'],
    ['Plan Canceled', 'account'],
    ['Request cancelled due to output filter', 'output-filter'],
    ['Sorry! Could not complete the job!', 'job-failed'],
    ['Action required to continue', 'human-check'],
    ['Action needed to continue', 'appeal-needed'],
  ] as const)('title %j -> %s', (title, outcome) => {
    expect(outcomeOf(title)).toBe(outcome);
  });

  it('lets the title win over the colour', () => {
    expect(outcomeOf('Job queued', 16711680)).toBe('job-queued');
    expect(outcomeOf('Queue full', 16776960)).toBe('queue-full');
  });

  it('falls back on the colour for an unknown title: red is a terminal unknown, yellow a warning', () => {
    const red = classify({ type: 'message', message: withEmbed('Brand new refusal', 16711680) });
    expect(red).toMatchObject({ outcome: 'unknown', terminal: true, rule: 'color-error' });
    expect(red.notice).toBe('Brand new refusal: details');
    const yellow = classify({ type: 'message', message: withEmbed('Heads up', 16776960) });
    expect(yellow).toMatchObject({ outcome: 'warning', terminal: false, rule: 'color-warning' });
    const other = classify({ type: 'message', message: withEmbed('Your settings', 5763719) });
    expect(other).toMatchObject({ outcome: 'unknown', terminal: true, rule: 'unrecognised' });
  });

  it('detects a human check from the description whatever the title', () => {
    expect(outcomeOf('Action needed to continue', undefined, "Please verify you're human")).toBe(
      'human-check',
    );
  });

  it('keeps the raw message on an unknown outcome, through to the error', () => {
    const message = withEmbed('Brand new refusal', 16711680);
    const c = classify({ type: 'message', message });
    expect(c.raw).toBe(message);
    const error = toError(c, { prompt: 'fox' });
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).raw).toBe(message);
    expect(error.notice).toBe('Brand new refusal: details');
  });

  it('offers the Appeal button on a banned-prompt error, and treats a bare Appeal notice as appeal needed', () => {
    const error = toError(of('banned-prompt-detected'), { prompt: 'fox' }) as PreModerationError;
    expect(error.appealCustomId).toBe('MJ::Prompts::Appeal::1265623712648101888');
    expect(error.detectedLocally).toBe(false);
    const message = loadFixture('banned-prompt-detected');
    message.embeds = [{ type: 'rich', title: 'Please review', description: 'x' }];
    expect(classify({ type: 'message', message })).toMatchObject({
      outcome: 'appeal-needed',
      rule: 'appeal-button',
    });
  });

  it('reports an empty prompt without inventing a parameter', () => {
    expect(of('empty-prompt').parameter).toBeUndefined();
  });

  it('ignores a message with neither text nor embed (a partial update) instead of failing the job', () => {
    const message = loadFixture('done-grid');
    message.content = '';
    expect(classify({ type: 'message', message })).toMatchObject({
      outcome: 'noise',
      rule: 'no-text',
      terminal: false,
    });
  });

  it('uses a given parse and an explicit ephemeral flag', () => {
    const message = loadFixture('done-grid');
    const parsed = parseMessage(message);
    expect(classify({ type: 'message', message, parsed }).outcome).toBe('success');
    expect(classify({ type: 'message', message, parsed, ephemeral: true }).outcome).toBe(
      'ephemeral-moderation',
    );
  });
});

describe('deletions', () => {
  it('a deleted result is ephemeral moderation, terminal at once', () => {
    const lastSeen = parseMessage(loadFixture('done-grid'));
    const c = classify({ type: 'deleted', messageId: lastSeen.messageId, lastSeen });
    expect(c).toMatchObject({
      outcome: 'ephemeral-moderation',
      terminal: true,
      tentative: false,
      jobId: JOB,
    });
    expect(toError(c, { prompt: 'fox' })).toBeInstanceOf(EphemeralModerationError);
  });

  it('a deleted progress message is tentative post-moderation carrying the last percent', () => {
    const lastSeen = parseMessage(loadFixture('progress'));
    const c = classify({ type: 'deleted', messageId: lastSeen.messageId, lastSeen });
    expect(c).toMatchObject({ outcome: 'post-moderation', terminal: false, tentative: true, percent: 31 });
    const error = toError(c, { prompt: 'fox' }) as PostModerationError;
    expect(error.percent).toBe(31);
  });

  it('a deletion never seen before is tentative; a notice vanishing is noise', () => {
    expect(classify({ type: 'deleted', messageId: '1' })).toMatchObject({
      outcome: 'post-moderation',
      tentative: true,
    });
    const lastSeen = parseMessage(loadFixture('job-queued'));
    expect(classify({ type: 'deleted', messageId: lastSeen.messageId, lastSeen }).outcome).toBe('noise');
  });
});

describe('toError', () => {
  it('refuses outcomes that are not failures', () => {
    for (const outcome of ['success', 'waiting', 'progress', 'noise', 'warning'] as const) {
      const c: Classification = { outcome, rule: 'x', tentative: false, ...OUTCOME_TRAITS[outcome] };
      expect(() => toError(c, { prompt: 'fox' })).toThrow(TypeError);
    }
  });

  it('gives every failure outcome a class whose traits agree with the table', () => {
    const failures = (Object.keys(OUTCOME_TRAITS) as OutcomeKind[]).filter(
      (o) => OUTCOME_TRAITS[o].terminal && o !== 'success',
    );
    expect(failures).toHaveLength(13);
    for (const outcome of failures) {
      const c: Classification = { outcome, rule: 'x', tentative: false, ...OUTCOME_TRAITS[outcome] };
      const error = toError(c, { prompt: 'fox' });
      expect(error.retryable, outcome).toBe(OUTCOME_TRAITS[outcome].retryable);
      expect(error.accountFatal, outcome).toBe(OUTCOME_TRAITS[outcome].accountFatal);
    }
  });

  it('prefers the caller context over what the message carried', () => {
    const c = of('done-grid');
    const failed: Classification = { ...c, outcome: 'job-failed', ...OUTCOME_TRAITS['job-failed'] };
    const error = toError(failed, { prompt: 'fox', jobId: 'mine', messageId: '77' });
    expect(error).toMatchObject({ jobId: 'mine', messageId: '77', code: 'JOB_FAILED' });
    expect(toError(failed, { prompt: 'fox' }).jobId).toBe(JOB);
  });
});
