/**
 * `startSimulator` options, their defaults and their validation. Durations are simulated
 * milliseconds unless a field says otherwise: the simulator divides them by `timeScale`.
 */
import type { Snowflake } from '../discord/types.js';
import type { Random } from '../util/clock.js';
import { isSnowflake } from '../util/snowflake.js';
import type { MidjourneyBotInput } from './bot/index.js';
import { SimulatorOptionsError } from './errors.js';
import { validateFault } from './faults/fault-controller.js';
import type { SimFault } from './faults/types.js';
import {
  DEFAULT_RATE_LIMITS,
  type RateLimitInit,
  type RateLimitOptions,
  resolveRateLimits,
} from './rate-limit/options.js';
import type { SimBot, SimWorld } from './world.js';

/** A user account of the simulated Discord. */
export interface SimUserOptions {
  id: Snowflake;
  username: string;
  /** Sent raw in `Authorization`, as Discord user tokens are. */
  token: string;
}

export interface GatewayOptions {
  /** HELLO's heartbeat interval (simulated ms). Default 41_250, Discord's. */
  heartbeatIntervalMs: number;
  /** How long a dropped session can still be resumed (simulated ms). Default 180_000. */
  resumeWindowMs: number;
  /** Dispatches kept per session for RESUME replay; older ones make a resume fail. Default 1_000. */
  replayBufferSize: number;
}

export interface SimulatorOptions {
  /** Interface to bind. Default '127.0.0.1'. */
  host: string;
  /** Port to bind; 0 picks a free one. Default 0. */
  port: number;
  /** Simulated ms per real ms: every simulated duration is divided by it. Default 1. */
  timeScale: number;
  /** The user accounts; the first is the default one (`sim.token`, `sim.userId`). Default: one user. */
  users: SimUserOptions[];
  /** The guild every channel belongs to. Default '1100000000000000100'. */
  guildId: Snowflake;
  /** The default channel. Default '1100000000000000200'. */
  channelId: Snowflake;
  /** More channels in the same guild. Default []. */
  extraChannelIds: Snowflake[];
  /** Per-route buckets, the global limit and the invalid-request ban; see rate-limit/options.ts. */
  rateLimits: RateLimitOptions;
  /** Faults armed from the start (more can be added at runtime with `sim.faults`). Default []. */
  faults: SimFault[];
  /** Passed to `createMidjourneyBot`. Default {}. */
  bot: MidjourneyBotInput;
  /** Replaces the Midjourney bot (tests use tiny bots; there is then no niji bot). Default undefined. */
  createBot: ((world: SimWorld) => SimBot) | undefined;
  /**
   * The niji・journey bot, a second simulated bot answering its own application (1022952195194359889)
   * as its own bot user: options over `bot`'s (its ids and `botType` are its own; its seed is
   * `bot.seed + 1` unless given, so the two bots never draw the same job UUIDs), or `false` for no
   * niji bot (its interactions then fail like any unanswered bot's). Default {}.
   */
  niji: MidjourneyBotInput | false;
  /** Seed of the simulator's random source (session ids, URL signing). Default 1. */
  seed: number;
  /** Overrides the seeded random source. Default undefined. */
  random: Random | undefined;
  /** How long signed attachment URLs stay valid (simulated ms). Default 86_400_000 (24 h). */
  attachmentTtlMs: number;
  gateway: GatewayOptions;
  /** Entries kept in `sim.requests`; the oldest are dropped. Default 10_000. */
  requestLogLimit: number;
  /**
   * Messages kept per channel; the oldest are dropped past it, as if scrolled out of history, so a
   * long-running simulator stays flat in memory. Default 5_000.
   */
  messageRetention: number;
  /** Attachment files (generated PNGs) kept; the oldest are dropped past it (their URLs then 404). Default 2_000. */
  attachmentRetention: number;
}

/** What `startSimulator` accepts: any subset; nested objects are merged over the defaults. */
export type SimulatorInit = Partial<Omit<SimulatorOptions, 'rateLimits' | 'gateway'>> & {
  rateLimits?: RateLimitInit;
  gateway?: Partial<GatewayOptions>;
};

export const DEFAULT_USER: Readonly<SimUserOptions> = Object.freeze({
  id: '1100000000000000300',
  username: 'sim-user',
  // Shaped like a Discord user token (base64 user id . timestamp . hmac); not a secret.
  token: 'MTEwMDAwMDAwMDAwMDAwMDMwMA.GsImUl.simulator-token-0123456789abcdefghijklmno',
});

