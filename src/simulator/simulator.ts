/**
 * `startSimulator`: a loopback Discord (HTTP API, CDN, gateway) with the Midjourney bot inside,
 * for tests, examples and the default run. Everything it starts, `close()` stops.
 */
import type {
  APIApplicationCommand,
  APIApplicationCommandIndex,
  APIMessage,
  APIUser,
  Snowflake,
} from '../discord/types.js';
import type { Random } from '../util/clock.js';
import { SnowflakeGenerator } from '../util/snowflake.js';
import { createMidjourneyBot, type MidjourneyBot, type SimJobRecord } from './bot/index.js';
import { seededRandom } from './bot/random.js';
import { CommandRegistry } from './command-registry.js';
import { DiscordWorld } from './discord-world.js';
import { FaultController } from './faults/fault-controller.js';
import type { SimFault } from './faults/types.js';
import { GatewayServer } from './gateway/gateway-server.js';
import { type HttpStats, SimHttpServer } from './http/sim-http-server.js';
import { InteractionDelivery } from './interaction-delivery.js';
import { resolveSimulatorOptions, type SimulatorInit, type SimulatorOptions } from './options.js';
import { randomHex } from './random-hex.js';
import { InvalidRequestCounter } from './rate-limit/invalid-request-counter.js';
import type { RouteLimit } from './rate-limit/options.js';
import { SimRateLimiter } from './rate-limit/sim-rate-limiter.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { ScaledClock } from './sim-clock.js';
import { AttachmentStore } from './store/attachment-store.js';
import { MessageStore } from './store/message-store.js';
import { ChannelDirectory, midjourneyBotUser, UserDirectory } from './users.js';
import type { SimBot, SimWorld } from './world.js';

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
  /** Gives a command (default `imagine`) a new version; cached versions are refused from now on. */
  bumpVersion(name?: string): Snowflake;
  /** The Midjourney bot's command by name, as the index lists it. */
  get(name: string): APIApplicationCommand | undefined;
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
  /** Every job the bot started (empty for a bot without `jobs()`). */
  readonly jobs: SimJobRecord[];
  readonly bot: TBot;
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

export type StartSimulatorOptions = SimulatorInit & { onRequest?: (entry: RequestLogEntry) => void };

export function startSimulator(
  init?: StartSimulatorOptions & { createBot?: undefined },
): Promise<Simulator<MidjourneyBot>>;
export function startSimulator<TBot extends SimBot>(
  init: StartSimulatorOptions & { createBot: (world: SimWorld) => TBot },
): Promise<Simulator<TBot>>;
export async function startSimulator(init: StartSimulatorOptions = {}): Promise<Simulator<SimBot>> {
  const { onRequest, ...rest } = init;
  const options = resolveSimulatorOptions(rest);
  const random: Random = options.random ?? seededRandom(options.seed);
  const clock = new ScaledClock(options.timeScale);
  const realMs = (simulated: number): number => clock.toRealMs(simulated);
  let origin = '';

  const snowflakes = new SnowflakeGenerator();
  const botUser = midjourneyBotUser(options.bot.botUserId ?? '936929561302675456');
  const botApplicationId = options.bot.applicationId ?? botUser.id;
  const users = new UserDirectory(options.users, botUser);
  const channels = new ChannelDirectory(options.guildId, [options.channelId, ...options.extraChannelIds]);
  const messages = new MessageStore();
  for (const id of channels.ids()) messages.addChannel(id);
  const attachments = new AttachmentStore(
    () => origin,
    Buffer.from(randomHex(random, 64), 'hex'),
    realMs(options.attachmentTtlMs),
  );
  const faults = new FaultController(options.faults);
  const gateway = new GatewayServer({
    users,
    guildIds: [options.guildId],
    clock,
    options: options.gateway,
    random,
    faults,
    resumeUrl: () => origin.replace(/^http/, 'ws'),
  });
  const stats: HttpStats = {
    requests: 0,
    rateLimited: { user: 0, global: 0, shared: 0, cloudflare: 0 },
    faultsInjected: 0,
    handlerErrors: 0,
  };
  let botErrors = 0;
  const delivery = new InteractionDelivery({
    gateway,
    clock,
    botApplicationId,
    onBotError: () => {
      botErrors += 1;
    },
  });
  const world = new DiscordWorld({ clock, users, channels, messages, attachments, snowflakes, gateway });
  world.failInteraction = (id, reason) => delivery.fail(id, reason);
  const commands = new CommandRegistry(botApplicationId, () => snowflakes.next());
  const bot: SimBot = options.createBot ? options.createBot(world) : createMidjourneyBot(world, options.bot);
  delivery.setBot(bot);

  const limits = options.rateLimits;
  const limiter = new SimRateLimiter(limits, options.timeScale);
  const invalidRequests = new InvalidRequestCounter({
    limit: limits.invalidRequests.limit,
    windowMs: realMs(limits.invalidRequests.windowMs),
    banMs: realMs(limits.invalidRequests.banMs),
  });
  const log = new RequestLog(options.requestLogLimit, () => options.users.map((u) => u.token));
  const http = new SimHttpServer({
    state: { world, users, channels, commands, delivery, clock },
    limiter,
    invalidRequests,
    faults,
    log,
    attachments,
    gateway,
    stats,
    onRequest,
  });
  const address = await http.listen(options.host, options.port);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${host}:${address.port}`;
  const defaultUser = users.defaultUser;
  let closed: Promise<void> | undefined;

  return {
    apiBaseUrl: `${origin}/api/v10`,
    gatewayUrl: `${origin.replace(/^http/, 'ws')}/?v=10&encoding=json`,
    cdnBaseUrl: origin,
    port: address.port,
    token: defaultUser.token,
    userId: defaultUser.user.id,
    user: defaultUser.user,
    guildId: options.guildId,
    channelId: options.channelId,
    options,
    requests: log.entries,
    get jobs() {
      const withJobs = bot as SimBot & { jobs?: () => SimJobRecord[] };
      return typeof withJobs.jobs === 'function' ? withJobs.jobs() : [];
    },
    bot,
    world,
    commands: {
      bumpVersion: (name) => commands.bumpVersion(name),
      get: (name) => commands.get(name),
      index: () => commands.index(),
    },
    faults: {
      add: (fault) => faults.add(fault),
      set: (list) => faults.set(list),
      clear: () => faults.clear(),
      pending: () => faults.pending(),
      dropGateway: (drop = {}) => gateway.drop(drop.resumable ?? true, drop.closeCode),
      reconnectGateway: () => gateway.requestReconnect(),
    },
    rateLimits: {
      setRoute: (route, limit) => limiter.setRoute(route, limit),
      reset: () => limiter.reset(),
    },
    messages: (channelId = options.channelId) => world.history(channelId),
    clearRequests: () => log.clear(),
    stats: () => ({
      requests: stats.requests,
      invalidRequests: invalidRequests.count(),
      invalidRequestsTotal: invalidRequests.total,
      cloudflareBanMs: invalidRequests.banRemainingMs(),
      rateLimited: { ...stats.rateLimited },
      faultsInjected: stats.faultsInjected,
      errors: stats.handlerErrors + botErrors,
      gatewayConnections: gateway.connectionCount,
      gatewaySessions: gateway.sessionCount,
    }),
    close: () => {
      closed ??= (async () => {
        bot.stop();
        clock.cancelAll();
        await gateway.close();
        await http.close();
        clock.cancelAll();
      })();
      return closed;
    },
  };
}
