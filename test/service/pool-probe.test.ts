/** The service's health sources on an account pool: every token checked, one refusal disables one account. */
import { describe, expect, it } from 'vitest';
import { AccountPool } from '../../src/accounts/account-pool.js';
import { TokenInvalidError } from '../../src/discord/rest/errors.js';
import type { RestClient } from '../../src/discord/rest/index.js';
import { poolProbe } from '../../src/service/pool-probe.js';
import { ScriptedAccount } from '../accounts/support/scripted-account.js';

function rest(user: string | Error): RestClient {
  return {
    getCurrentUser: async () => {
      if (user instanceof Error) throw user;
      return { id: '1', username: user };
    },
  } as unknown as RestClient;
}

function setup(users: (string | Error)[]) {
  const pool = new AccountPool();
  const transports = new Map<string, { rest: RestClient; gateway: undefined }>();
  users.forEach((user, i) => {
    const id = `a${i + 1}`;
    const channelId = `130000000000000000${i}`;
    pool.add({ id, generator: new ScriptedAccount(channelId), channelId, slots: 2 });
    transports.set(id, { rest: rest(user), gateway: undefined });
  });
  return { pool, probe: poolProbe(pool, transports).probe };
}

describe('poolProbe', () => {
  it('disables the account whose token is refused; the service stays healthy while another works', async () => {
    const { pool, probe } = setup(['alice', new TokenInvalidError('GET /users/@me')]);
    const status = await probe.checkDiscord?.(new AbortController().signal);
    expect(status).toMatchObject({ reachable: true, tokenValid: true, user: 'a1:alice' });
    expect(status?.error).toMatch(/^a2: Discord rejected the token/);
    expect(pool.account('a2')).toMatchObject({ state: 'disabled', disabledReason: 'token-invalid' });
    expect(probe.slots?.()).toEqual({ inUse: 0, limit: 2, queueDepth: 0 });
  });

  it('reports the token refused only when every account is', async () => {
    const { probe } = setup([
      new TokenInvalidError('GET /users/@me'),
      new TokenInvalidError('GET /users/@me'),
    ]);
    expect(await probe.checkDiscord?.(new AbortController().signal)).toMatchObject({ tokenValid: false });
  });
});
