import { describe, expect, it } from 'vitest';
import type { LockHolder } from '../../src/ownership/lock-holder.js';
import { judgeHolder, type StalenessContext } from '../../src/ownership/staleness.js';

const NOW = 1_700_000_000_000;
const holder = (over: Partial<LockHolder> = {}): LockHolder => ({
  pid: 4242,
  hostname: 'here',
  bootId: 'boot-1',
  startedAt: NOW - 60_000,
  heartbeatAt: NOW - 5_000,
  ownerId: 'owner',
  purpose: 'test',
  ...over,
});
const withoutBoot = ({ bootId: _, ...rest }: LockHolder): LockHolder => rest;
const context = (over: Partial<StalenessContext> = {}): StalenessContext => ({
  hostname: 'here',
  bootId: 'boot-1',
  now: NOW,
  staleAfterMs: 300_000,
  isProcessAlive: () => true,
  fileModifiedAt: NOW - 5_000,
  ...over,
});

describe('judgeHolder', () => {
  it.each([
    ['same host, pid running', holder(), context(), false, 'pid 4242 is running on this host'],
    [
      'same host, pid running, heartbeat long silent (suspended, not dead)',
      holder({ heartbeatAt: NOW - 3_600_000 }),
      context(),
      false,
      'pid 4242 is running',
    ],
    [
      'same host, pid gone',
      holder(),
      context({ isProcessAlive: () => false }),
      true,
      'pid 4242 is no longer running on this host',
    ],
    [
      'same host, another boot, pid reused since',
      holder({ bootId: 'boot-0' }),
      context(),
      true,
      'ran before this host restarted',
    ],
    [
      'same host, boot unknown on one side: the pid decides',
      withoutBoot(holder()),
      context(),
      false,
      'is running',
    ],
    [
      'other host, recent heartbeat, pid meaningless here',
      holder({ hostname: 'there' }),
      context({ isProcessAlive: () => false }),
      false,
      'host there refreshed it 5 s ago',
    ],
    [
      'other host, heartbeat exactly at the limit',
      holder({ hostname: 'there', heartbeatAt: NOW - 300_000 }),
      context(),
      false,
      'refreshed it 300 s ago',
    ],
    [
      'other host, heartbeat past the limit',
      holder({ hostname: 'there', heartbeatAt: NOW - 300_001 }),
      context(),
      true,
      'no heartbeat from host there for 300 s',
    ],
    ['unreadable, recent file', undefined, context(), false, 'recently written'],
    [
      'unreadable, file older than the limit',
      undefined,
      context({ fileModifiedAt: NOW - 400_000 }),
      true,
      'untouched for 400 s',
    ],
  ])('%s', (_case, found, ctx, stale, reason) => {
    const verdict = judgeHolder(found, ctx);
    expect(verdict.stale).toBe(stale);
    expect(verdict.reason).toContain(reason);
  });
});
