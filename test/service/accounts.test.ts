/**
 * The service on an AccountPool: HTTP on 127.0.0.1 -> the pool of real Midjourney clients (one
 * per account, from an accounts list) -> the simulated Discord with three users, each in its own
 * channel. Jobs name their account, the account routes and the per-account metrics report them,
 * and no answer ever carries a token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/index.js';
import { openServiceGenerator, type ServiceGenerator } from '../../src/service/open-generator.js';
import { type Simulator, simAccounts, simAccountsFile, startSimulator } from '../../src/simulator/index.js';
import { silentLogger } from '../../src/util/logger.js';
import type { Json } from './helpers/http.js';
import { startTestService, type TestService, waitForStatus } from './helpers/service.js';

const SIM = simAccounts(3);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<{ sim: Simulator; t: TestService; opened: ServiceGenerator }> {
  const sim = await startSimulator({ timeScale: 100, ...SIM.init, bot: { fastSlots: 2 } });
  cleanups.push(() => sim.close());
  const config = loadConfig({
    env: {
      DISCORD_API_BASE_URL: sim.apiBaseUrl,
      MJ_MIN_REQUEST_SPACING_MS: '0',
      MJ_POLL_MIN_MS: '30',
      MJ_POLL_MAX_MS: '60',
      MJ_CONFIRM_WINDOW_MS: '60',
      MJ_NOT_SEEN_TIMEOUT_MS: '1000',
      MJ_JOB_TIMEOUT_MS: '15000',
    },
    envFile: false,
  });
  const accounts = parseAccounts(simAccountsFile(SIM.accounts, sim.guildId, 2), config);
  const opened = await openServiceGenerator(config, silentLogger as never, accounts);
  cleanups.push(() => opened.close());
  const t = await startTestService({
    generator: opened.generator,
    probe: opened.probe,
    telemetry: opened.telemetry,
    channelId: opened.channelId,
    ...(opened.accounts ? { accounts: opened.accounts } : {}),
  });
  cleanups.push(() => t.close());
  return { sim, t, opened };
}

async function imagine(t: TestService, prompts: string[]): Promise<Json[]> {
  const ids: string[] = [];
  for (const prompt of prompts) {
    const reply = await t.alice.post('/v1/imagine', { prompt });
    expect(reply.status).toBe(202);
    ids.push(reply.body.id);
  }
  await Promise.all(ids.map((id) => waitForStatus(t.started.service.runner, id, 'terminal')));
  return Promise.all(ids.map(async (id) => (await t.alice.get(`/v1/jobs/${id}`)).body));
}

describe('service on an account pool (3 simulated accounts)', () => {
  it('spreads jobs, says which account ran each, and reports accounts without tokens', async () => {
    const { t } = await start();
    const jobs = await imagine(
      t,
      Array.from({ length: 6 }, (_, i) => `lighthouse ${i + 1}`),
    );
    expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
    expect(new Set(jobs.map((j) => j.accountId))).toEqual(new Set(['sim1', 'sim2', 'sim3']));

    const list = await t.alice.get('/v1/accounts');
    expect(list.status).toBe(200);
    expect(list.body.accounts.map((a: Json) => [a.id, a.state, a.slots.total])).toEqual([
      ['sim1', 'enabled', 2],
      ['sim2', 'enabled', 2],
      ['sim3', 'enabled', 2],
    ]);
    expect(list.body.accounts[0].limiter.requests).toBeGreaterThan(0);

    const proxyList = await t.alice.get('/mj/account/list');
    expect(proxyList.body[1]).toMatchObject({
      id: 'sim2',
      channelId: SIM.accounts[1]?.channelId,
      enable: true,
      coreSize: 2,
    });
    const fetched = await t.alice.get('/mj/account/sim3/fetch');
    expect(fetched.body).toMatchObject({ id: 'sim3', enable: true });
    expect((await t.alice.get('/mj/account/nope/fetch')).status).toBe(404);
    const task = await t.alice.get(`/mj/task/${jobs[0].id}/fetch`);
    expect(task.body.properties.discordInstanceId).toBe(jobs[0].accountId);

    const metrics = await t.alice.get('/metrics');
    expect(metrics.body).toContain('mjw_account_slots{account="sim1",kind="total"} 2');
    expect(metrics.body).toContain('mjw_account_enabled{account="sim3"} 1');
    expect(metrics.body).toMatch(/mjw_account_jobs_today\{account="sim2"\} [1-9]/);

    for (const body of [list.body, proxyList.body, fetched.body, metrics.body, jobs]) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      for (const a of SIM.accounts) expect(text).not.toContain(a.user.token);
    }
  });

  it('disables and enables an account over the API; a disabled account gets no job', async () => {
    const { sim, t } = await start();
    const disabled = await t.alice.post('/v1/accounts/sim2/disable', {});
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: 'sim2', state: 'disabled', disabledReason: 'manual' });
    expect(typeof disabled.body.disabledAt).toBe('number');
    const jobs = await imagine(
      t,
      Array.from({ length: 4 }, (_, i) => `orchard ${i + 1}`),
    );
    expect(jobs.every((j) => j.accountId === 'sim1' || j.accountId === 'sim3')).toBe(true);
    const sim2 = SIM.accounts[1]?.user.id;
    expect(sim.requests.filter((r) => r.userId === sim2 && r.route === 'POST /interactions')).toEqual([]);
    expect((await t.alice.post('/v1/accounts/sim2/enable', {})).body).toMatchObject({ state: 'enabled' });
    expect((await t.alice.post('/v1/accounts/nope/enable', {})).status).toBe(404);
    expect((await t.anonymous.get('/v1/accounts')).status).toBe(401);
  });
});

describe('service without an account pool', () => {
  it('answers the account routes with 404 ACCOUNTS_NOT_CONFIGURED and an empty proxy list', async () => {
    const t = await startTestService();
    cleanups.push(() => t.close());
    const reply = await t.alice.get('/v1/accounts');
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('ACCOUNTS_NOT_CONFIGURED');
    expect((await t.alice.get('/mj/account/list')).body).toEqual([]);
  });
});
