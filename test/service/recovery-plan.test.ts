import { describe, expect, it } from 'vitest';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { createJobRecord, type JobRecord, type JobStatus } from '../../src/service/jobs/job.js';
import {
  afterNotFound,
  afterResumeError,
  planRecovery,
  sendConfirmed,
} from '../../src/service/runner/recovery.js';

const ticket: SubmissionTicket = {
  kind: 'imagine',
  prompt: 'cat',
  channelId: '1100000000000000001',
  nonce: '1100000000000000099',
  afterMessageId: null,
  submittedAt: 1,
};

function job(status: JobStatus, withTicket: boolean, kind: JobRecord['kind'] = 'imagine'): JobRecord {
  return {
    ...createJobRecord(
      '1750000000000001',
      { clientId: 'a', kind, prompt: 'cat', parentId: '1750000000000000' },
      0,
    ),
    status,
    ticket: withTicket ? ticket : null,
  };
}

describe('the restart rule', () => {
  it.each([
    ['queued', false, 'submit'],
    ['submitting', true, 'resume'],
    ['submitted', true, 'resume'],
    ['running', true, 'resume'],
  ] as const)('a %s job (ticket: %s) is %s-ed', (status, withTicket, step) => {
    expect(planRecovery(job(status, withTicket), true).kind).toBe(step);
  });

  it('fails a button job whose source result is gone', () => {
    expect(planRecovery(job('submitted', true, 'upscale'), false)).toEqual({
      kind: 'fail',
      reason: 'source job 1750000000000000 has no result to act on',
    });
  });

  it.each([
    // The POST may have been pending when the process died: an ambiguous send, never resent.
    ['submitting', 'fail'],
    ['submitted', 'fail'],
    ['running', 'fail'],
  ] as const)('not found after resume, a %s job is %s-ed', (status, decision) => {
    expect(afterNotFound(job(status, true))).toBe(decision);
  });

  it.each([
    ['submitting', false],
    ['submitted', true],
    ['running', true],
  ] as const)('a %s job was confirmed sent: %s', (status, confirmed) => {
    expect(sendConfirmed(job(status, true))).toBe(confirmed);
  });

  const notFound = Object.assign(new Error('not found'), { code: 'JOB_NOT_FOUND' });
  const unresolved = Object.assign(new Error('reads failed'), { code: 'RESUME_UNRESOLVED' });
  const outcome = Object.assign(new Error('banned'), { code: 'PRE_MODERATION' });
  it.each([
    ['submitting', notFound, 'fail'],
    ['submitted', notFound, 'fail'],
    ['running', notFound, 'fail'],
    ['submitting', unresolved, 'keep-looking'],
    ['submitted', unresolved, 'keep-looking'],
    ['submitted', outcome, undefined],
  ] as const)('resume of a %s job rejected with %s: %s', (status, error, action) => {
    expect(afterResumeError(job(status, true), error)).toBe(action);
  });
});
