/**
 * Finds a bot's slash command (id and version) through Discord's application-command index and
 * caches it: fresh for an hour, then looked up again, with the stale copy still served for up to
 * a day while the lookup fails.
 */
import type { DiscordApi, RequestOptions } from '../discord/rest/api.js';
import type { APIApplicationCommand, Snowflake } from '../discord/types.js';
import type { Clock } from '../util/clock.js';

export interface CommandResolverOptions {
  api: DiscordApi;
  /** The guild whose index is read; give this or `channelId` (for DMs). */
  guildId?: Snowflake;
  /** A DM channel whose index is read when there is no guild. */
  channelId?: Snowflake;
  /** Only this application's commands count. Default: the Midjourney bot. */
  applicationId?: Snowflake;
  /** How long a lookup is trusted (ms). Default 1 h. */
  freshMs?: number;
  /** How long a stale lookup is still served when a new lookup fails (ms). Default 24 h. */
  staleMs?: number;
  /** After a failed lookup, how long to serve stale before asking Discord again (ms). Default 60 s. */
  retryFailedAfterMs?: number;
  /** Default: the system clock. */
  clock?: Clock;
}

export class CommandResolver {
  constructor(readonly options: CommandResolverOptions) {}

  /** The command named `name` (default `imagine`) of the configured application. */
  async resolve(name?: string, options?: RequestOptions): Promise<APIApplicationCommand> {
    throw new Error(`CommandResolver.resolve: not implemented yet (${name}, ${options})`);
  }

  /** Looks the commands up now, replacing the cache (e.g. after an outdated-version refusal). */
  async refresh(options?: RequestOptions): Promise<void> {
    throw new Error(`CommandResolver.refresh: not implemented yet (${options})`);
  }

  /** Forgets the cache; the next resolve asks Discord. */
  invalidate(): void {}
}

/** Discord's refusal of a command version that changed: 50035 with INTERACTION_APPLICATION_COMMAND_INVALID_VERSION. */
export function isOutdatedCommandError(error: unknown): boolean {
  return error === 'not implemented';
}
