import { describe, expect, it } from 'vitest';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { createJobRecord, type JobRecord, type JobStatus } from '../../src/service/jobs/job.js';
import { afterNotFound, planRecovery } from '../../src/service/runner/recovery.js';

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
    ['submitting', 'resubmit'],
    ['submitted', 'fail'],
    ['running', 'fail'],
  ] as const)('not found after resume, a %s job is %s-ed', (status, decision) => {
    expect(afterNotFound(job(status, true))).toBe(decision);
  });
});
