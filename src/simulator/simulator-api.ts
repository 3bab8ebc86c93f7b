/**
 * What `startSimulator` returns: URLs and ids to point a client at, the request log, the bot and
 * its jobs, and the handles tests use to script Discord (faults, command versions, rate limits).
 */
import type {
  APIApplicationCommand,
  APIApplicationCommandIndex,
  APIMessage,
  APIUser,
  Snowflake,
} from '../discord/types.js';
import type { MidjourneyBot, SimJobRecord } from './bot/index.js';
import type { DiscordWorld } from './discord-world.js';
import type { SimFault } from './faults/types.js';
import type { HttpStats } from './http/sim-http-server.js';
import type { SimulatorOptions } from './options.js';
import type { RouteLimit } from './rate-limit/options.js';
import type { RequestLogEntry } from './request-log.js';
import type { SimBot } from './world.js';

export interface SimulatorStats {
  /** API and CDN requests received. */
  requests: number;
  /** 401/403/429 (shared excluded) in the current invalid-request window. */
  invalidRequests: number;
  /** Every invalid request since start. */
  invalidRequestsTotal: number;
  /** Real ms left on a Cloudflare ban earned by too many invalid requests; 0 when none. */
  cloudflareBanMs: number;
  /** 429s answered, by scope. */
  rateLimited: HttpStats['rateLimited'];
  faultsInjected: number;
  /** Errors thrown by handlers (500 answered) or by the bot while handling an interaction. */
  errors: number;
  gatewayConnections: number;
  gatewaySessions: number;
}

export interface SimulatorFaults {
  /** Arms one more fault. */
  add(fault: SimFault): void;
  /** Replaces every armed fault. */
  set(faults: readonly SimFault[]): void;
  clear(): void;
  /** Armed faults with what is left of each. */
  pending(): SimFault[];
  /** Drops every gateway connection now; returns how many. */
  dropGateway(options?: { resumable?: boolean; closeCode?: number }): number;
  /** Sends op 7 RECONNECT to every identified connection now; returns how many. */
  reconnectGateway(): number;
}

export interface SimulatorCommands {
  /**
   * Gives a command (default `imagine`, of the Midjourney bot unless `applicationId` names another)
   * a new version; cached versions are refused from now on.
   */
  bumpVersion(name?: string, applicationId?: Snowflake): Snowflake;
  /** A command by name, as the index lists it: the Midjourney bot's unless `applicationId` names another. */
  get(name: string, applicationId?: Snowflake): APIApplicationCommand | undefined;
  index(): APIApplicationCommandIndex;
}

export interface SimulatorRateLimits {
  /** Changes (or with `null` removes) a route's bucket; e.g. to change its hash mid-run. */
  setRoute(route: string, limit: RouteLimit | null): void;
  /** Forgets every counter (buckets, global, shared). */
  reset(): void;
}

export interface Simulator<TBot extends SimBot = MidjourneyBot> {
  /** `http://127.0.0.1:PORT/api/v10`. */
  readonly apiBaseUrl: string;
  /** `ws://127.0.0.1:PORT/?v=10&encoding=json`. */
  readonly gatewayUrl: string;
  /** `http://127.0.0.1:PORT`: attachment URLs live under it. */
  readonly cdnBaseUrl: string;
  readonly port: number;
  /** The default user's token (a simulator token, not a secret). */
  readonly token: string;
  readonly userId: Snowflake;
  readonly user: APIUser;
  readonly guildId: Snowflake;
  readonly channelId: Snowflake;
  readonly options: Readonly<SimulatorOptions>;
  /** Every request received, in arrival order (live; never holds the token). */
  readonly requests: readonly RequestLogEntry[];
  /**
   * Every job the bots started, both bots' in the order they were started; each record says which
   * bot ran it (`botType`). Empty for a bot without `jobs()`.
   */
  readonly jobs: SimJobRecord[];
  readonly bot: TBot;
  /** The niji・journey bot (undefined with `createBot` or `niji: false`). */
  readonly niji: MidjourneyBot | undefined;
  /** The bot's side of the seam, for tests that post messages directly. */
  readonly world: DiscordWorld;
  readonly commands: SimulatorCommands;
  readonly faults: SimulatorFaults;
  readonly rateLimits: SimulatorRateLimits;
  /** Stored messages of a channel (default: the default channel), oldest first; never ephemeral ones. */
  messages(channelId?: Snowflake): APIMessage[];
  clearRequests(): void;
  stats(): SimulatorStats;
  /** Stops the bot, the gateway and the HTTP server; releases every socket and timer. */
  close(): Promise<void>;
}
