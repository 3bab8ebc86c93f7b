/**
 * Shared by the examples: a client for the configured Discord account (DISCORD_TOKEN,
 * DISCORD_GUILD_ID, DISCORD_CHANNEL_ID in the environment or .env), or, when none is configured,
 * the same client against the built-in simulator so the examples run anywhere.
 */

import { loadConfig, Midjourney } from '../src/index.js';
import { openSimulatedClient } from '../src/simulator/index.js';

export async function connect(): Promise<{ mj: Midjourney; close: () => Promise<void> }> {
  const config = loadConfig();
  if (config.credentials) {
    const mj = new Midjourney({ config });
    return { mj, close: () => mj.close() };
  }
  console.error('(no Discord credentials configured: using the built-in simulator)');
  // The simulator's notices are ephemeral as on Discord: the gateway sees them, polling does not.
  const { client, close } = await openSimulatedClient({ config, overrides: { watch: 'gateway' } });
  return { mj: client, close };
}
