/**
 * One-shot commands beside a cluster (MJW_REDIS_URL set): `mjw imagine` and `mjw batch` take the
 * same account lease in Redis as a worker and send through the same fenced send gate, so the 350
 * ms spacing of a token holds across a worker and a command; while a worker holds the lease they
 * are refused (AccountLeasedError, exit 1) before anything is sent. Real Redis, the real simulator
 * on 127.0.0.1, the commands run in process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/command.js';
import { batchCommand } from '../../src/cli/commands/batch.js';
import { imagineCommand } from '../../src/cli/commands/imagine.js';
import {
  AccountLease,
  clusterKeys,
  FencedSendGate,
  readSendLog,
  registerAccountTokens,
} from '../../src/cluster/index.js';
import { loadAccountsConfig } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/index.js';
import { loadServiceConfig } from '../../src/config/service.js';
import { startClusterNode } from '../../src/service/cluster/node.js';
import { openLeasedAccount } from '../../src/service/open-generator.js';
import { simAccounts, simAccountsFile } from '../../src/simulator/sim-accounts.js';
import { silentLogger } from '../../src/util/logger.js';
import { type SimSetup, startBatchSim } from '../batch/support/sim.js';
import { capture } from '../cli/helpers.js';
import { openTestRedis, TEST_REDIS_URL } from './redis-test-env.js';

/** Shared with cluster-accounts-e2e.test.ts: keys under this file's prefix only. */
const DB = 5;
const PREFIX = `cli-lease-${process.pid}`;
const env = await openTestRedis(DB, { keyPrefix: PREFIX });
const SPACING_MS = 350;

function redisUrl(): string {
  const url = new URL(TEST_REDIS_URL);
  url.pathname = `/${DB}`;
  return url.toString();
}

