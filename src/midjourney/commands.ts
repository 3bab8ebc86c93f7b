/**
 * Finds a bot's slash command (id and version) through Discord's application-command index,
 * keeping only the configured application's commands (another bot's `/imagine` must never be
 * used), and caches the result: fresh for an hour, then looked up again; while a lookup fails, the
 * stale copy is still served for up to a day. A failed lookup is never cached: a rejection, or an
 * index of the wrong shape (a truncated body from another DiscordApi), leaves the cache as it was
 * and the next call asks again. Discord refuses an outdated version with 50035
 * INTERACTION_APPLICATION_COMMAND_INVALID_VERSION: the caller then calls `refresh()` and resends once.
 */
import { EventEmitter } from 'eventemitter3';
import { decodeApplicationCommandIndex, decodeWith } from '../discord/decode/index.js';
import type { DiscordApi, RequestOptions } from '../discord/rest/api.js';
import { DiscordProtocolError } from '../discord/rest/errors.js';
import type { APIApplicationCommand, APIApplicationCommandIndex, Snowflake } from '../discord/types.js';
import { ValidationError } from '../errors.js';
import { isAbortError, throwIfAborted } from '../util/abort.js';
import { type Clock, systemClock } from '../util/clock.js';
import { isSnowflake } from '../util/snowflake.js';
import {
  COMMAND_FRESH_MS,
  COMMAND_STALE_MS,
  DISCORD_INVALID_FORM_BODY,
  IMAGINE_COMMAND_NAME,
  MIDJOURNEY_APPLICATION_ID,
  OUTDATED_COMMAND_ERROR,
} from './constants.js';
import { CommandNotFoundError } from './errors.js';

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

export const DEFAULT_COMMAND_RESOLVER_OPTIONS = Object.freeze({
  applicationId: MIDJOURNEY_APPLICATION_ID,
  freshMs: COMMAND_FRESH_MS,
  staleMs: COMMAND_STALE_MS,
  retryFailedAfterMs: 60_000,
});

export interface CommandResolverEvents {
  debug: [message: string];
}

interface CacheEntry {
  fetchedAt: number;
  commands: ReadonlyMap<string, APIApplicationCommand>;
}

export class CommandResolver extends EventEmitter<CommandResolverEvents> {
  private readonly api: DiscordApi;
  private readonly scope: { kind: 'guild' | 'channel'; id: Snowflake };
  private readonly applicationId: Snowflake;
  private readonly freshMs: number;
  private readonly staleMs: number;
  private readonly retryFailedAfterMs: number;
  private readonly clock: Clock;
  private cache: CacheEntry | undefined;
  private inflight: Promise<CacheEntry> | undefined;
  /** After a failed lookup, stale entries are served without asking again until this time. */
  private retryAt = 0;

  constructor(options: CommandResolverOptions) {
    super();
    const settings = { ...DEFAULT_COMMAND_RESOLVER_OPTIONS, ...options };
    const problems: string[] = [];
    if (!options.api) problems.push('api: required (a DiscordApi)');
    if (options.guildId === undefined && options.channelId === undefined) {
      problems.push('guildId or channelId: one is required');
    }
    for (const key of ['guildId', 'channelId', 'applicationId'] as const) {
      const value = settings[key];
      if (value !== undefined && !isSnowflake(value)) problems.push(`${key}: not a snowflake (${value})`);
    }
    for (const key of ['freshMs', 'staleMs', 'retryFailedAfterMs'] as const) {
      if (!Number.isFinite(settings[key]) || settings[key] < 0) {
        problems.push(`${key}: must be a non-negative number of ms, got ${settings[key]}`);
      }
    }
    if (settings.staleMs < settings.freshMs) problems.push('staleMs: must be at least freshMs');
    if (problems.length > 0) throw new ValidationError('Invalid CommandResolver options', problems);

    this.api = options.api;
    this.scope =
      options.guildId !== undefined
        ? { kind: 'guild', id: options.guildId }
        : { kind: 'channel', id: options.channelId! };
    this.applicationId = settings.applicationId;
    this.freshMs = settings.freshMs;
    this.staleMs = settings.staleMs;
    this.retryFailedAfterMs = settings.retryFailedAfterMs;
    this.clock = options.clock ?? systemClock;
  }

  /** The command named `name` (default `imagine`) of the configured application. */
  async resolve(
    name: string = IMAGINE_COMMAND_NAME,
    options: RequestOptions = {},
  ): Promise<APIApplicationCommand> {
    const now = this.clock.now();
    const entry = this.cache;
    const age = entry === undefined ? Number.POSITIVE_INFINITY : now - entry.fetchedAt;
    if (entry !== undefined && age < this.freshMs) return this.pick(entry, name);
    if (entry !== undefined && age < this.staleMs && now < this.retryAt) return this.pick(entry, name);
    try {
      return this.pick(await this.lookup(options), name);
    } catch (error) {
      // A caller's abort is theirs to see; anything else falls back to a stale copy within its window.
      if (entry === undefined || age >= this.staleMs || isAbortError(error) || options.signal?.aborted)
        throw error;
      this.retryAt = now + this.retryFailedAfterMs;
      this.emit(
        'debug',
        `command lookup failed, serving a copy ${Math.round(age / 1000)} s old: ${String(error)}`,
      );
      return this.pick(entry, name);
    }
  }

