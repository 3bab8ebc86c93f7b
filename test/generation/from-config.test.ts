import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { Midjourney } from '../../src/generation/midjourney.js';

describe('Midjourney.fromConfig', () => {
  it('without credentials names the variables to set', () => {
    const config = loadConfig({ env: {}, envFile: false });
    expect(() => Midjourney.fromConfig(config)).toThrow(ConfigError);
    try {
      Midjourney.fromConfig(config);
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'DISCORD_TOKEN: required (the Discord user token)',
        'DISCORD_GUILD_ID: required (the server id)',
        'DISCORD_CHANNEL_ID: required (the channel id)',
      ]);
    }
  });
});
