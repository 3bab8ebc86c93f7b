/**
 * `mjw worker`: a cluster worker (MJW_REDIS_URL): it drives the account while it holds the
 * account's lease, taking queued jobs from Redis, and stands by while another worker holds it.
 * See docs/scale.md.
 */
import { loadAccountsConfig } from '../../config/accounts.js';
import { loadConfig, readEnvironment } from '../../config/index.js';
import { loadServiceConfig } from '../../config/service.js';
import { createLogger } from '../../util/logger.js';
import { parseCommandLine } from '../args.js';
import { runClusterNode } from '../cluster-run.js';
import { type Command, type CommandContext, ExitCode } from '../command.js';

const USAGE = `Usage: mjw worker

Drives Discord accounts for a cluster on the Redis of MJW_REDIS_URL: those of MJ_ACCOUNTS_FILE, or
the one of DISCORD_TOKEN / DISCORD_GUILD_ID / DISCORD_CHANNEL_ID. Live workers share the accounts
fairly; a worker drives an account only while it holds its lease (one driver per token,
cluster-wide; MJW_ACCOUNT_LEASE_TTL_MS). It takes jobs that the API nodes (\`mjw serve\`) queued, as
many at once as its accounts have slots, resumes the jobs of a worker that died from their stored
tickets, and sends webhooks for the jobs it drives. A disabled account stays disabled for every
worker (its state lives in Redis). SIGTERM hands the leases and the jobs in flight back at once
(exit 0); a lost lease stops that account only. See docs/scale.md.`;

async function run(ctx: CommandContext): Promise<number> {
  parseCommandLine(ctx.argv, {}, false);
  const env = readEnvironment({ env: ctx.env });
  const config = loadConfig({ env, envFile: false });
  const serviceConfig = loadServiceConfig(env, { worker: true });
  const accounts = loadAccountsConfig(env, config);
  const say = (message: string): void => {
    ctx.stderr.write(`mjw worker: ${message}\n`);
  };
  if (serviceConfig.redisUrl === null) {
    say('MJW_REDIS_URL is not set: a worker serves a cluster on Redis (for one process, use `mjw serve`)');
    return ExitCode.Usage;
  }
  const logger = createLogger({
    level: config.logLevel,
    name: 'mjw-worker',
    secrets: [
      config.credentials?.token ?? '',
      ...accounts.accounts.map((a) => a.token),
      ...serviceConfig.apiKeys.map((k) => k.key),
    ],
  });
  return runClusterNode(ctx, {
    config,
    serviceConfig,
    accounts: accounts.accounts,
    logger,
    listen: false,
    say,
  });
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Drive an account for a cluster on Redis',
  usage: USAGE,
  run,
};
