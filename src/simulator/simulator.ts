/**
 * `startSimulator`: a loopback Discord (HTTP API, CDN, gateway) with the Midjourney bot inside,
 * for tests, examples and the default run. Everything it starts, `close()` stops.
 */
import type { Random } from '../util/clock.js';
import { SnowflakeGenerator } from '../util/snowflake.js';
import {
  createMidjourneyBot,
  type MidjourneyBot,
  type MidjourneyBotInput,
  type SimJobRecord,
} from './bot/index.js';
import { seededRandom } from './bot/random.js';
import { CommandRegistry, NIJI_APPLICATION_ID } from './command-registry.js';
import { DiscordWorld } from './discord-world.js';
import { FaultController } from './faults/fault-controller.js';
import { GatewayServer } from './gateway/gateway-server.js';
import { type HttpStats, SimHttpServer } from './http/sim-http-server.js';
import { InteractionDelivery } from './interaction-delivery.js';
import { resolveSimulatorOptions, type SimulatorInit } from './options.js';
import { randomHex } from './random-hex.js';
import { InvalidRequestCounter } from './rate-limit/invalid-request-counter.js';
import { SimRateLimiter } from './rate-limit/sim-rate-limiter.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { ScaledClock } from './sim-clock.js';
import type { Simulator } from './simulator-api.js';
import { AttachmentStore } from './store/attachment-store.js';
import { MessageStore } from './store/message-store.js';
import { UploadStore } from './store/upload-store.js';
import { ChannelDirectory, midjourneyBotUser, nijiBotUser, UserDirectory } from './users.js';
import type { SimBot, SimWorld } from './world.js';

/** What `startSimulator` takes: the options (all optional) and a hook called as each request completes. */
export type StartSimulatorOptions = Omit<SimulatorInit, 'createBot'> & {
  onRequest?: (entry: RequestLogEntry) => void;
};

/** Starts a simulator with the Midjourney bot. */
export function startSimulator(
  init?: StartSimulatorOptions & { createBot?: undefined },
): Promise<Simulator<MidjourneyBot>>;
/** Starts a simulator with another bot (tests use tiny ones). */
export function startSimulator<TBot extends SimBot>(
  init: StartSimulatorOptions & { createBot: (world: SimWorld) => TBot },
): Promise<Simulator<TBot>>;
export async function startSimulator(
  init: StartSimulatorOptions & { createBot?: ((world: SimWorld) => SimBot) | undefined } = {},
): Promise<Simulator<SimBot>> {
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
  const messages = new MessageStore(options.messageRetention);
  for (const id of channels.ids()) messages.addChannel(id);
  const attachments = new AttachmentStore(
    () => origin,
    Buffer.from(randomHex(random, 64), 'hex'),
    realMs(options.attachmentTtlMs),
    undefined,
    options.attachmentRetention,
  );
  const uploads = new UploadStore();
  const faults = new FaultController(options.faults);
  const gateway = new GatewayServer({
    users,
    guildIds: [options.guildId],
    guildChannels: () =>
      [...channels.ids()].map((id) => ({
        id,
        type: 0,
        last_message_id: messages.all(id).at(-1)?.id ?? null,
      })),
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
    onBotError: () => {
      botErrors += 1;
    },
  });
  const world = new DiscordWorld({ clock, users, channels, messages, attachments, snowflakes, gateway });
  world.failInteraction = (id, reason) => delivery.fail(id, reason);
  world.openModal = (id, modal, iframe) => delivery.openModal(id, modal, iframe);
  const commands = new CommandRegistry(botApplicationId, () => snowflakes.next());
  const bot: SimBot = options.createBot ? options.createBot(world) : createMidjourneyBot(world, options.bot);
  delivery.setBot(botApplicationId, bot);
  const niji =
    options.createBot || options.niji === false ? undefined : startNiji(world, options.bot, options.niji);
  if (niji) delivery.setBot(niji.options.applicationId, niji);
  const bots = niji ? [bot, niji] : [bot];

  const limits = options.rateLimits;
  const limiter = new SimRateLimiter(limits, options.timeScale);
  const invalidRequests = new InvalidRequestCounter({
    limit: limits.invalidRequests.limit,
    windowMs: realMs(limits.invalidRequests.windowMs),
    banMs: realMs(limits.invalidRequests.banMs),
  });
  const log = new RequestLog(options.requestLogLimit, () => options.users.map((u) => u.token));
  const http = new SimHttpServer({
    state: { world, users, channels, commands, delivery, clock, uploads, uploadBaseUrl: () => origin },
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
      const [own, other] = bots.map((b) => {
        const withJobs = b as SimBot & { jobs?: () => SimJobRecord[] };
        return typeof withJobs.jobs === 'function' ? withJobs.jobs() : [];
      });
      if (other === undefined || other.length === 0) return own ?? [];
      // Both bots' jobs in the order they were started (a stable sort: each bot's own order kept).
      return [...(own ?? []), ...other].sort((a, b) => a.createdAt - b.createdAt);
    },
    bot,
    niji,
    world,
    commands: {
      bumpVersion: (name, applicationId) => commands.bumpVersion(name, applicationId),
      get: (name, applicationId) => commands.get(name, applicationId),
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
        for (const b of bots) b.stop();
        clock.cancelAll();
        await gateway.close();
        await http.close();
        clock.cancelAll();
      })();
      return closed;
    },
  };
}

/**
 * The niji・journey bot: the same bot over a view of the world where it posts as its own user, with
 * its own application id and a seed of its own (job UUIDs never collide with Midjourney's).
 */
function startNiji(world: DiscordWorld, bot: MidjourneyBotInput, niji: MidjourneyBotInput): MidjourneyBot {
  const applicationId = niji.applicationId ?? NIJI_APPLICATION_ID;
  const user = nijiBotUser(niji.botUserId ?? applicationId);
  return createMidjourneyBot(world.forBot(user), {
    ...bot,
    seed: (bot.seed ?? 1) + 1,
    ...niji,
    faults: { ...bot.faults, ...niji.faults },
    botType: 'niji',
    applicationId,
    botUserId: user.id,
  });
}
