/**
 * `resultOfBot`: a succeeded job's result as `seed()` takes it names the bot whose DM carries the
 * seed: the result's own `botType`, else the job's (a result stored before results named it).
 */
import { describe, expect, it } from 'vitest';
import type { GenerationResult } from '../../src/generation/types.js';
import { createJobRecord, resultOfBot } from '../../src/service/jobs/job.js';

const base = {
  kind: 'imagine',
  jobId: '0b0b0b0b-0000-4000-8000-000000000000',
  messageId: '1250000000000000020',
  channelId: '1250000000000000001',
} as GenerationResult;

const job = (botType?: 'midjourney' | 'niji') =>
  createJobRecord(
    '1750000000000000',
    { clientId: 'alice', kind: 'imagine', prompt: 'a lantern', ...(botType ? { botType } : {}) },
    0,
  );

describe('resultOfBot', () => {
  it.each([
    ['the result names niji', job(), { ...base, botType: 'niji' }, 'niji'],
    ["the result's bot wins over the job's", job('niji'), { ...base, botType: 'midjourney' }, 'midjourney'],
    ['an older result without botType, on a niji job', job('niji'), base, 'niji'],
    ['neither says: Midjourney (left absent)', job(), base, undefined],
  ] as const)('%s', (_case, record, result, expected) => {
    const source = resultOfBot(record, result as GenerationResult);
    expect(source.botType).toBe(expected);
    expect(source).toMatchObject({ jobId: base.jobId, messageId: base.messageId });
  });
});
