/**
 * `npm run soak`: the reliability soak (issue 15 §5). N jobs through `mjw serve` and through
 * `mjw batch`, each a child process SIGKILLed at random and restarted on the same store / journal,
 * against a simulator in this process (which is never killed) with faults armed all along and
 * moderation outcomes mixed into the prompts. Each target's report is computed by comparing what
 * it said with what the simulator recorded; see bench/soak/verdict.ts for every column.
 *
 * Not part of `npm test` or `npm run bench`: a run takes minutes. Exit 0 when every column but the
 * invalid-request rate is zero for every target, 1 otherwise, 2 on bad usage.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src/simulator/bot/random.js';
import { runBatchTarget } from './soak/batch-target.js';
import { soakConfirmWindowMs } from './soak/child.js';
import { scanFiles, tokenNeedles } from './soak/leaks.js';
import {
  isSoakUsageError,
  parseSoakArgs,
  SOAK_USAGE,
  type SoakOptions,
  type SoakTarget,
} from './soak/options.js';
import { buildPrompts } from './soak/prompts.js';
import { formatTable, passed, type TargetReport } from './soak/report.js';
import { runServiceTarget } from './soak/service-target.js';
import { startSoakWorld } from './soak/soak-world.js';
import { computeVerdict } from './soak/verdict.js';

const log = (line: string): void => {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

/** Whether the cluster's Redis answers a TCP connect within 2 s. */
function redisReachable(): Promise<boolean> {
  const url = new URL(process.env.MJW_SOAK_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379), timeout: 2_000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function runTarget(target: SoakTarget, options: SoakOptions, root: string): Promise<TargetReport> {
  const dir = join(root, target);
  await mkdir(dir, { recursive: true });
  const world = await startSoakWorld(options);
  const random = seededRandom(options.seed * 7919 + { service: 1, batch: 2, cluster: 3 }[target]);
  const prompts = buildPrompts(options.jobs, seededRandom(options.seed));
  const needles = tokenNeedles(world.sim.token);
  const started = Date.now();
  log(
    `${target}: ${options.jobs} jobs against the simulator on ${world.sim.apiBaseUrl}; run directory ${dir}`,
  );
  try {
    const context = { options, world, dir, prompts, random, needles, log };
    const run =
      target === 'batch'
        ? await runBatchTarget(context)
        : await runServiceTarget(context, target === 'cluster');
    const wallMs = Date.now() - started;
    const fileLeaks = await scanFiles(dir, needles);
    const verdict = computeVerdict({
      target,
      reported: run.reported,
      simJobs: world.sim.jobs,
      leaks: [...fileLeaks, ...run.httpLeaks],
      invalidTimes: world.record.invalidTimes,
      timeScale: options.timeScale,
      confirmWindowSimMs: soakConfirmWindowMs(options.timeScale) * options.timeScale,
      trails: world.record.trails,
    });
    let interactions = 0;
    for (const n of world.record.interactions.values()) interactions += n;
    return {
      verdict,
      wallMs,
      kills: run.kills,
      starts: run.starts,
      faults: world.record.faults,
      rateLimited: world.record.rateLimited,
      simRequests: world.record.requests,
      interactions,
      notes: run.notes,
      dir,
    };
  } finally {
    await world.close();
  }
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    if (!isSoakUsageError(error) && !(error instanceof TypeError)) throw error;
    console.error(`${(error as Error).message}\n\n${SOAK_USAGE}`);
    return 2;
  }
  const root = options.dir ?? (await mkdtemp(join(tmpdir(), 'mjw-soak-')));
  const reports: TargetReport[] = [];
  for (const target of options.targets) {
    if (target === 'cluster' && !(await redisReachable())) {
      const line = `cluster: skipped, no Redis at ${process.env.MJW_SOAK_REDIS_URL ?? 'redis://127.0.0.1:6379'} (MJW_SOAK_REDIS_URL)`;
      if (options.json) log(line);
      else console.log(`\n${line}`);
      continue;
    }
    const report = await runTarget(target, options, root);
    reports.push(report);
    if (!options.json) console.log(formatTable(report, options));
  }
  const ok = passed(reports);
  if (options.json) {
    const targets = reports.map(({ verdict, ...rest }) => ({
      ...verdict.row,
      ...rest,
      invalidTotal: verdict.invalidTotal,
      failures: verdict.failures,
      simOutcomes: verdict.simOutcomes,
      outcomeMap: verdict.outcomeMap,
      examples: verdict.examples,
    }));
    console.log(
      JSON.stringify({ ok, date: new Date().toISOString(), options: { ...options, dir: root }, targets }),
    );
  } else {
    console.log(`\n${ok ? 'PASS' : 'FAIL'}: ${ok ? 'every gated column is zero' : 'nonzero columns above'}`);
  }
  return ok ? 0 : 1;
}

// Explicit: the fetch keep-alive pool would otherwise hold the process open for a while.
process.exit(await main());
