import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTIFY_OPTIONS } from '../../../src/discord/gateway/options.js';
import { identifyPayload, resumePayload } from '../../../src/discord/gateway/payloads.js';

describe('identifyPayload', () => {
  it('builds op 2 for a user account: no intents, no shard, plain JSON', () => {
    const payload = identifyPayload('tok', DEFAULT_IDENTIFY_OPTIONS);
    expect(payload).toEqual({
      op: 2,
      d: {
        token: 'tok',
        capabilities: 8_189,
        properties: { os: 'Windows', browser: 'Chrome', device: '' },
        compress: false,
      },
      s: null,
      t: null,
    });
    expect(payload.d).not.toHaveProperty('intents');
    expect(payload.d).not.toHaveProperty('shard');
  });

  it('adds a presence only when one is configured', () => {
    const presence = { status: 'invisible', since: 0, activities: [], afk: true };
    expect(identifyPayload('tok', { ...DEFAULT_IDENTIFY_OPTIONS, presence }).d.presence).toEqual(presence);
  });
});

describe('resumePayload', () => {
  it('builds op 6 with the session and the last sequence', () => {
    expect(resumePayload('tok', 'abc', 41)).toEqual({
      op: 6,
      d: { token: 'tok', session_id: 'abc', seq: 41 },
      s: null,
      t: null,
    });
  });
});