describe.skipIf(env === undefined)('mjw imagine and mjw batch beside a cluster', () => {
  if (!env) return;
  const { redis } = env;
  const keys = clusterKeys(PREFIX);
  const sims = simAccounts(2);
  let setup: SimSetup;
  let dir: string;
  let cliEnv: Record<string, string>;

  beforeEach(async () => {
    const stale = await redis.keys(`${PREFIX}*`);
    if (stale.length > 0) await redis.del(...stale);
    setup = await startBatchSim({
      users: sims.init.users,
      channelId: sims.init.channelId,
      extraChannelIds: sims.init.extraChannelIds,
    });
    dir = mkdtempSync(join(tmpdir(), 'mjw-cli-cluster-'));
    const first = sims.accounts[0];
    if (!first) throw new Error('no simulated account');
    cliEnv = {
      ...setup.env,
      // The first simulated user, as DISCORD_* (no accounts file): the cluster knows it as `a1`.
      DISCORD_TOKEN: first.user.token,
      DISCORD_CHANNEL_ID: first.channelId,
      MJ_MIN_REQUEST_SPACING_MS: String(SPACING_MS),
      MJ_WATCH: 'gateway',
      MJW_REDIS_URL: redisUrl(),
      MJW_REDIS_PREFIX: PREFIX,
      MJW_ACCOUNT_LEASE_TTL_MS: '3000',
      MJW_LOCK_DIR: join(dir, 'locks'),
    };
    // What workers do on start: each account's token fingerprint, under the cluster's ids.
    await registerAccountTokens(
      redis,
      keys,
      sims.accounts.map((a, i) => ({ id: `a${i + 1}`, token: a.user.token })),
    );
    return () => setup.close();
  });
  afterAll(() => env.close());

  const imagine = async (argv: string[]) => {
    const stdout = capture();
    const stderr = capture();
    const code = await imagineCommand.run({
      argv,
      env: cliEnv,
      stdout,
      stderr,
      signal: new AbortController().signal,
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  const imagineCalls = (): number =>
    setup.sim.requests.filter((r) => r.method === 'POST' && r.route.includes('interactions')).length;

  it('refuses mjw imagine with ACCOUNT_LEASED (exit 1), naming the worker, while a worker drives the account; nothing is sent', async () => {
    const worker = await AccountLease.acquire({ redis, accountId: 'a1', owner: 'host-w:42:abcd', keys });
    expect(worker).not.toBeNull();
    try {
      const { code, stdout } = await imagine(['a lighthouse', '--json']);
      expect(code).toBe(ExitCode.Failure);
      const { error } = JSON.parse(stdout) as { error: Record<string, unknown> };
      expect(error).toMatchObject({ name: 'AccountLeasedError', code: 'ACCOUNT_LEASED', retryable: true });
      expect(String(error.message)).toContain('Account a1');
      expect(String(error.message)).toContain('host-w:42:abcd');
      expect(stdout).not.toContain(cliEnv.DISCORD_TOKEN);
      expect(setup.sim.requests.filter((r) => r.userId !== undefined)).toEqual([]);
      // The worker's lease is untouched.
      expect(await AccountLease.holderOf(redis, 'a1', keys)).toBe('host-w:42:abcd');
      expect(worker?.held).toBe(true);
    } finally {
      await worker?.release();
    }
  });

  it('runs mjw imagine under the account lease, through the fenced gate: 350 ms after a worker’s last call, every call logged', async () => {
    // A worker drove the account a moment ago and handed it back (SIGTERM): its last call is in Redis.
    const worker = await AccountLease.acquire({ redis, accountId: 'a1', owner: 'host-w:42:abcd', keys });
    if (!worker) throw new Error('no lease');
    await new FencedSendGate({ redis, lease: worker, keys }).pass();
    await worker.release();

    const { code, stdout, stderr } = await imagine(['a lighthouse at dusk', '--json']);
    expect(code, stderr).toBe(ExitCode.Ok);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, prompt: 'a lighthouse at dusk' });
    expect(imagineCalls()).toBe(1);

    const sends = await readSendLog(redis, 'a1', keys);
    const byCli = sends.filter((s) => s.owner.startsWith('cli:'));
    // Every Discord call of the command passed the gate (the simulator saw no more than the log holds).
    const requests = setup.sim.requests.filter((r) => r.userId !== undefined).length;
    expect(byCli.length).toBeGreaterThanOrEqual(requests);
    expect(sends[0]?.owner).toBe('host-w:42:abcd');
    for (let i = 1; i < sends.length; i++) {
      expect((sends[i]?.atUs ?? 0) - (sends[i - 1]?.atUs ?? 0)).toBeGreaterThanOrEqual(SPACING_MS * 1_000);
    }
    // The command's fence is newer than the worker's, and the lease is handed back at the end.
    expect(byCli[0]?.fence).toBeGreaterThan(worker.fence);
    expect(await AccountLease.holderOf(redis, 'a1', keys)).toBeUndefined();
  });

  it('refuses mjw batch (exit 1) when a worker holds one account, and keeps none of the others', async () => {
    const accountsFile = join(dir, 'accounts.json');
    writeFileSync(accountsFile, JSON.stringify(simAccountsFile(sims.accounts, setup.sim.guildId, 3)));
    const file = simAccountsFile(sims.accounts, setup.sim.guildId, 3) as { id: string }[];
    const [first, second] = file.map((a) => a.id);
    if (!first || !second) throw new Error('two accounts expected');
    // The cluster registered them under their accounts-file ids too.
    await registerAccountTokens(
      redis,
      keys,
      sims.accounts.map((a, i) => ({ id: file[i]?.id ?? '', token: a.user.token })),
    );
    const worker = await AccountLease.acquire({ redis, accountId: second, owner: 'host-w:7:beef', keys });
    const input = join(dir, 'prompts.txt');
    writeFileSync(input, 'a red fox\na blue whale\n');
    const stdout = capture();
    const stderr = capture();
    try {
      const code = await batchCommand.run({
        argv: [input, '--out', join(dir, 'out.jsonl')],
        env: { ...cliEnv, MJ_ACCOUNTS_FILE: accountsFile },
        stdout,
        stderr,
        signal: new AbortController().signal,
      });
      expect(code).toBe(ExitCode.Failure);
      expect(stderr.text).toContain(`Account ${second} is driven by cluster member host-w:7:beef`);
      expect(setup.sim.requests.filter((r) => r.userId !== undefined)).toEqual([]);
      // All or nothing: the lease of the free account was let go again.
      expect(await AccountLease.holderOf(redis, first, keys)).toBeUndefined();
    } finally {
      await worker?.release();
    }
  });

  it('runs mjw batch over every account under the cluster’s leases (the cluster’s ids, not the file’s), each token spaced on Redis’s clock', async () => {
    const accountsFile = join(dir, 'accounts.json');
    const file = simAccountsFile(sims.accounts, setup.sim.guildId, 3) as { id: string }[];
    writeFileSync(accountsFile, JSON.stringify(file));
    const input = join(dir, 'prompts.txt');
    writeFileSync(input, ['a red fox', 'a blue whale', 'a green owl', 'a grey wolf'].join('\n'));
    const out = join(dir, 'out.jsonl');
    const stderr = capture();
    const code = await batchCommand.run({
      argv: [input, '--out', out],
      env: { ...cliEnv, MJ_ACCOUNTS_FILE: accountsFile },
      stdout: capture(),
      stderr,
      signal: new AbortController().signal,
    });
    expect(code, stderr.text).toBe(ExitCode.Ok);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(imagineCalls()).toBe(4);
    // The workers registered these tokens as a1 and a2: the batch took those leases, not sim1/sim2.
    expect(await readSendLog(redis, 'sim1', keys)).toEqual([]);
    for (const id of ['a1', 'a2']) {
      const sends = await readSendLog(redis, id, keys);
      expect(sends.length).toBeGreaterThan(0);
      expect(sends.every((s) => s.owner.startsWith('cli:'))).toBe(true);
      for (let i = 1; i < sends.length; i++) {
        expect((sends[i]?.atUs ?? 0) - (sends[i - 1]?.atUs ?? 0)).toBeGreaterThanOrEqual(SPACING_MS * 1_000);
      }
      expect(await AccountLease.holderOf(redis, id, keys)).toBeUndefined();
    }
  });

  it('refuses with CLUSTER_UNAVAILABLE (exit 1) when MJW_REDIS_URL names a Redis that cannot be reached', async () => {
    cliEnv.MJW_REDIS_URL = 'redis://127.0.0.1:9/0';
    const { code, stdout } = await imagine(['a lighthouse', '--json']);
    expect(code).toBe(ExitCode.Failure);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { code: 'CLUSTER_UNAVAILABLE' } });
    expect(setup.sim.requests.filter((r) => r.userId !== undefined)).toEqual([]);
  });

  it('beside a real worker: refused while the worker drives the account, then run after its SIGTERM hand-back, spaced from the worker’s last call', async () => {
    const accountsFile = join(dir, 'accounts.json');
    writeFileSync(
      accountsFile,
      JSON.stringify(simAccountsFile(sims.accounts.slice(0, 1), setup.sim.guildId, 3)),
    );
    const workerEnv = { ...cliEnv, MJ_ACCOUNTS_FILE: accountsFile };
    const config = loadConfig({ env: workerEnv, envFile: false });
    // `mjw serve` on the cluster: an API node and a worker in one.
    const worker = await startClusterNode({
      config: loadServiceConfig({ ...workerEnv, MJW_PORT: '0' }, { worker: true }),
      logger: silentLogger,
      listen: true,
      accounts: loadAccountsConfig(workerEnv, config).accounts,
      minSpacingMs: SPACING_MS,
      openAccount: async (account, gate) => openLeasedAccount(config, silentLogger, account, gate),
    });
    try {
      await worker.driving;
      expect(worker.heldAccounts()).toEqual(['sim1']);
      // The worker registered the token as sim1: the command, given DISCORD_TOKEN alone, asks for sim1.
      const refused = await imagine(['a lighthouse', '--json']);
      expect(refused.code).toBe(ExitCode.Failure);
      expect(JSON.parse(refused.stdout)).toMatchObject({
        ok: false,
        error: { code: 'ACCOUNT_LEASED' },
      });
      expect(imagineCalls()).toBe(0);
      // The worker runs a job: its calls go through its gate, into the same send log.
      const response = await fetch(`${worker.url}/v1/imagine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a harbour by the worker' }),
      });
      const { id } = (await response.json()) as { id: string };
      for (;;) {
        const job = (await (await fetch(`${worker.url}/v1/jobs/${id}`)).json()) as { status: string };
        if (job.status === 'succeeded') break;
        // On its way: any status short of an end (submitted lasts only until the first message).
        expect(['queued', 'submitting', 'submitted', 'running']).toContain(job.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(imagineCalls()).toBe(1);
    } finally {
      await worker.close();
    }
    const { code, stderr } = await imagine(['a lighthouse at night', '--json']);
    expect(code, stderr).toBe(ExitCode.Ok);
    expect(imagineCalls()).toBe(2);
    const sends = await readSendLog(redis, 'sim1', keys);
    const owners = new Set(sends.map((s) => (s.owner.startsWith('cli:') ? 'cli' : 'worker')));
    expect(owners).toEqual(new Set(['worker', 'cli']));
    for (let i = 1; i < sends.length; i++) {
      expect((sends[i]?.atUs ?? 0) - (sends[i - 1]?.atUs ?? 0)).toBeGreaterThanOrEqual(SPACING_MS * 1_000);
    }
  });
});
