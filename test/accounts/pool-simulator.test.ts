/**
 * The AccountPool of real `Midjourney` clients (one per account, built from an accounts list)
 * against the real simulator on 127.0.0.1 with three users, each in its own channel: jobs spread
 * over every account, a disabled account gets no more calls, and `mjw batch` runs on the pool.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountPool } from '../../src/accounts/account-pool.js';
import { accountPoolFromConfig } from '../../src/accounts/from-config.js';
import { batchCommand } from '../../src/cli/commands/batch.js';
import { parseAccounts } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/index.js';
import type { SubmissionTicket } from '../../src/generation/types.js';
import { type Simulator, simAccounts, simAccountsFile, startSimulator } from '../../src/simulator/index.js';
import { batchFiles, resultLines } from '../batch/support/files.js';
import { capture } from '../cli/helpers.js';

const SIM = simAccounts(3);

function env(sim: Simulator): Record<string, string> {
  return {
    DISCORD_API_BASE_URL: sim.apiBaseUrl,
    DISCORD_GATEWAY_URL: sim.gatewayUrl,
    MJ_MIN_REQUEST_SPACING_MS: '0',
    MJ_POLL_MIN_MS: '30',
    MJ_POLL_MAX_MS: '60',
    MJ_JOB_TIMEOUT_MS: '15000',
    MJ_CONFIRM_WINDOW_MS: '60',
    MJ_NOT_SEEN_TIMEOUT_MS: '1000',
    MJ_RESUME_GRACE_MS: '1000',
    MJ_WATCH: 'poll',
    LOG_LEVEL: 'silent',
  };
}

let sim: Simulator | undefined;
let pool: AccountPool | undefined;
afterEach(async () => {
  await pool?.close();
  await sim?.close();
  pool = undefined;
  sim = undefined;
});

async function start(watch: 'poll' | 'gateway' = 'poll'): Promise<{ sim: Simulator; pool: AccountPool }> {
  sim = await startSimulator({ timeScale: 100, ...SIM.init, bot: { fastSlots: 2 } });
  const config = loadConfig({ env: { ...env(sim), MJ_WATCH: watch }, envFile: false });
  const accounts = parseAccounts(simAccountsFile(SIM.accounts, sim.guildId, 2), config);
  pool = accountPoolFromConfig(config, accounts);
  return { sim, pool };
}

const userOf = (id: string): string => SIM.accounts.find((a) => a.id === id)?.user.id as string;
const interactionsOf = (s: Simulator, userId: string): number =>
  s.requests.filter((r) => r.route === 'POST /interactions' && r.userId === userId).length;

describe('AccountPool against the simulator (3 accounts)', () => {
  it('spreads jobs over every account, each in its own channel, with its own token', async () => {
    const { sim, pool } = await start();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => pool.imagine(`harbour number ${i + 1}`)),
    );
    const byAccount = new Map<string, number>();
    for (const r of results) byAccount.set(r.accountId ?? '?', (byAccount.get(r.accountId ?? '?') ?? 0) + 1);
    expect(Object.fromEntries(byAccount)).toEqual({ sim1: 2, sim2: 2, sim3: 2 });
    for (const r of results) {
      const account = SIM.accounts.find((a) => a.id === r.accountId);
      expect(r.channelId).toBe(account?.channelId);
    }
    for (const account of SIM.accounts) expect(interactionsOf(sim, account.user.id)).toBe(2);
    // A button goes back to the account that ran the grid.
    const grid = results[4]!;
    const upscale = await pool.act(grid, 'U1');
    expect(upscale.accountId).toBe(grid.accountId);
    expect(pool.accounts().map((a) => [a.id, a.state, a.jobsToday])).toEqual([
      ['sim1', 'enabled', expect.any(Number)],
      ['sim2', 'enabled', expect.any(Number)],
      ['sim3', 'enabled', expect.any(Number)],
    ]);
  });

  it('disables an account whose credits ran out, moves its job, and sends it nothing more', async () => {
    // Account notices name no prompt: only the gateway (the interaction's nonce) ties one to its job.
    const { sim, pool } = await start('gateway');
    sim.bot.setAccountState('credits-exhausted', userOf('sim2'));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.imagine(`lamp ${i + 1}`)));
    expect(results.every((r) => r.accountId === 'sim1' || r.accountId === 'sim3')).toBe(true);
    expect(pool.account('sim2')).toMatchObject({ state: 'disabled', disabledReason: 'credits-exhausted' });
    // It got two jobs (its slots) before the first refusal came back: both moved (the second is
    // usually stopped before sending; under load it may have been sent and refused too). From
    // then on nothing is sent with it, whatever comes next.
    const sent = interactionsOf(sim, userOf('sim2'));
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(2);
    await Promise.all([pool.imagine('late 1'), pool.imagine('late 2'), pool.imagine('late 3')]);
    expect(interactionsOf(sim, userOf('sim2'))).toBe(sent);
  });

  it('disables an account whose token Discord refuses (401)', async () => {
    sim = await startSimulator({ timeScale: 100, ...SIM.init, bot: { fastSlots: 2 } });
    const config = loadConfig({ env: env(sim), envFile: false });
    const file = simAccountsFile(SIM.accounts, sim.guildId, 2);
    (file[0] as { token: string }).token = 'revoked.token.of-sim1';
    pool = accountPoolFromConfig(config, parseAccounts(file, config));
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => pool!.imagine(`kite ${i + 1}`)));
    expect(new Set(results.map((r) => r.accountId))).toEqual(new Set(['sim2', 'sim3']));
    expect(pool.account('sim1')).toMatchObject({ state: 'disabled', disabledReason: 'token-invalid' });
    expect(sim.requests.filter((r) => r.status === 401).length).toBe(1);
  });
});

describe('AccountPool resume after a crash', () => {
  it('follows a ticket on the account whose channel it names, sending nothing', async () => {
    const first = await start();
    const tickets: SubmissionTicket[] = [];
    const lost = first.pool.imagine('crashed prompt', {
      account: 'sim3',
      onSubmit: (ticket) => void tickets.push(ticket),
    });
    lost.catch(() => undefined);
    while (first.sim.jobs.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // The process "dies": its pool goes away with the job in flight.
    await first.pool.close();
    const ticket = tickets[0] as SubmissionTicket;
    expect(ticket).toMatchObject({ accountId: 'sim3', channelId: SIM.accounts[2]?.channelId });
    const config = loadConfig({ env: env(first.sim), envFile: false });
    pool = accountPoolFromConfig(
      config,
      parseAccounts(simAccountsFile(SIM.accounts, first.sim.guildId, 2), config),
    );
    const posts = first.sim.requests.filter((r) => r.route === 'POST /interactions').length;
    // The ticket as a journal written before accountIds existed would hold it: the channel decides.
    const { accountId: _dropped, ...legacy } = ticket;
    const result = await pool.resume(legacy);
    expect(result.accountId).toBe('sim3');
    expect(result.channelId).toBe(SIM.accounts[2]?.channelId);
    expect(first.sim.requests.filter((r) => r.route === 'POST /interactions').length).toBe(posts);
  });
});

describe('mjw batch with MJ_ACCOUNTS_FILE', () => {
  it('keeps every account busy and names the account in each result line', async () => {
    sim = await startSimulator({ timeScale: 100, ...SIM.init, bot: { fastSlots: 2 } });
    const files = await batchFiles(Array.from({ length: 9 }, (_, i) => `meadow ${i + 1}`).join('\n'));
    const accountsFile = `${files.dir}/accounts.json`;
    await writeFile(accountsFile, JSON.stringify(simAccountsFile(SIM.accounts, sim.guildId, 2)));
    const stdout = capture();
    const stderr = capture();
    const code = await batchCommand.run({
      argv: [files.input, '--out', files.out],
      env: { ...env(sim), MJ_ACCOUNTS_FILE: accountsFile },
      stdout,
      stderr,
      signal: new AbortController().signal,
    });
    expect(stderr.text).not.toContain('simulator-token');
    expect(code).toBe(0);
    const lines = await resultLines(files.out);
    expect(lines).toHaveLength(9);
    expect(new Set(lines.map((l) => l.accountId))).toEqual(new Set(['sim1', 'sim2', 'sim3']));
    // Each account's slots (2) were kept busy: every one ran jobs, 9 interactions in all.
    const perAccount = SIM.accounts.map((a) => interactionsOf(sim as Simulator, a.user.id));
    expect(perAccount.every((n) => n >= 2)).toBe(true);
    expect(perAccount.reduce((a, b) => a + b, 0)).toBe(9);
  });
});
