/** The restart rule as a table: evidence first, then whether Discord confirmed the send. */
import { describe, expect, it } from 'vitest';
import { InferredPreModerationError, ResumeUnresolvedError } from '../../src/generation/errors.js';
import {
  type RestartAction,
  type ResumeEvidence,
  restartAction,
  resumeEvidenceOf,
} from '../../src/generation/restart-rule.js';
import { JobNotFoundError, JobTimeoutError } from '../../src/midjourney/errors.js';

describe('restartAction', () => {
  it.each([
    ['found', false, false, 'follow'],
    ['found', true, false, 'follow'],
    ['unresolved', false, false, 'keep-looking'],
    ['unresolved', true, false, 'keep-looking'],
    ['unresolved', false, true, 'keep-looking'],
    // Not confirmed is an ambiguous send (the POST may have been pending at the crash): never resent.
    ['not-found', false, false, 'fail'],
    ['not-found', true, false, 'fail'],
    // Only proof that the POST was never attempted makes a resend safe.
    ['not-found', false, true, 'resend'],
    ['not-found', true, true, 'fail'],
  ] as [
    ResumeEvidence,
    boolean,
    boolean,
    RestartAction,
  ][])('%s, send confirmed %s, never sent %s -> %s', (evidence, sendConfirmed, neverSent, action) => {
    expect(restartAction({ evidence, sendConfirmed, neverSent })).toBe(action);
  });

  it('counts a missing neverSent as "may have been sent"', () => {
    expect(restartAction({ evidence: 'not-found', sendConfirmed: false })).toBe('fail');
  });
});

describe('resumeEvidenceOf', () => {
  it('reads the evidence from the error codes, and nothing from a job outcome', () => {
    expect(resumeEvidenceOf(new JobNotFoundError({ prompt: 'cat' }))).toBe('not-found');
    expect(resumeEvidenceOf(new ResumeUnresolvedError('cat', '1', 10, 3))).toBe('unresolved');
    // A double from another copy of the package is recognised by its stable code.
    expect(resumeEvidenceOf(Object.assign(new Error('x'), { code: 'RESUME_UNRESOLVED' }))).toBe('unresolved');
    expect(resumeEvidenceOf(new InferredPreModerationError('cat', 10, { resumed: true }))).toBeUndefined();
    expect(resumeEvidenceOf(new JobTimeoutError({ prompt: 'cat', timeoutMs: 1 }))).toBeUndefined();
    expect(resumeEvidenceOf('nope')).toBeUndefined();
  });

  it('never calls an unresolved resume safe to resend', () => {
    const error = new ResumeUnresolvedError('cat', '1300000000000000001', 600_000, 42, new Error('503'));
    expect(error).toMatchObject({
      code: 'RESUME_UNRESOLVED',
      retryable: true,
      safeToResend: false,
      failedReads: 42,
    });
    expect(error.message).toMatch(/do not resend/);
  });
});
