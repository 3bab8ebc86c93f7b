/**
 * A cluster of several accounts end to end, over real sockets and real processes: the simulator
 * (here) with 6 users (each its own token and channel), Redis, two API nodes
 * (`mjw serve --no-worker`) and three workers (`mjw worker`) sharing the accounts of one accounts
 * file. 200 jobs go in through both API nodes; mid-run an operator disables one account on the second API node, the
 * worker driving it is SIGKILLed, later another one is; a supervisor's replacement joins after
 * each kill. Checked against the simulator's own record: one paid `/imagine` per job, every job's
 * true outcome, no token ever sees two calls closer than the spacing, jobs spread over every
 * account, and the disabled account gets no more `/imagine` — from any worker, including those
 * that lease it after the kill.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src/accounts/types.js';
import { clusterKeys, readSendLog } from '../../src/cluster/index.js';
import { simAccounts, simAccountsFile } from '../../src/simulator/sim-accounts.js';
import { type MjwChild, spawnMjw, until } from '../batch/support/child.js';
import { startBatchSim } from '../batch/support/sim.js';
import { openTestRedis, TEST_REDIS_URL } from './redis-test-env.js';

const DB = 5;
/** DB 5 is shared (test/cluster/cli-cluster-lease.test.ts): keys under this prefix only, no flush. */
const PREFIX = `e2e-accounts-${process.pid}`;
const env = await openTestRedis(DB, { keyPrefix: PREFIX });
/** The real spacing (not scaled with the simulator's time), checked on Redis's clock. */
const SPACING_MS = 350;
const JOBS = 200;
const ACCOUNTS = 6;
const WORKERS = 3;
const FINAL = ['succeeded', 'failed', 'cancelled'];

interface JobView {
  id: string;
  status: string;
  prompt: string;
  error?: { code?: string } | null;
}

