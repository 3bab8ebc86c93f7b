/**
 * Several accounts in one simulated Discord: N users, each with its own token and its own channel
 * in the guild (the bot keeps slots per user), and the accounts list that points a pool at them.
 * The first account is the simulator's default user in its default channel.
 */
import type { Snowflake } from '../discord/types.js';
import { DEFAULT_SIMULATOR_OPTIONS, DEFAULT_USER, type SimUserOptions } from './options.js';

/** Most accounts one simulator plays. */
export const MAX_SIM_ACCOUNTS = 50;

export interface SimAccount {
  /** `sim1`, `sim2`, ... */
  id: string;
  user: SimUserOptions;
  channelId: Snowflake;
}

export interface SimAccounts {
  accounts: SimAccount[];
  /** For `startSimulator`: the users, the default channel and the extra ones. */
  init: { users: SimUserOptions[]; channelId: Snowflake; extraChannelIds: Snowflake[] };
}

export function simAccounts(count: number): SimAccounts {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SIM_ACCOUNTS) {
    throw new RangeError(`accounts: expected an integer from 1 to ${MAX_SIM_ACCOUNTS}, got ${count}`);
  }
  const baseChannel = BigInt(DEFAULT_SIMULATOR_OPTIONS.channelId);
  const baseUser = BigInt(DEFAULT_USER.id);
  const accounts = Array.from({ length: count }, (_, i): SimAccount => {
    const id = String(baseUser + BigInt(i));
    const user: SimUserOptions =
      i === 0
        ? { ...DEFAULT_USER }
        : {
            id,
            username: `sim-user-${i + 1}`,
            // Shaped like a Discord user token; a simulator token, not a secret.
            token: `${Buffer.from(id).toString('base64url')}.GsImUl.simulator-token-${i + 1}-0123456789abcdef`,
          };
    return { id: `sim${i + 1}`, user, channelId: String(baseChannel + BigInt(i)) };
  });
  return {
    accounts,
    init: {
      users: accounts.map((a) => a.user),
      channelId: DEFAULT_SIMULATOR_OPTIONS.channelId,
      extraChannelIds: accounts.slice(1).map((a) => a.channelId),
    },
  };
}

/** The accounts file for them (the shape `MJ_ACCOUNTS_FILE` reads). */
export function simAccountsFile(
  accounts: readonly SimAccount[],
  guildId: Snowflake,
  slots: number,
): Record<string, unknown>[] {
  return accounts.map((a) => ({
    id: a.id,
    token: a.user.token,
    guildId,
    channelId: a.channelId,
    slots,
    mode: 'fast',
    enabled: true,
  }));
}
