import { type ClientOptions, WebSocket } from 'ws';
import { DEFAULT_GATEWAY_URL } from '../../config/index.js';
import { backgroundClock, type Clock, type Random } from '../../util/clock.js';
import { invalidOption } from './errors.js';
import { type ReconnectPolicy, resolveReconnectPolicy } from './reconnect-policy.js';

/** What a user client says about itself in IDENTIFY (`properties`, `capabilities`, `presence`). */
export interface IdentifyOptions {
  /** Default `{ os: 'Windows', browser: 'Chrome', device: '' }`: what the web client sends. */
  properties: { os: string; browser: string; device: string };
  /**
   * Client capability bits. Default 8189, the value the web client and the public Midjourney
   * integrations send; it makes Discord deliver the user-account dispatch shapes.
   */
  capabilities: number;
  /** Initial presence; default none (Discord keeps the account's current status). */
  presence?: { status: string; since: number; activities: unknown[]; afk: boolean };
}

export interface GatewayClientOptions {
  /** The gateway URL, from config `gatewayUrl`. Default `wss://gateway.discord.gg/?v=10&encoding=json`. */
  url: string;
  /** The user token sent in IDENTIFY / RESUME. Required; never logged, emitted or put in errors. */
  token: string;
  /** The WebSocket implementation (a `ws` compatible class). Default `ws`'s `WebSocket`. */
  WebSocket: typeof WebSocket;
  /** Extra `ws` client options (agent, headers...). `handshakeTimeout` defaults to `connectTimeoutMs`. */
  wsOptions: ClientOptions;
  /** Time source for heartbeats, timeouts and backoff. Default: the system clock with `unref()`ed timers. */
  clock: Clock;
  /** Uniform [0, 1) source for heartbeat and backoff jitter. Default `Math.random`. */
  random: Random;
  /** IDENTIFY contents for a user account. */
  identify: IdentifyOptions;
  /** Backoff after drops. Defaults in `DEFAULT_RECONNECT_POLICY`. */
  reconnect: ReconnectPolicy;
  /** Socket open (TCP, TLS, HTTP upgrade) deadline. Default 15_000 ms. */
  connectTimeoutMs: number;
  /** From socket open to HELLO. Default 20_000 ms. */
  helloTimeoutMs: number;
  /** From IDENTIFY / RESUME sent to READY / RESUMED (a resume replays first). Default 15_000 ms. */
  readyTimeoutMs: number;
  /** How long a closing socket may take to finish the close handshake before it is destroyed. Default 1_000 ms. */
  closeTimeoutMs: number;
  /**
   * The random wait after INVALID_SESSION (d=false) before a fresh IDENTIFY, `[min, max]` ms.
   * Default `[1_000, 5_000]` as Discord documents; goes through `clock`.
   * https://discord.com/developers/docs/events/gateway#resuming
   */
  invalidSessionDelayMs: readonly [number, number];
}

export type GatewayClientInit = Partial<Omit<GatewayClientOptions, 'identify' | 'reconnect'>> & {
  token: string;
  identify?: Partial<IdentifyOptions>;
  reconnect?: Partial<ReconnectPolicy>;
};

export const DEFAULT_IDENTIFY_OPTIONS: Readonly<IdentifyOptions> = Object.freeze({
  properties: Object.freeze({ os: 'Windows', browser: 'Chrome', device: '' }),
  capabilities: 8_189,
});

export const DEFAULT_GATEWAY_CLIENT_OPTIONS: Readonly<Omit<GatewayClientOptions, 'token'>> = Object.freeze({
  url: DEFAULT_GATEWAY_URL,
  WebSocket,
  wsOptions: Object.freeze({}),
  clock: backgroundClock,
  random: Math.random,
  identify: DEFAULT_IDENTIFY_OPTIONS,
  reconnect: resolveReconnectPolicy(),
  connectTimeoutMs: 15_000,
  helloTimeoutMs: 20_000,
  readyTimeoutMs: 15_000,
  closeTimeoutMs: 1_000,
  invalidSessionDelayMs: Object.freeze([1_000, 5_000] as const),
});

function positiveMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > 600_000) {
    throw invalidOption(name, 'a number of ms in (0, 600000]', value);
  }
  return value;
}

/** Merges with the defaults and validates; every error names the option and what it accepts. */
export function resolveGatewayClientOptions(init: GatewayClientInit): GatewayClientOptions {
  // The token is checked without ever being echoed back in the message.
  if (typeof init.token !== 'string' || init.token.length === 0 || /\s/.test(init.token)) {
    throw invalidOption('token', 'a non-empty string without whitespace', '<redacted>');
  }
  const d = DEFAULT_GATEWAY_CLIENT_OPTIONS;
  const url = init.url ?? d.url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidOption('url', 'a ws: or wss: URL', url);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw invalidOption('url', 'a ws: or wss: URL', url);
  }
  const identify: IdentifyOptions = {
    ...d.identify,
    ...init.identify,
    properties: { ...d.identify.properties, ...init.identify?.properties },
  };
  if (!Number.isInteger(identify.capabilities) || identify.capabilities < 0) {
    throw invalidOption('identify.capabilities', 'an integer >= 0', identify.capabilities);
  }
  const [min, max] = init.invalidSessionDelayMs ?? d.invalidSessionDelayMs;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) {
    throw invalidOption('invalidSessionDelayMs', '[min, max] ms with 0 <= min <= max', `[${min}, ${max}]`);
  }
  return {
    url,
    token: init.token,
    WebSocket: init.WebSocket ?? d.WebSocket,
    wsOptions: init.wsOptions ?? d.wsOptions,
    clock: init.clock ?? d.clock,
    random: init.random ?? d.random,
    identify,
    reconnect: resolveReconnectPolicy(init.reconnect),
    connectTimeoutMs: positiveMs('connectTimeoutMs', init.connectTimeoutMs ?? d.connectTimeoutMs),
    helloTimeoutMs: positiveMs('helloTimeoutMs', init.helloTimeoutMs ?? d.helloTimeoutMs),
    readyTimeoutMs: positiveMs('readyTimeoutMs', init.readyTimeoutMs ?? d.readyTimeoutMs),
    closeTimeoutMs: positiveMs('closeTimeoutMs', init.closeTimeoutMs ?? d.closeTimeoutMs),
    invalidSessionDelayMs: [min, max],
  };
}
