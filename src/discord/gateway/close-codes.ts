import { FATAL_CLOSE_CODES, GatewayCloseCode } from './protocol.js';

/**
 * What to do after the socket closed:
 * - `resume`: reconnect to `resume_gateway_url` and RESUME (the session is still valid);
 * - `identify`: reconnect and IDENTIFY anew (the session is gone, events in between are lost);
 * - `fatal`: stop for good, reconnecting cannot help.
 */
export type CloseAction = 'resume' | 'identify' | 'fatal';

/**
 * The close code our client sends when it drops a connection it wants to resume (zombie, op 7).
 * Discord invalidates the session when a client closes with 1000 or 1001, so any other code keeps
 * it resumable; discord.js uses 4200 for the same purpose.
 * https://discord.com/developers/docs/events/gateway#initiating-a-disconnect
 */
export const RESUMABLE_CLIENT_CLOSE_CODE = 4_200;

/** Close codes after which the session cannot be resumed, only replaced. */
const NEW_SESSION_CODES: ReadonlySet<number> = new Set([
  // Discord closed normally: the session ended on its side (discord.js re-identifies too).
  1_000,
  // We sent something before identifying / identified twice: the session state is unknown.
  GatewayCloseCode.NotAuthenticated,
  GatewayCloseCode.AlreadyAuthenticated,
  // Documented as "reconnect and start a new session".
  GatewayCloseCode.InvalidSeq,
  GatewayCloseCode.SessionTimedOut,
]);

/**
 * Decides from a close code alone. Unknown codes, 1006 (network loss), 4000-4002 and 4008
 * (rate limited) resume: if the session turns out to be gone, Discord answers the RESUME with
 * INVALID_SESSION and the client identifies then.
 * https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes
 */
export function closeAction(code: number): CloseAction {
  if (FATAL_CLOSE_CODES.has(code)) return 'fatal';
  if (NEW_SESSION_CODES.has(code)) return 'identify';
  return 'resume';
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away',
  1006: 'connection lost',
  [GatewayCloseCode.UnknownError]: 'unknown error',
  [GatewayCloseCode.UnknownOpcode]: 'unknown opcode',
  [GatewayCloseCode.DecodeError]: 'decode error',
  [GatewayCloseCode.NotAuthenticated]: 'not authenticated',
  [GatewayCloseCode.AuthenticationFailed]: 'authentication failed (token refused)',
  [GatewayCloseCode.AlreadyAuthenticated]: 'already authenticated',
  [GatewayCloseCode.InvalidSeq]: 'invalid sequence',
  [GatewayCloseCode.RateLimited]: 'rate limited',
  [GatewayCloseCode.SessionTimedOut]: 'session timed out',
  [GatewayCloseCode.InvalidShard]: 'invalid shard',
  [GatewayCloseCode.ShardingRequired]: 'sharding required',
  [GatewayCloseCode.InvalidAPIVersion]: 'invalid API version',
  [GatewayCloseCode.InvalidIntents]: 'invalid intents',
  [GatewayCloseCode.DisallowedIntents]: 'disallowed intents',
  [RESUMABLE_CLIENT_CLOSE_CODE]: 'closed by the client to resume',
};

/** `4004 authentication failed (token refused)`, for messages and debug lines. */
export function describeCloseCode(code: number): string {
  const text = DESCRIPTIONS[code];
  return text === undefined ? String(code) : `${code} ${text}`;
}
