/**
 * `mjw serve` and `mjw worker` in a cluster (MJW_REDIS_URL set): one node of it, run until
 * SIGINT / SIGTERM (hands its lease and claims back at once, exit 0) or until its lease is lost
 * (stops driving, exit 1: the supervisor restarts it as a standby). The account's Discord
 * credentials are required: every worker must reach the same Discord (or the same standalone
 * `mjw sim`), and the built-in simulator lives in one process only.
 */
import type { Config } from '../config/index.js';
import type { ServiceConfig } from '../config/service.js';
import { startClusterNode } from '../service/cluster/node.js';
import { openServiceGenerator } from '../service/open-generator.js';
import type { Logger } from '../util/logger.js';
import { type CommandContext, ExitCode } from './command.js';

export interface ClusterRunOptions {
  config: Config;
  serviceConfig: ServiceConfig;
  logger: Logger;
  listen: boolean;
  say: (message: string) => void;
}

export async function runClusterNode(ctx: CommandContext, options: ClusterRunOptions): Promise<number> {
  const { config, serviceConfig, logger, say } = options;
  if (serviceConfig.worker && config.credentials === null) {
    say(
      'a cluster worker needs the account: set DISCORD_TOKEN, DISCORD_GUILD_ID and DISCORD_CHANNEL_ID (for a simulator, the ones `mjw sim` prints)',
    );
    return ExitCode.Usage;
  }
  const node = await startClusterNode({
    config: serviceConfig,
    logger,
    listen: options.listen,
    minSpacingMs: config.minRequestSpacingMs,
    openGenerator: (gate) => openServiceGenerator(config, logger, undefined, { sendGate: gate }),
  });
  if (node.url !== undefined) {
    say(`listening on ${node.url} (cluster on Redis, prefix ${serviceConfig.redisPrefix})`);
    ctx.stdout.write(`${node.url}\n`);
  }
  if (serviceConfig.worker) {
    say('worker: waiting for the account lease');
    node.driving.then(
      () => say('worker: lease held, taking jobs'),
      () => undefined,
    );
  }
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    if (ctx.signal.aborted || node.lost.aborted) resolve();
    ctx.signal.addEventListener('abort', done, { once: true });
    node.lost.addEventListener('abort', done, { once: true });
  });
  const lost = node.lost.aborted;
  say(
    lost ? `stopping: ${(node.lost.reason as Error).message}` : 'stopping: handing the lease and jobs back',
  );
  await node.close();
  logger.flush();
  return lost ? ExitCode.Failure : ExitCode.Ok;
}
