import { describe, expect, it } from 'vitest';
import { type AccountSnapshot, pickAccount, servable } from '../../src/accounts/routing.js';

const acc = (id: string, over: Partial<AccountSnapshot> = {}): AccountSnapshot => ({
  id,
  enabled: true,
  capped: false,
  mode: 'fast',
  busy: 0,
  slots: 3,
  order: Number(id.replace(/\D/g, '')),
  ...over,
});

describe('pickAccount', () => {
  it.each([
    ['the least busy account', [acc('a1', { busy: 2 }), acc('a2', { busy: 1 })], {}, 'a2'],
    ['by load, not count', [acc('a1', { busy: 2, slots: 12 }), acc('a2', { busy: 1, slots: 3 })], {}, 'a1'],
    ['the earlier one on a tie', [acc('a1', { busy: 1 }), acc('a2', { busy: 1 })], {}, 'a1'],
    ['no full account', [acc('a1', { busy: 3 }), acc('a2', { busy: 3 })], {}, undefined],
    ['no disabled account', [acc('a1', { enabled: false }), acc('a2', { busy: 2 })], {}, 'a2'],
    ['no capped account', [acc('a1', { capped: true }), acc('a2', { busy: 2 })], {}, 'a2'],
    ['the asked account even if busier', [acc('a1'), acc('a2', { busy: 2 })], { account: 'a2' }, 'a2'],
    [
      'nothing when the asked account is full',
      [acc('a1'), acc('a2', { busy: 3 })],
      { account: 'a2' },
      undefined,
    ],
    ['the asked mode', [acc('a1'), acc('a2', { mode: 'relax', busy: 2 })], { mode: 'relax' as const }, 'a2'],
    ['any mode when none is asked', [acc('a1', { mode: 'relax' }), acc('a2', { busy: 1 })], {}, 'a1'],
    ['not an excluded account', [acc('a1'), acc('a2', { busy: 2 })], { exclude: ['a1'] }, 'a2'],
  ])('picks %s', (_name, accounts, request, expected) => {
    expect(pickAccount(accounts, request)).toBe(expected);
  });

  it('tells a job that can wait from one no account can ever serve', () => {
    const accounts = [acc('a1', { busy: 3 }), acc('a2', { enabled: false })];
    expect(servable(accounts, {})).toBe(true);
    expect(servable(accounts, { account: 'a2' })).toBe(false);
    expect(servable(accounts, { account: 'nope' })).toBe(false);
    expect(servable(accounts, { mode: 'turbo' })).toBe(false);
    expect(servable(accounts, { exclude: ['a1'] })).toBe(false);
  });
});
