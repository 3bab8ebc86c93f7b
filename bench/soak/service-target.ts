/**
 * The service under soak: `mjw serve` on a SQLite file in the run directory, SIGKILLed at random
 * and started again on the same file. Jobs go in through `POST /v1/imagine` (at most `window`
 * unfinished at once), outcomes come back through `GET /v1/jobs/:id` and webhooks to a receiver
 * in this process. A submission whose connection broke after it was sent is not counted as
 * accepted (the driver cannot know its id) and is not resent.
 *
 * The cluster target is the same driver against an API node (`mjw serve --no-worker`) and
 * `workers` worker processes (`mjw worker`) on Redis: three kills in four hit the worker holding
 * the account's lease (read from Redis), so it dies with the jobs in flight and another must take
 * them over from their stored tickets; the others hit the API node.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { clientEnvironment, SoakChild } from './child.js';
import { BodyLeakCounter } from './leaks.js';
import { jittered, sleep, type TargetContext, type TargetRun } from './target.js';
import type { ReportedJob } from './verdict.js';

interface JobView {
  id: string;
  status: string;
  result: { jobId: string; echoedPrompt: string } | null;
  error: { code: string } | null;
}

interface Tracked {
  token: string;
  prompt: string;
  id?: string;
  view?: JobView;
  final: boolean;
  visible: boolean;
  unacknowledged: boolean;
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

type Answer = { status: number; text: string; retryAfterMs: number } | 'refused' | 'broken';

/** Receives the service's webhooks: the last final event per job id. */
function startHookReceiver(
  leaks: BodyLeakCounter,
): Promise<{ url: string; finals: Map<string, string>; server: Server }> {
  const finals = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      leaks.check('webhook', text);
      try {
        const body = JSON.parse(text) as { event: string; job: JobView };
        if (FINAL.has(body.job.status)) finals.set(body.job.id, body.job.status);
      } catch {
        // A body that does not parse is the service's problem, not the soak's; it is not a final event.
      }
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/hook`, finals, server });
    });
  });
}

/** The cluster's Redis: `MJW_SOAK_REDIS_URL`, default the local one. */
const SOAK_REDIS_URL = process.env.MJW_SOAK_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function runServiceTarget(ctx: TargetContext, cluster = false): Promise<TargetRun> {
  const { options, world, dir, random } = ctx;
  const name = cluster ? 'cluster' : 'service';
  const redisPrefix = `mjw-soak-${randomBytes(4).toString('hex')}`;
  const watch = options.watch === 'mixed' ? 'gateway' : options.watch;
  const scaled = (ms: number, min: number): string =>
    String(Math.max(min, Math.round(ms / options.timeScale)));
  const env = {
    ...clientEnvironment(world.sim, { timeScale: options.timeScale, slots: options.slots, watch }),
    // The service's own limits out of the way: this soak is about jobs, not its per-key buckets.
    MJW_RATE_LIMIT_REQUESTS: '1000000',
    MJW_RATE_LIMIT_WINDOW_MS: '1000',
    MJW_RATE_LIMIT_BURST: '1000000',
    MJW_SUBMIT_RATE_LIMIT_REQUESTS: '1000000',
    MJW_SUBMIT_RATE_LIMIT_WINDOW_MS: '1000',
    MJW_SUBMIT_RATE_LIMIT_BURST: '1000000',
    MJW_MAX_ACTIVE_JOBS: '100000',
    MJW_WEBHOOK_ALLOW_PRIVATE: 'true',
    MJW_WEBHOOK_SECRET: 'soak-webhook-secret-0123456789',
    MJW_WEBHOOK_MIN_DELAY_MS: '50',
    MJW_WEBHOOK_MAX_DELAY_MS: '1000',
    MJW_CIRCUIT_OPEN_MS: scaled(30_000, 100),
    ...(cluster
      ? { MJW_REDIS_URL: SOAK_REDIS_URL, MJW_REDIS_PREFIX: redisPrefix, MJW_ACCOUNT_LEASE_TTL_MS: '3000' }
      : {}),
  };
  const child = cluster
    ? new SoakChild('api', ['serve', '--port', '0', '--no-worker'], env, dir)
    : new SoakChild('service', ['serve', '--port', '0', '--db', join(dir, 'jobs.sqlite')], env, dir);
  const workers = cluster
    ? Array.from(
        { length: options.workers },
        (_, i) => new SoakChild(`worker-${i + 1}`, ['worker'], env, dir),
      )
    : [];
  const leaks = new BodyLeakCounter(ctx.needles);
  const hooks = await startHookReceiver(leaks);
  const notes: string[] = [];
  let base: string | null = null;

  // Starts are serialised: a crash restart and a kill restart may ask at once.
  let starting: Promise<void> = Promise.resolve();
  const startOnce = async (): Promise<void> => {
    if (child.running && base !== null) return;
    base = null;
    for (let attempt = 1; ; attempt += 1) {
      try {
        base = await child.start(/http:\/\/127\.0\.0\.1:\d+/);
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(500);
      }
    }
  };
  const start = (): Promise<void> => {
    starting = starting.then(startOnce);
    return starting;
  };

  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    while (base === null) await sleep(20);
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      leaks.check(`${method} ${path.replace(/\d+/g, ':id')}`, text);
      const retryAfterS = Number(res.headers.get('retry-after') ?? '0');
      return {
        status: res.status,
        text,
        retryAfterMs: Number.isFinite(retryAfterS) ? retryAfterS * 1000 : 0,
      };
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      return code === 'ECONNREFUSED' ? 'refused' : 'broken';
    }
  };

  const jobs: Tracked[] = ctx.prompts.map((p) => ({
    token: p.token,
    prompt: p.prompt,
    final: false,
    visible: false,
    unacknowledged: false,
  }));
  const deadline = Date.now() + options.maxMinutes * 60_000;
  let unfinished = 0;
  const refusals: Record<string, number> = {};

  const refresh = async (job: Tracked): Promise<void> => {
    if (job.id === undefined) return;
    const answer = await call('GET', `/v1/jobs/${job.id}`);
    if (typeof answer === 'string') return;
    if (answer.status === 404) {
      job.visible = false;
      return;
    }
    if (answer.status !== 200) return;
    const view = JSON.parse(answer.text) as JobView;
    job.visible = true;
    job.view = view;
    if (!job.final && FINAL.has(view.status)) {
      job.final = true;
      unfinished -= 1;
    }
  };

  // Outcomes: every unfinished accepted job is read again about every 250 ms.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const open = jobs.filter((j) => j.id !== undefined && !j.final);
      for (let i = 0; i < open.length && polling; i += 8) {
        await Promise.all(open.slice(i, i + 8).map(refresh));
      }
      await sleep(250);
    }
  })();

  // Kills: SIGKILL, then start again on the same database (the cluster: one of its processes).
  let killing = options.killEverySec > 0;
  const killer = (async () => {
    while (killing) {
      const at = Date.now() + jittered(options.killEverySec * 1_000, random);
      while (killing && Date.now() < at) await sleep(50);
      if (!killing) break;
      const worker =
        workers.length > 0 && random() < 0.75 ? await leaseHolder(workers, redisPrefix, random) : undefined;
      if (worker) {
        await worker.kill();
        ctx.log(`${name}: SIGKILL of ${worker.name} (#${worker.kills}); restarting`);
        await worker.start();
        continue;
      }
      await starting;
      await child.kill();
      base = null;
      ctx.log(`${name}: SIGKILL of ${child.name} (#${child.kills}); restarting`);
      await start();
    }
  })();

  // A crash is restarted at once, as a supervisor would; its signature goes into the notes.
  child.onExit = (code) => {
    ctx.log(`${name}: ${child.name} exited by itself (${code}); restarting`);
    start().catch((error: unknown) => ctx.log(`${name}: restart failed: ${(error as Error).message}`));
  };
  for (const worker of workers) {
    worker.onExit = (code) => {
      ctx.log(`${name}: ${worker.name} exited by itself (${code}); restarting`);
      worker
        .start()
        .catch((error: unknown) => ctx.log(`${name}: restart failed: ${(error as Error).message}`));
    };
  }
  await start();
  await Promise.all(workers.map((w) => w.start()));
  const stopFaults = world.startFaults(options.faultEvery, random, watch === 'gateway');

  for (const [index, job] of jobs.entries()) {
    while (unfinished >= options.window && Date.now() < deadline) await sleep(20);
    if (Date.now() >= deadline) break;
    for (;;) {
      const answer = await call('POST', '/v1/imagine', {
        prompt: job.prompt,
        metadata: { token: job.token },
        webhookUrl: hooks.url,
      });
      if (answer === 'refused') {
        await sleep(100);
        continue;
      }
      if (answer === 'broken') {
        job.unacknowledged = true;
        break;
      }
      if (answer.status === 202) {
        job.id = (JSON.parse(answer.text) as { id: string }).id;
        job.visible = true;
        unfinished += 1;
        break;
      }
      const code = (() => {
        try {
          return (
            (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code ?? String(answer.status)
          );
        } catch {
          return String(answer.status);
        }
      })();
      refusals[code] = (refusals[code] ?? 0) + 1;
      if (answer.status === 429 || answer.status === 503) {
        await sleep(Math.min(2_000, Math.max(100, answer.retryAfterMs)));
        if (Date.now() < deadline) continue;
      }
      notes.push(`${job.token}: submission refused ${answer.status} ${code}`);
      break;
    }
    if (index % 200 === 199) ctx.log(`${name}: ${index + 1} submitted, ${unfinished} unfinished`);
  }
  while (unfinished > 0 && Date.now() < deadline) await sleep(100);

  // The drain: no more kills or faults; whatever is not final after it is stuck.
  killing = false;
  await killer;
  stopFaults();
  ctx.log(`${name}: drain (${unfinished} unfinished)`);
  const drainEnd = Date.now() + options.drainSec * 1_000;
  while (unfinished > 0 && Date.now() < drainEnd) await sleep(100);
  polling = false;
  await poller;
  for (const job of jobs) if (job.id !== undefined) await refresh(job);
  await sleep(500);
  await Promise.all([child.close(), ...workers.map((w) => w.close())]);
  await new Promise<void>((resolve) => hooks.server.close(() => resolve()));
  if (cluster) await dropKeys(redisPrefix);

  for (const proc of [child, ...workers]) {
    for (const [signature, n] of proc.crashes) notes.push(`${proc.name} crashed ${n} time(s): ${signature}`);
  }
  const unacknowledged = jobs.filter((j) => j.unacknowledged).length;
  if (unacknowledged > 0)
    notes.push(`${unacknowledged} submission(s) broke mid-request (not counted as accepted)`);
  const notSubmitted = jobs.filter((j) => j.id === undefined && !j.unacknowledged).length;
  if (notSubmitted > 0) notes.push(`${notSubmitted} job(s) not accepted (time cap or refusals)`);
  for (const [code, n] of Object.entries(refusals))
    notes.push(`POST /v1/imagine answered ${code} ${n} time(s) (retried)`);
  let hookMismatch = 0;
  for (const job of jobs) {
    const hook = job.id === undefined ? undefined : hooks.finals.get(job.id);
    if (job.final && hook !== undefined && hook !== job.view?.status) hookMismatch += 1;
  }
  const finalNoHook = jobs.filter((j) => j.final && j.id !== undefined && !hooks.finals.has(j.id)).length;
  notes.push(
    `webhooks: ${hooks.finals.size} final event(s); ${finalNoHook} final job(s) without one; ${hookMismatch} disagreeing with GET`,
  );

  const reported: ReportedJob[] = jobs.map((job) => {
    const view = job.view;
    const status = job.final && view ? (view.status === 'succeeded' ? 'succeeded' : 'failed') : null;
    return {
      token: job.token,
      accepted: job.id !== undefined,
      visible: job.visible,
      outcome: status,
      ...(view?.error ? { errorCode: view.error.code } : {}),
      ...(view?.result ? { resultJobId: view.result.jobId, resultText: view.result.echoedPrompt } : {}),
    };
  });
  const all = [child, ...workers];
  return {
    reported,
    httpLeaks: leaks.lines(),
    kills: all.reduce((n, p) => n + p.kills, 0),
    starts: all.reduce((n, p) => n + p.starts, 0),
    notes,
  };
}

/**
 * The worker holding the account's lease (its value is `<host>:<pid>:<random>|<fence>`), or a
 * random one when none holds it or Redis cannot say.
 */
async function leaseHolder(
  workers: readonly SoakChild[],
  prefix: string,
  random: () => number,
): Promise<SoakChild | undefined> {
  const redis = new Redis(SOAK_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const value = await redis.get(`${prefix}:{account:default}:lease`);
    const pid = Number(/^[^|]*?:(\d+):[^|]*\|/.exec(value ?? '')?.[1]);
    const holder = workers.find((w) => w.pid === pid);
    if (holder) return holder;
  } catch {
    // Fall through to a random worker.
  } finally {
    redis.disconnect();
  }
  return workers[Math.floor(random() * workers.length)];
}

/** Removes the run's keys from the shared Redis (the prefix is the run's own). */
async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(SOAK_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