  /** Looks the commands up now, replacing the cache (after an outdated-version refusal). */
  async refresh(options: RequestOptions = {}): Promise<void> {
    await this.lookup(options);
  }

  /** Forgets the cache; the next resolve asks Discord. */
  invalidate(): void {
    this.cache = undefined;
    this.retryAt = 0;
  }

  private pick(entry: CacheEntry, name: string): APIApplicationCommand {
    const command = entry.commands.get(name);
    if (command === undefined) {
      throw new CommandNotFoundError(name, this.applicationId, `${this.scope.kind}:${this.scope.id}`);
    }
    return command;
  }

  /**
   * One lookup at a time: concurrent callers share it. The shared request carries no caller's
   * signal (one caller giving up must not fail the others); each caller stops waiting on its own.
   */
  private lookup(options: RequestOptions): Promise<CacheEntry> {
    throwIfAborted(options.signal);
    if (this.inflight === undefined) {
      const shared: RequestOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
      this.inflight = this.fetchIndex(shared).finally(() => {
        this.inflight = undefined;
      });
    }
    const signal = options.signal;
    if (signal === undefined) return this.inflight;
    const inflight = this.inflight;
    return new Promise<CacheEntry>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      inflight.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async fetchIndex(options: RequestOptions): Promise<CacheEntry> {
    const answer: APIApplicationCommandIndex =
      this.scope.kind === 'guild'
        ? await this.api.getGuildApplicationCommandIndex(this.scope.id, options)
        : await this.api.getChannelApplicationCommandIndex(this.scope.id, options);
    // RestClient has checked it already; any other DiscordApi is checked here, before caching.
    const decoded = decodeWith(decodeApplicationCommandIndex, answer);
    if (!decoded.ok) {
      throw new DiscordProtocolError(
        {
          method: 'GET',
          route: `/${this.scope.kind}s/${this.scope.id}/application-command-index`,
          attempts: 1,
        },
        200,
        decoded.problem,
        '',
      );
    }
    const commands = new Map<string, APIApplicationCommand>();
    for (const command of decoded.value.application_commands) {
      // Other bots publish their own /imagine: only the configured application's commands count.
      if (command.application_id !== this.applicationId || commands.has(command.name)) continue;
      commands.set(command.name, command);
    }
    const entry = { fetchedAt: this.clock.now(), commands };
    this.cache = entry;
    this.retryAt = 0;
    this.emit('debug', `command index: ${commands.size} commands of application ${this.applicationId}`);
    return entry;
  }
}

/**
 * Discord's refusal of a command version that changed since it was discovered: 400, JSON code
 * 50035, with `INTERACTION_APPLICATION_COMMAND_INVALID_VERSION` in `errors.data._errors`. Accepts
 * the REST layer's DiscordAPIError (`discordCode`, `issues`, `fieldErrors`), an error carrying the
 * body as `rawError`, or a raw error body.
 */
export function isOutdatedCommandError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<string, unknown>;
  const raw = (typeof e.rawError === 'object' && e.rawError !== null ? e.rawError : undefined) as
    | Record<string, unknown>
    | undefined;
  const code = e.discordCode ?? raw?.code ?? e.code;
  if (code !== DISCORD_INVALID_FORM_BODY) return false;
  if (treeHasCode(raw?.errors ?? e.errors, 0)) return true;
  // DiscordAPIError keeps the flattened tree as `issues` ({ field, code, message }).
  const issues = Array.isArray(e.issues) ? (e.issues as { code?: unknown }[]) : [];
  if (issues.some((issue) => issue?.code === OUTDATED_COMMAND_ERROR)) return true;
  const lines = Array.isArray(e.fieldErrors) ? e.fieldErrors.map(String) : [];
  return lines.some(
    (line) => line.includes(OUTDATED_COMMAND_ERROR) || /this command is outdated/i.test(line),
  );
}

/** Walks Discord's nested `errors` tree for the outdated-version `_errors` code (depth-limited). */
function treeHasCode(tree: unknown, depth: number): boolean {
  if (typeof tree !== 'object' || tree === null || depth > 8) return false;
  for (const [key, value] of Object.entries(tree)) {
    if (key === '_errors' && Array.isArray(value)) {
      if (value.some((item) => (item as { code?: unknown })?.code === OUTDATED_COMMAND_ERROR)) return true;
    } else if (treeHasCode(value, depth + 1)) return true;
  }
  return false;
}
