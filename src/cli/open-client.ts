/**
 * Opens the client a one-shot command drives: the configured Discord account (after taking the
 * token's lease), or, without credentials, the built-in simulator (said on stderr).
 */
import { type Config, readEnvironment, type WatchMode } from '../config/index.js';
import { Midjourney } from '../generation/midjourney.js';
import { openSimulatedClient } from '../simulator/simulated-client.js';
import type { Logger } from '../util/logger.js';
import type { CommandContext } from './command.js';
import { ownConfiguredToken } from './token-lease.js';

export interface OpenedClient {
  client: Midjourney;
  close(): Promise<void>;
}

export async function openClient(
  name: string,
  config: Config,
  ctx: CommandContext,
  watch?: WatchMode,
  logger?: Logger,
): Promise<OpenedClient> {
  if (config.credentials) {
    // The token's local lease, and in a cluster its account's lease (every call through its gate).
    const lease = await ownConfiguredToken(config, readEnvironment({ env: ctx.env }));
    let client: Midjourney;
    try {
      client = Midjourney.fromConfig(config, {
        ...(logger ? { logger } : {}),
        ...(watch ? { watch } : {}),
        ...(lease.sendGate ? { sendGate: lease.sendGate } : {}),
      });
    } catch (error) {
      await lease.release();
      throw error;
    }
    return {
      client,
      close: async () => {
        try {
          await client.close();
        } finally {
          await lease.release();
        }
      },
    };
  }
  ctx.stderr.write(
    `mjw ${name}: no Discord credentials configured (DISCORD_TOKEN, DISCORD_GUILD_ID, DISCORD_CHANNEL_ID): running against the built-in simulator\n`,
  );
  // Watched over the gateway as every command does against the simulator; only an explicit watch
  // changes it (MJ_WATCH does not: one behaviour across commands).
  return openSimulatedClient({
    config,
    overrides: { ...(logger ? { logger } : {}), ...(watch ? { watch } : {}) },
  });
}
