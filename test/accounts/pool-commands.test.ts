/**
 * `/describe`, `/blend`, `/shorten`, the seed and `/settings` on an AccountPool of real clients
 * against the simulator on 127.0.0.1 (three users, each in its own channel): each command runs on
 * one account (the named one, else the least busy), a blend's grid carries its account, and the
 * seed goes back to the account that ran the job. The service then answers them instead of 501.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountPool } from '../../src/accounts/account-pool.js';
import { accountPoolFromConfig } from '../../src/accounts/from-config.js';
import { parseAccounts } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/index.js';
import {
  type Simulator,
  seedOf,
  simAccounts,
  simAccountsFile,
  startSimulator,
} from '../../src/simulator/index.js';
import { encodeSolidPng } from '../../src/util/png-images.js';

const SIM = simAccounts(3);
let sim: Simulator;
let pool: AccountPool;

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 100, ...SIM.init, bot: { fastSlots: 4 } });
  const config = loadConfig({
    env: {
      DISCORD_API_BASE_URL: sim.apiBaseUrl,
      DISCORD_GATEWAY_URL: sim.gatewayUrl,
      MJ_MIN_REQUEST_SPACING_MS: '0',
      MJ_POLL_MIN_MS: '30',
      MJ_POLL_MAX_MS: '60',
      MJ_JOB_TIMEOUT_MS: '15000',
      MJ_CONFIRM_WINDOW_MS: '60',
      MJ_NOT_SEEN_TIMEOUT_MS: '1000',
      MJ_WATCH: 'gateway',
      LOG_LEVEL: 'silent',
    },
    envFile: false,
  });
  pool = accountPoolFromConfig(config, parseAccounts(simAccountsFile(SIM.accounts, sim.guildId, 2), config));
});

afterAll(async () => {
  await pool?.close();
  await sim?.close();
});

const userOf = (id: string): string => SIM.accounts.find((a) => a.id === id)?.user.id as string;
const png = (r: number) => encodeSolidPng(16, 16, [r, 40, 40]);

describe('commands on an AccountPool', () => {
  it('runs describe and shorten on the named account, in its channel, with its token', async () => {
    sim.clearRequests();
    const described = await pool.describe(png(200), { account: 'sim2' });
    expect(described.prompts).toHaveLength(4);
    expect(described.channelId).toBe(SIM.accounts[1]?.channelId);
    const posts = sim.requests.filter((r) => r.route === 'POST /interactions');
    expect(posts.map((r) => r.userId)).toEqual([userOf('sim2')]);
    const shortened = await pool.shorten('a lantern on a long winter night', { account: 'sim3' });
    expect(shortened.channelId).toBe(SIM.accounts[2]?.channelId);
    const unknown = await pool.shorten('x', { account: 'nobody' }).catch((e: unknown) => e);
    expect((unknown as { code: string }).code).toBe('UNKNOWN_ACCOUNT');
  });

  it("blends on one account; the grid's buttons and seed go back to it", async () => {
    const grid = await pool.blend([png(10), png(250)]);
    expect(grid.accountId).toMatch(/^sim[123]$/);
    const account = SIM.accounts.find((a) => a.id === grid.accountId);
    expect(grid.channelId).toBe(account?.channelId);
    const upscaled = await pool.act(grid, 'U1');
    expect(upscaled.accountId).toBe(grid.accountId);
    const seed = await pool.seed(grid);
    expect(seed.seed).toBe(String(seedOf(grid.jobId)));
  });

  it("reads and changes one account's settings", async () => {
    const changed = await pool.changeSettings({ remix: true }, { account: 'sim1' });
    expect(changed.remix).toBe(true);
    expect(sim.bot.remix(userOf('sim1'))).toBe(true);
    expect(sim.bot.remix(userOf('sim2'))).toBe(false);
    expect((await pool.getSettings({ account: 'sim2' })).remix).toBe(false);
    await pool.changeSettings({ remix: false }, { account: 'sim1' });
  });
});
