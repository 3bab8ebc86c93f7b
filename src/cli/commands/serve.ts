/**
 * `mjw serve [--port 8080] [--host 127.0.0.1] [--db path]`: the HTTP service. Jobs are stored in
 * SQLite and recovered after a restart; with no Discord credentials it runs against an in-process
 * simulator. Runs until SIGINT / SIGTERM, then stops accepting and leaves jobs in flight stored.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type AccountConfig, describeAccounts, loadAccountsConfig } from '../../config/accounts.js';
import { type Config, loadConfig, readEnvironment } from '../../config/index.js';
import {
  describeServiceConfig,
  loadServiceConfig,
  type ServiceConfig,
  type ServiceConfigOverrides,
} from '../../config/service.js';
import { LockFileError, TokenInUseError } from '../../ownership/errors.js';
import { openServiceGenerator } from '../../service/open-generator.js';
import { startService } from '../../service/start.js';
import { anySignal } from '../../util/abort.js';
import type { Logger } from '../../util/logger.js';
import { integerFlag, parseCommandLine } from '../args.js';
import { runClusterNode } from '../cluster-run.js';
import { type Command, type CommandContext, ExitCode, UsageError } from '../command.js';
import { commandSay, createCliLogger } from '../logger.js';
import { leaseAccountTokens, type TokenLeases } from '../token-lease.js';

const USAGE = `Usage: mjw serve [--port 8080] [--host 127.0.0.1] [--db <path>]

Serves the HTTP API: POST /v1/imagine, GET /v1/jobs[/:id[/events]], GET /v1/events,
POST /v1/jobs/:id/actions, DELETE /v1/jobs/:id, the midjourney-proxy compatible /mj/* routes,
GET /livez, GET /readyz, GET /health and GET /metrics, and the dashboard at / (asks for an API key).

Options:
  --port <n>     Port to listen on (default MJW_PORT, 8080; 0 picks a free one).
  --host <addr>  Interface to bind (default MJW_HOST, 127.0.0.1). Off loopback, MJW_API_KEYS is required.
  --db <path>    SQLite job store (default MJW_DB_PATH, mjw-service.sqlite; ":memory:" keeps nothing).
  --no-worker    With MJW_REDIS_URL: an API node only; \`mjw worker\` processes drive the accounts.

API keys come from MJW_API_KEYS ("name:key,name2:key2"); send one as "Authorization: Bearer <key>",
"X-API-Key" or midjourney-proxy's "mj-api-secret". Limits, webhooks and the circuit breaker are set
with the MJW_* variables (see docs/service.md). Without Discord credentials the service runs against
the built-in simulator (nothing is sent to Discord) and, unless --db or MJW_DB_PATH is given, keeps
its jobs in memory, since the simulator's channel does not survive a restart either.

With a Discord token it holds the token's lease while it runs (see MJW_LOCK_DIR): it refuses to
start (exit 1, TokenInUseError naming the holder) while another mjw process drives that token.
A port in use, an address not of this machine or a --db in a missing folder: a one-line reason, exit 2.
It listens before it recovers the jobs a previous run left unfinished.`;

/** Parses the command line; throws UsageError naming the problem. */
export function parseServeArgs(argv: string[]): ServiceConfigOverrides {
  const { values } = parseCommandLine(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'no-worker': { type: 'boolean' },
    },
    false,
  );
  const overrides: ServiceConfigOverrides = {};
  const port = integerFlag('port', values.port, 0, 65_535);
  if (port !== undefined) overrides.port = port;
  if (values.host !== undefined) {
    if (values.host.trim() === '') throw new UsageError('--host: expected an address, got ""');
    overrides.host = values.host;
  }
  if (values.db !== undefined) {
    if (values.db.trim() === '') throw new UsageError('--db: expected a file path or ":memory:", got ""');
    overrides.dbPath = values.db;
  }
  if (values['no-worker'] === true) overrides.worker = false;
  return overrides;
}

