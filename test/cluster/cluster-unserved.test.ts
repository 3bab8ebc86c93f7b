/**
 * Jobs no worker can serve, in a real cluster (two nodes, one of them also the API node, the
 * simulator on 127.0.0.1, real Redis): a button job pinned to a disabled account, and any job once
 * every account is disabled, fail with NO_ACCOUNT_AVAILABLE at once, naming why, rather than
 * going back to the queue every 5 s forever or waiting queued with no worker taking entries.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterKeys } from '../../src/cluster/keys.js';
import { loadAccountsConfig } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/index.js';
import { loadServiceConfig } from '../../src/config/service.js';
import { startClusterNode } from '../../src/service/cluster/node.js';
import { openLeasedAccount } from '../../src/service/open-generator.js';
import { simAccounts, simAccountsFile } from '../../src/simulator/sim-accounts.js';
import { silentLogger } from '../../src/util/logger.js';
import { startBatchSim } from '../batch/support/sim.js';
import { openTestRedis, TEST_REDIS_URL } from './redis-test-env.js';

/** Shared with the other cluster files on DB 5: keys under this file's prefix only. */
const DB = 5;
const PREFIX = `unserved-${process.pid}`;
const env = await openTestRedis(DB, { keyPrefix: PREFIX });
afterAll(() => env?.close());

interface JobView {
  id: string;
  status: string;
  error?: { code?: string; message?: string } | null;
}

describe.skipIf(env === undefined)('a job no worker can serve, in a cluster', () => {
  it('fails a button job whose account was disabled (its holder takes no entries) with NO_ACCOUNT_AVAILABLE, rather than handing it back forever', async () => {
    const sims = simAccounts(2);
    const setup = await startBatchSim({
      users: sims.init.users,
      channelId: sims.init.channelId,
      extraChannelIds: sims.init.extraChannelIds,
    });
    const dir = mkdtempSync(join(tmpdir(), 'mjw-unserved-'));
    const accountsFile = join(dir, 'accounts.json');
    writeFileSync(accountsFile, JSON.stringify(simAccountsFile(sims.accounts, setup.sim.guildId, 3)));
    const url = new URL(TEST_REDIS_URL);
    url.pathname = `/${DB}`;
    const vars = {
      ...setup.env,
      MJ_ACCOUNTS_FILE: accountsFile,
      MJ_WATCH: 'gateway',
      MJW_REDIS_URL: url.toString(),
      MJW_REDIS_PREFIX: PREFIX,
      MJW_ACCOUNT_LEASE_TTL_MS: '3000',
      MJW_PORT: '0',
      MJW_RATE_LIMIT_REQUESTS: '1000000',
    };
    const config = loadConfig({ env: vars, envFile: false });
    const start = (listen: boolean) =>
      startClusterNode({
        config: loadServiceConfig(vars, { worker: true }),
        logger: silentLogger,
        listen,
        accounts: loadAccountsConfig(vars, config).accounts,
        minSpacingMs: 0,
        balanceIntervalMs: 200,
        // Handed-back entries come round fast: a hand-back loop would run many times in the test.
        retryDelayMs: 200,
        openAccount: async (account, gate) => openLeasedAccount(config, silentLogger, account, gate),
      });
    // Two workers (the first also an API node), one account each once they have balanced.
    const node = await start(true);
    const other = await start(false);
    const base = node.url as string;
    const until = async (id: string, done: (job: JobView) => boolean): Promise<JobView> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const job = (await (await fetch(`${base}/v1/jobs/${id}`)).json()) as JobView;
        if (done(job)) return job;
        if (Date.now() > deadline) throw new Error(`job ${id} stuck: ${JSON.stringify(job)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const post = async (path: string, body: unknown): Promise<Response> =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      await Promise.all([node.driving, other.driving]);
      const balanced = Date.now() + 20_000;
      while (node.heldAccounts().length !== 1 || other.heldAccounts().length !== 1) {
        if (Date.now() > balanced) throw new Error('the workers never shared the accounts');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const grid = (await (await post('/v1/imagine', { prompt: 'a lighthouse' })).json()) as JobView;
      const done = (await until(grid.id, (job) => job.status === 'succeeded')) as JobView & {
        accountId: string;
      };
      const account = done.accountId;
      // Its holder's capacity drops to 0: that worker takes no more entries; only the other does,
      // and none of its accounts may press the grid's buttons.
      expect((await post(`/v1/accounts/${account}/disable`, {})).status).toBe(200);
      // The worker applies the operator's order within its sync period, then publishes its view.
      const viewKey = clusterKeys(PREFIX).accountView(account);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const view = JSON.parse((await env?.redis.get(viewKey)) ?? '{}') as { state?: string };
        if (view.state === 'disabled') break;
        if (Date.now() > deadline) throw new Error('the worker never applied the disable');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const calls = setup.sim.requests.length;
      const upscale = (await (await post(`/v1/jobs/${grid.id}/actions`, { action: 'U1' })).json()) as JobView;
      const failed = await until(upscale.id, (job) => job.status === 'failed' || job.status === 'succeeded');
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatchObject({ code: 'NO_ACCOUNT_AVAILABLE' });
      expect(failed.error?.message).toContain(`${account}: disabled`);
      // Nothing was sent for it.
      expect(
        setup.sim.requests
          .slice(calls)
          .filter((r) => r.method === 'POST' && r.route.includes('interactions')),
      ).toEqual([]);

      // Every account disabled: no worker takes entries any more. A new job is not left queued
      // forever: the API node fails it at once (accepted, then failed), as one process does.
      const rest = account === 'sim1' ? 'sim2' : 'sim1';
      expect((await post(`/v1/accounts/${rest}/disable`, {})).status).toBe(200);
      const restView = clusterKeys(PREFIX).accountView(rest);
      while (
        (JSON.parse((await env?.redis.get(restView)) ?? '{}') as { state?: string }).state !== 'disabled'
      ) {
        if (Date.now() > deadline + 10_000) throw new Error('the worker never applied the second disable');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The API node judges on a view at most 250 ms old.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const accepted = await post('/v1/imagine', { prompt: 'a lighthouse nobody can draw' });
      expect(accepted.status).toBe(202);
      const lonely = await until(((await accepted.json()) as JobView).id, (job) => job.status !== 'queued');
      expect(lonely.status).toBe('failed');
      expect(lonely.error).toMatchObject({ code: 'NO_ACCOUNT_AVAILABLE' });
      expect(lonely.error?.message).toContain(`${rest}: disabled`);
      expect(
        setup.sim.requests
          .slice(calls)
          .filter((r) => r.method === 'POST' && r.route.includes('interactions')),
      ).toEqual([]);
    } finally {
      await other.close();
      await node.close();
      await setup.close();
    }
  }, 60_000);
});