export const DEFAULT_SIMULATOR_OPTIONS: Readonly<SimulatorOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  timeScale: 1,
  users: [DEFAULT_USER],
  guildId: '1100000000000000100',
  channelId: '1100000000000000200',
  extraChannelIds: [],
  rateLimits: DEFAULT_RATE_LIMITS,
  faults: [],
  bot: {},
  createBot: undefined,
  niji: {},
  seed: 1,
  random: undefined,
  attachmentTtlMs: 86_400_000,
  gateway: Object.freeze({ heartbeatIntervalMs: 41_250, resumeWindowMs: 180_000, replayBufferSize: 1_000 }),
  requestLogLimit: 10_000,
  messageRetention: 5_000,
  attachmentRetention: 2_000,
});

function snowflake(name: string, value: unknown): void {
  if (typeof value !== 'string' || !isSnowflake(value)) {
    throw new SimulatorOptionsError(
      name,
      `expected a snowflake (17-20 digits), got ${JSON.stringify(value)}`,
    );
  }
}

function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SimulatorOptionsError(name, `expected an integer in ${min}..${max}, got ${String(value)}`);
  }
}

/** Merges `init` over the defaults and validates every field; errors name the option. */
export function resolveSimulatorOptions(init: SimulatorInit = {}): SimulatorOptions {
  const options: SimulatorOptions = {
    ...DEFAULT_SIMULATOR_OPTIONS,
    ...init,
    rateLimits: resolveRateLimits(init.rateLimits),
    gateway: { ...DEFAULT_SIMULATOR_OPTIONS.gateway, ...init.gateway },
  };
  if (typeof options.host !== 'string' || options.host === '') {
    throw new SimulatorOptionsError('host', 'expected a host name or address');
  }
  integer('port', options.port, 0, 65_535);
  if (
    !(typeof options.timeScale === 'number' && Number.isFinite(options.timeScale) && options.timeScale > 0)
  ) {
    throw new SimulatorOptionsError(
      'timeScale',
      `expected a positive number, got ${String(options.timeScale)}`,
    );
  }
  if (!Array.isArray(options.users) || options.users.length === 0) {
    throw new SimulatorOptionsError('users', 'expected at least one user');
  }
  const ids = new Set<string>();
  const tokens = new Set<string>();
  options.users.forEach((user, i) => {
    snowflake(`users[${i}].id`, user.id);
    if (typeof user.username !== 'string' || user.username.length < 2 || user.username.length > 32) {
      throw new SimulatorOptionsError(`users[${i}].username`, 'expected 2-32 characters');
    }
    if (typeof user.token !== 'string' || user.token.length < 8 || /\s/.test(user.token)) {
      throw new SimulatorOptionsError(
        `users[${i}].token`,
        'expected at least 8 characters and no whitespace',
      );
    }
    if (ids.has(user.id) || tokens.has(user.token)) {
      throw new SimulatorOptionsError(`users[${i}]`, 'duplicate id or token');
    }
    ids.add(user.id);
    tokens.add(user.token);
  });
  snowflake('guildId', options.guildId);
  snowflake('channelId', options.channelId);
  for (const [i, id] of options.extraChannelIds.entries()) snowflake(`extraChannelIds[${i}]`, id);
  for (const [i, fault] of options.faults.entries()) validateFault(fault, `faults[${i}]`);
  integer('seed', options.seed, 0, 2 ** 32 - 1);
  integer('attachmentTtlMs', options.attachmentTtlMs, 1);
  integer('gateway.heartbeatIntervalMs', options.gateway.heartbeatIntervalMs, 1);
  integer('gateway.resumeWindowMs', options.gateway.resumeWindowMs, 0);
  integer('gateway.replayBufferSize', options.gateway.replayBufferSize, 1);
  integer('requestLogLimit', options.requestLogLimit, 0);
  integer('messageRetention', options.messageRetention, 100);
  integer('attachmentRetention', options.attachmentRetention, 10);
  if (options.niji !== false && (typeof options.niji !== 'object' || options.niji === null)) {
    throw new SimulatorOptionsError('niji', 'expected niji bot options (an object) or false');
  }
  if (options.createBot !== undefined && typeof options.createBot !== 'function') {
    throw new SimulatorOptionsError('createBot', 'expected a function (world) => SimBot');
  }
  return options;
}