async function run(ctx: CommandContext): Promise<number> {
  const overrides = parseServeArgs(ctx.argv);
  const env = readEnvironment({ env: ctx.env });
  const config = loadConfig({ env, envFile: false });
  const accounts = loadAccountsConfig(env, config);
  const simulated = config.credentials === null && accounts.file === null;
  if (simulated && overrides.dbPath === undefined && env.MJW_DB_PATH === undefined)
    overrides.dbPath = ':memory:';
  const serviceConfig = loadServiceConfig(env, overrides);
  const dbProblem = jobStoreProblem(serviceConfig.dbPath);
  if (dbProblem !== undefined) {
    ctx.stderr.write(`mjw serve: ${dbProblem}\n`);
    return ExitCode.Usage;
  }
  const logger = createCliLogger(ctx, {
    level: config.logLevel,
    name: 'mjw-serve',
    secrets: [
      config.credentials?.token ?? '',
      ...accounts.accounts.map((a) => a.token),
      ...serviceConfig.apiKeys.map((k) => k.key),
    ],
  });
  const say = commandSay(ctx, 'mjw serve');
  if (simulated) {
    say(
      'no Discord credentials configured: running against the built-in simulator (nothing is sent to Discord)',
    );
  }
  if (serviceConfig.authDisabled)
    say('MJW_API_KEYS is not set: no authentication (allowed on loopback only)');
  logger.debug({ config: describeServiceConfig(serviceConfig) }, 'service configuration');
  // A cluster node: the account lease in Redis is the one driver per token, cluster-wide.
  if (serviceConfig.redisUrl !== null) {
    return runClusterNode(ctx, {
      config,
      serviceConfig,
      accounts: accounts.accounts,
      logger,
      listen: true,
      say,
    });
  }

  // One local driver per token: refused before the client, the gateway or the port are opened.
  const accountList = accounts.file === null ? undefined : accounts.accounts;
  if (accountList !== undefined) {
    say(`running on ${accountList.length} account(s) from ${accounts.file}`);
    logger.debug({ accounts: describeAccounts(accountList) }, 'accounts');
  }
  let lease: TokenLeases;
  try {
    lease = await leaseAccountTokens(config, env, accountList);
  } catch (error) {
    if (error instanceof TokenInUseError || error instanceof LockFileError) {
      say(error.message);
      return ExitCode.Failure;
    }
    throw error;
  }
  try {
    return await serveLeased(ctx, config, serviceConfig, logger, say, accountList, lease.lost);
  } finally {
    await lease.release();
  }
}

async function serveLeased(
  ctx: CommandContext,
  config: Config,
  serviceConfig: ServiceConfig,
  logger: Logger,
  say: (message: string) => void,
  /** The accounts file's accounts; undefined for the one configured account. */
  accountList: readonly AccountConfig[] | undefined,
  /** Aborts if another process took the token's lease over: this one must stop driving it. */
  leaseLost: AbortSignal | undefined,
): Promise<number> {
  const stop = anySignal(ctx.signal, leaseLost) as AbortSignal;
  const opened = await openServiceGenerator(config, logger, accountList);
  opened.accounts?.on('account', (view, change) =>
    logger.warn(
      { account: view.id, change, reason: view.disabledReason, mode: view.mode },
      `account ${view.id} ${change}`,
    ),
  );
  let started: Awaited<ReturnType<typeof startService>>;
  try {
    started = await startService({
      generator: opened.generator,
      probe: opened.probe,
      telemetry: opened.telemetry,
      channelId: opened.channelId,
      ...(opened.accounts ? { accounts: opened.accounts } : {}),
      config: serviceConfig,
      logger,
    });
  } catch (error) {
    await opened.close();
    const problem = listenProblem(error, serviceConfig);
    if (problem === undefined) throw error;
    say(problem);
    return ExitCode.Usage;
  }
  const { recovered } = started;
  if (recovered.resumed + recovered.submitted + recovered.failed + recovered.webhooks > 0) {
    say(
      `recovered ${recovered.resumed} job(s) to follow, ${recovered.submitted} to submit, ${recovered.webhooks} webhook(s) to deliver`,
    );
  }
  say(`listening on ${started.url} (job store: ${serviceConfig.dbPath})`);
  ctx.stdout.write(`${started.url}\n`);

  await new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener('abort', () => resolve(), { once: true });
  });
  if (leaseLost?.aborted) say(`stopping: ${(leaseLost.reason as Error).message}`);
  say('stopping: no new requests; jobs in flight stay stored and are picked up at the next start');
  await started.close();
  await opened.close();
  logger.flush();
  return leaseLost?.aborted ? ExitCode.Failure : ExitCode.Ok;
}

/** Why the job store cannot be opened at `dbPath`, before anything starts; undefined when it can. */
export function jobStoreProblem(dbPath: string): string | undefined {
  if (dbPath === ':memory:') return undefined;
  const dir = dirname(resolve(dbPath));
  if (!existsSync(dir)) {
    return `--db ${dbPath}: the folder ${dir} does not exist; create it (mkdir -p ${dir}) or pass another path (":memory:" keeps nothing)`;
  }
  if (existsSync(dbPath) && statSync(dbPath).isDirectory())
    return `--db ${dbPath}: is a folder, expected a file path`;
  return undefined;
}

/** A plain sentence for the failures of listening and of opening the store; undefined otherwise. */
export function listenProblem(
  error: unknown,
  config: Pick<ServiceConfig, 'host' | 'port' | 'dbPath'>,
): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE')
    return `cannot listen on ${where}: the port is in use (another mjw serve?); pick another with --port or MJW_PORT (0 picks a free one)`;
  if (code === 'EACCES')
    return `cannot listen on ${where}: permission denied (ports under 1024 need privileges); pick another with --port or MJW_PORT`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return `cannot listen on ${where}: ${config.host} is not an address of this machine; pick another with --host or MJW_HOST`;
  if (error instanceof Error && error.name === 'SqliteError')
    return `cannot open the job store ${config.dbPath}: ${error.message}`;
  return undefined;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the HTTP API (jobs, SSE events, webhooks, midjourney-proxy compatible routes)',
  usage: USAGE,
  run,
};