describe.skipIf(env === undefined)(
  'a cluster on Redis: 2 API nodes, 3 workers, 6 accounts, 2 SIGKILLs',
  () => {
    const children: MjwChild[] = [];
    afterAll(async () => {
      for (const child of children) child.process.kill('SIGKILL');
      await env?.close();
    });

    it('finishes every job once, keeps each token spaced, spreads the jobs, and keeps a disabled account silent', async () => {
      const sims = simAccounts(ACCOUNTS);
      const setup = await startBatchSim({
        users: sims.init.users,
        channelId: sims.init.channelId,
        extraChannelIds: sims.init.extraChannelIds,
      });
      try {
        const dir = mkdtempSync(join(tmpdir(), 'mjw-cluster-accounts-'));
        const accountsFile = join(dir, 'accounts.json');
        writeFileSync(accountsFile, JSON.stringify(simAccountsFile(sims.accounts, setup.sim.guildId, 3)));
        const prefix = PREFIX;
        const redisUrl = new URL(TEST_REDIS_URL);
        redisUrl.pathname = `/${DB}`;
        const common = {
          ...setup.env,
          MJ_ACCOUNTS_FILE: accountsFile,
          MJ_MIN_REQUEST_SPACING_MS: String(SPACING_MS),
          MJW_REDIS_URL: redisUrl.toString(),
          MJW_REDIS_PREFIX: prefix,
          MJW_ACCOUNT_LEASE_TTL_MS: '3000',
          MJW_JOB_CLAIM_TTL_MS: '3000',
          MJW_LOCK_DIR: join(dir, 'locks'),
          MJW_SUBMIT_RATE_LIMIT_REQUESTS: '100000',
          MJW_RATE_LIMIT_REQUESTS: '1000000',
          MJW_MAX_ACTIVE_JOBS: '100000',
        };
        const apis = [0, 1].map(() => spawnMjw(['serve', '--no-worker', '--port', '0'], common));
        children.push(...apis);
        const bases: string[] = [];
        for (const api of apis) {
          await until(() => /^http:\/\/\S+/m.test(api.stdout()), 'an API node to listen', 30_000);
          bases.push((api.stdout().match(/^(http:\/\/\S+)/m) as RegExpMatchArray)[1] as string);
        }
        const workers: MjwChild[] = [];
        const startWorker = (): MjwChild => {
          const worker = spawnMjw(['worker'], common);
          children.push(worker);
          workers.push(worker);
          return worker;
        };
        for (let i = 0; i < WORKERS; i++) startWorker();
        const accounts = async (base = bases[0] as string): Promise<AccountView[]> =>
          ((await (await fetch(`${base}/v1/accounts`)).json()) as { accounts: AccountView[] }).accounts;
        // The first worker takes every account, then sheds to the newcomers: wait for a fair share.
        const fair = async (): Promise<boolean> => {
          const views = await accounts();
          const holders = new Map<string, number>();
          for (const v of views) if (v.heldBy) holders.set(v.heldBy, (holders.get(v.heldBy) ?? 0) + 1);
          return (
            views.length === ACCOUNTS &&
            holders.size === WORKERS &&
            [...holders.values()].every((n) => n === 2)
          );
        };
        const deadline = Date.now() + 40_000;
        while (!(await fair())) {
          if (Date.now() > deadline)
            throw new Error(`accounts not shared: ${JSON.stringify(await accounts())}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }

        const ids: string[] = [];
        const submit = async (i: number): Promise<string> => {
          const response = await fetch(`${bases[i % 2]}/v1/imagine`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ prompt: `a cluster harbour number ${i + 1}` }),
          });
          expect(response.status).toBe(202);
          return ((await response.json()) as { id: string }).id;
        };
        for (let i = 0; i < JOBS; i += 20) {
          ids.push(...(await Promise.all(Array.from({ length: 20 }, (_, k) => submit(i + k)))));
        }

        // An operator disables sim6 through the second API node: stored in Redis, obeyed by the
        // worker that holds it and by every worker that leases it later.
        const last = sims.accounts[ACCOUNTS - 1];
        const silenced = last?.user.id as string;
        await until(() => setup.sim.jobs.length >= 10, 'jobs started at Midjourney', 60_000);
        const disabled = await fetch(`${bases[1]}/v1/accounts/${last?.id}/disable`, { method: 'POST' });
        expect(disabled.status).toBe(200);
        // The holder applies it within its next sync (1 s); a job already past its turn may still go.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const silentFrom = Date.now();

        // Kill the worker that drove the disabled account, and a supervisor starts a replacement.
        const holderOf = async (id: string | undefined): Promise<MjwChild | undefined> => {
          const heldBy = (await accounts()).find((a) => a.id === id)?.heldBy ?? '';
          return workers.find((w) => heldBy.split(':')[1] === String(w.process.pid));
        };
        const first = (await holderOf(last?.id)) ?? workers[0];
        first?.process.kill('SIGKILL');
        expect(await first?.exited).toBe('SIGKILL');
        startWorker();
        await until(() => setup.sim.jobs.length >= 140, 'most jobs started', 60_000);
        const second = workers.find(
          (w) => w !== first && w.process.exitCode === null && w.process.signalCode === null,
        );
        second?.process.kill('SIGKILL');
        expect(await second?.exited).toBe('SIGKILL');
        startWorker();

        // This process also runs the simulator, whose arrival times are the evidence: read the jobs
        // a few at a time, only those still unfinished, so the reads never stall its event loop.
        const view = async (i: number): Promise<JobView> =>
          (await (await fetch(`${bases[i % 2]}/v1/jobs/${ids[i]}`)).json()) as JobView;
        const finalById = new Map<number, JobView>();
        const end = Date.now() + 150_000;
        while (Date.now() < end && finalById.size < ids.length) {
          const pending = ids.map((_, i) => i).filter((i) => !finalById.has(i));
          for (let k = 0; k < pending.length; k += 5) {
            const chunk = pending.slice(k, k + 5);
            const read = await Promise.all(chunk.map(view));
            read.forEach((job, n) => {
              if (FINAL.includes(job.status)) finalById.set(chunk[n] as number, job);
            });
            if (read.some((job) => !FINAL.includes(job.status))) break;
          }
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
        const final = await Promise.all(ids.map((_, i) => finalById.get(i) ?? view(i)));
        expect(final.filter((job) => !FINAL.includes(job.status))).toEqual([]);

        // Every job's true outcome, and one /imagine per job: nothing lost, nothing paid twice.
        const paid = new Map<string, number>();
        for (const job of setup.sim.jobs) {
          if (job.kind === 'imagine') paid.set(job.prompt, (paid.get(job.prompt) ?? 0) + 1);
        }
        // A job whose worker was killed between storing its ticket and the POST leaving cannot be
        // told from one whose POST reached Discord: it is never sent again (the send rule) and ends
        // saying it may have run. That is true only if Midjourney did not complete it, and it must
        // stay rare (two kills, a few slots each).
        const UNSURE = ['SUBMISSION_UNCERTAIN', 'RESUME_UNRESOLVED'];
        let unsure = 0;
        for (const job of final) {
          const runs = setup.sim.jobs.filter((j) => j.prompt === job.prompt);
          const story = `${job.prompt}: ${job.status} ${job.error?.code ?? ''} ${JSON.stringify(runs.map((j) => [j.userId, j.outcome]))}`;
          expect(paid.get(job.prompt) ?? 0, story).toBeLessThanOrEqual(1);
          if (job.status === 'succeeded') {
            expect(paid.get(job.prompt), story).toBe(1);
            continue;
          }
          expect(UNSURE, story).toContain(job.error?.code);
          expect(
            runs.some((r) => r.state === 'completed'),
            story,
          ).toBe(false);
          unsure += 1;
        }
        expect(unsure).toBeLessThanOrEqual(6);

        // Each token's calls, from every worker, never closer than the spacing, on the one clock
        // the workers share (Redis's): the send log each account's gate keeps. (Arrival times at the
        // simulator carry the scheduling delays of six processes on a shared machine; the gate's
        // own record does not.) And no call reached the simulator without passing a gate.
        let sent = 0;
        for (const account of sims.accounts) {
          const sends = await readSendLog(env!.redis, account.id, clusterKeys(prefix));
          sent += sends.length;
          const gapsUs = sends.slice(1).map((send, i) => send.atUs - (sends[i] as { atUs: number }).atUs);
          expect(Math.min(...gapsUs), account.id).toBeGreaterThanOrEqual(SPACING_MS * 1_000);
          const fences = sends.map((send) => send.fence);
          expect(fences, `${account.id}: fences only grow`).toEqual([...fences].sort((x, y) => x - y));
        }
        expect(setup.sim.requests.filter((r) => r.userId !== undefined).length).toBeLessThanOrEqual(sent);

        // Spread over every account; the disabled one got no /imagine after it was disabled.
        const jobsPerUser = new Map<string, number>();
        for (const job of setup.sim.jobs) jobsPerUser.set(job.userId, (jobsPerUser.get(job.userId) ?? 0) + 1);
        for (const account of sims.accounts)
          expect(jobsPerUser.get(account.user.id), account.id).toBeGreaterThan(0);
        const lateImagines = setup.sim.requests.filter(
          (r) =>
            r.userId === silenced &&
            r.method === 'POST' &&
            r.route.includes('interactions') &&
            r.time > silentFrom,
        );
        expect(lateImagines).toEqual([]);

        // Every node shows it cluster-wide, without a token.
        const shown = await accounts(bases[1]);
        expect(shown.find((a) => a.id === last?.id)).toMatchObject({
          state: 'disabled',
          disabledReason: 'manual',
        });
        const body = JSON.stringify(shown);
        for (const account of sims.accounts) expect(body).not.toContain(account.user.token);
      } finally {
        for (const child of children) child.process.kill('SIGTERM');
        await Promise.all(children.map((c) => c.exited));
        await setup.close();
      }
    }, 240_000);
  },
);
