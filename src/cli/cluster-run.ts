/**
 * `mjw serve` and `mjw worker` in a cluster (MJW_REDIS_URL set): one node of it, run until
 * SIGINT / SIGTERM (hands its leases and claims back at once, exit 0). A worker drives the
 * accounts of MJ_ACCOUNTS_FILE (or `default` from DISCORD_*) whose leases it holds; a lease lost
 * stops that account only. Credentials are required: every worker must reach the same Discord (or
 * the same standalone `mjw sim`), and the built-in simulator lives in one process only.
 */
import type { AccountConfig } from '../config/accounts.js';
import type { Config } from '../config/index.js';
import type { ServiceConfig } from '../config/service.js';
import { startClusterNode } from '../service/cluster/node.js';
import { openLeasedAccount } from '../service/open-generator.js';
import type { Logger } from '../util/logger.js';
import { type CommandContext, ExitCode } from './command.js';

export interface ClusterRunOptions {
  config: Config;
  serviceConfig: ServiceConfig;
  /** The deployment's accounts (MJ_ACCOUNTS_FILE, or `default` from DISCORD_*). */
  accounts: readonly AccountConfig[];
  logger: Logger;
  listen: boolean;
  say: (message: string) => void;
}

export async function runClusterNode(ctx: CommandContext, options: ClusterRunOptions): Promise<number> {
  const { config, serviceConfig, logger, say } = options;
  if (serviceConfig.worker && options.accounts.length === 0) {
    say(
      'a cluster worker needs accounts: set MJ_ACCOUNTS_FILE, or DISCORD_TOKEN, DISCORD_GUILD_ID and DISCORD_CHANNEL_ID (for a simulator, the ones `mjw sim` prints)',
    );
    return ExitCode.Usage;
  }
  const node = await startClusterNode({
    config: serviceConfig,
    logger,
    listen: options.listen,
    accounts: options.accounts,
    minSpacingMs: config.minRequestSpacingMs,
    openAccount: async (account, gate) => openLeasedAccount(config, logger, account, gate),
  });
  if (node.url !== undefined) {
    say(`listening on ${node.url} (cluster on Redis, prefix ${serviceConfig.redisPrefix})`);
    ctx.stdout.write(`${node.url}\n`);
  }
  if (serviceConfig.worker) {
    say(`worker: waiting for the account lease (${options.accounts.length} account(s) in the cluster)`);
    node.driving.then(
      () => say(`worker: lease held on ${node.heldAccounts().join(', ')}, taking jobs`),
      () => undefined,
    );
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  say('stopping: handing the leases and jobs back');
  await node.close();
  logger.flush();
  return ExitCode.Ok;
}
