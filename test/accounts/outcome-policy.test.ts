import { describe, expect, it } from 'vitest';
import { decideOutcome, type OutcomeFacts } from '../../src/accounts/outcome-policy.js';

const facts = (over: Partial<OutcomeFacts>): OutcomeFacts => ({
  code: undefined,
  submitted: true,
  moved: false,
  pinned: false,
  aborted: false,
  onCreditsExhausted: 'disable',
  mode: 'fast',
  ...over,
});

describe('decideOutcome', () => {
  it.each([
    // code, extra facts, account effect, moved to another account
    ['QUEUE_FULL', {}, { kind: 'none' }, true],
    ['CREDITS_EXHAUSTED', {}, { kind: 'disable', reason: 'credits-exhausted' }, true],
    ['CREDITS_EXHAUSTED', { onCreditsExhausted: 'relax' }, { kind: 'relax' }, true],
    [
      'CREDITS_EXHAUSTED',
      { onCreditsExhausted: 'relax', mode: 'relax' },
      { kind: 'disable', reason: 'credits-exhausted' },
      true,
    ],
    ['ACCOUNT_NOTICE', { noticeReason: 'blocked' }, { kind: 'disable', reason: 'blocked' }, true],
    [
      'ACCOUNT_NOTICE',
      { noticeReason: 'tos-not-accepted' },
      { kind: 'disable', reason: 'tos-not-accepted' },
      true,
    ],
    ['HUMAN_CHECK', {}, { kind: 'disable', reason: 'human-check' }, true],
    ['APPEAL_NEEDED', {}, { kind: 'disable', reason: 'appeal-needed' }, false],
    ['TOKEN_INVALID', { submitted: false }, { kind: 'disable', reason: 'token-invalid' }, true],
    ['TOKEN_INVALID', { route: 'POST /interactions' }, { kind: 'disable', reason: 'token-invalid' }, true],
    [
      'TOKEN_INVALID',
      { route: 'GET /channels/{channel_id}/messages' },
      { kind: 'disable', reason: 'token-invalid' },
      false,
    ],
    ['DAILY_CAP_REACHED', { retryAfterMs: 5_000 }, { kind: 'pause', forMs: 5_000 }, true],
    // Outcomes of a job that may have started: never sent again.
    ['JOB_TIMEOUT', {}, { kind: 'none' }, false],
    ['POST_MODERATION', {}, { kind: 'none' }, false],
    ['PRE_MODERATION', {}, { kind: 'none' }, false],
    ['JOB_FAILED', {}, { kind: 'none' }, false],
    ['DISCORD_NETWORK_ERROR', {}, { kind: 'none' }, false],
    [undefined, {}, { kind: 'none' }, false],
  ] as const)('%s %o -> %o, moved: %s', (code, extra, account, reroute) => {
    expect(decideOutcome(facts({ code, ...extra }))).toEqual({ account, reroute });
  });

  it.each([
    ['moved once already', { moved: true }],
    ['pinned to its account', { pinned: true }],
    ['cancelled by its caller', { aborted: true }],
  ])('never moves a refused job %s, but still applies the account effect', (_name, extra) => {
    expect(decideOutcome(facts({ code: 'CREDITS_EXHAUSTED', ...extra }))).toEqual({
      account: { kind: 'disable', reason: 'credits-exhausted' },
      reroute: false,
    });
  });
});
