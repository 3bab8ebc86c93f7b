import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeAccounts, loadAccountsConfig, parseAccounts } from '../../src/config/accounts.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const creds = {
  DISCORD_TOKEN: 'MTA5.fake-user-token.abcdefghijklmnop',
  DISCORD_GUILD_ID: '662267976984297473',
  DISCORD_CHANNEL_ID: '1008571045445382216',
};
const config = loadConfig({ env: { MJ_CONCURRENT_JOBS: '4' }, envFile: false });
const account = (over: Record<string, unknown> = {}) => ({
  id: 'a1',
  token: 'token-a1.secret',
  guildId: '662267976984297473',
  channelId: '1008571045445382216',
  ...over,
});

function problems(json: unknown): readonly string[] {
  try {
    parseAccounts(json, config, 'accounts.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('accounts configuration', () => {
  it('without MJ_ACCOUNTS_FILE, is the one account "default" from DISCORD_*', () => {
    const withCreds = loadConfig({ env: creds, envFile: false });
    expect(loadAccountsConfig(creds, withCreds).accounts).toEqual([
      {
        id: 'default',
        token: creds.DISCORD_TOKEN,
        guildId: creds.DISCORD_GUILD_ID,
        channelId: creds.DISCORD_CHANNEL_ID,
        slots: 3,
        mode: 'fast',
        dailyJobCap: 0,
        enabled: true,
        submitGapMinMs: 0,
        submitGapMaxMs: 0,
        onCreditsExhausted: 'disable',
      },
    ]);
    expect(loadAccountsConfig({}, config)).toEqual({ file: null, accounts: [] });
  });

  it('reads the file, with defaults from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mjw-accounts-'));
    const file = join(dir, 'accounts.json');
    writeFileSync(
      file,
      JSON.stringify([
        account(),
        account({
          id: 'b',
          token: 't-b',
          slots: 12,
          mode: 'relax',
          enabled: false,
          onCreditsExhausted: 'relax',
        }),
      ]),
    );
    const { accounts } = loadAccountsConfig({ MJ_ACCOUNTS_FILE: file }, config);
    expect(accounts.map((a) => [a.id, a.slots, a.mode, a.enabled, a.onCreditsExhausted])).toEqual([
      ['a1', 4, 'fast', true, 'disable'],
      ['b', 12, 'relax', false, 'relax'],
    ]);
    expect(Object.isFrozen(accounts[0])).toBe(true);
    expect(JSON.stringify(describeAccounts(accounts))).not.toContain('secret');
  });

  it('lists every problem, naming the account and the field, never the token', () => {
    const list = problems([
      account({ slots: 0, mode: 'slow' }),
      account({ id: 'b', token: 'token-a1.secret', channelId: 'nope', extra: 1 }),
      { token: '' },
      account({ id: 'a1', token: 'other' }),
    ]);
    expect(list).toEqual([
      'accounts.json: account "a1" (#1): slots: expected an integer from 1 to 24, got 0',
      'accounts.json: account "a1" (#1): mode: expected one of fast, relax, turbo, got "slow"',
      expect.stringMatching(/^accounts.json: account "b" \(#2\): extra: unknown field/),
      'accounts.json: account "b" (#2): channelId: expected a Discord snowflake (17-20 digits), got "nope"',
      'accounts.json: account "b" (#2): token: the same token as account "a1" (#1)',
      'accounts.json: account #3: id: expected 1-32 letters, digits, ".", "_" or "-", got undefined',
      'accounts.json: account #3: token: required (the Discord user token)',
      'accounts.json: account #3: guildId: expected a Discord snowflake (17-20 digits), got undefined',
      'accounts.json: account #3: channelId: expected a Discord snowflake (17-20 digits), got undefined',
      'accounts.json: account "a1" (#4): id: "a1" is also account #1',
    ]);
    expect(list.join('\n')).not.toContain('secret');
  });

  it('refuses two accounts with the same token', () => {
    expect(problems([account(), account({ id: 'b' })])).toEqual([
      'accounts.json: account "b" (#2): token: the same token as account "a1" (#1)',
    ]);
  });

  it('refuses an empty list, bad JSON and a missing file', () => {
    expect(problems([])).toEqual(['accounts.json: expected a non-empty JSON array of accounts']);
    const dir = mkdtempSync(join(tmpdir(), 'mjw-accounts-'));
    writeFileSync(join(dir, 'bad.json'), '[{');
    expect(() => loadAccountsConfig({ MJ_ACCOUNTS_FILE: join(dir, 'bad.json') }, config)).toThrow(
      /MJ_ACCOUNTS_FILE: .*bad.json is not valid JSON/,
    );
    expect(() => loadAccountsConfig({ MJ_ACCOUNTS_FILE: join(dir, 'none.json') }, config)).toThrow(
      /MJ_ACCOUNTS_FILE: cannot read/,
    );
  });
});
