/**
 * One answer to "what kind of failure is this?", shared by `mjw imagine` (its exit code), the
 * batch runner (the outcome name and `--retry`) and the service (the outcome and the circuit
 * breaker). Pure: it reads the stable `code` (and `status`, `retryable`) every error of this
 * package carries, never wording, and not class identity, so an error from another copy of the
 * package or a test double classifies the same.
 *
 * The rule, in order:
 *  1. a Midjourney outcome: a code of MidjourneyErrorCode on an error that names its prompt;
 *  2. a Discord failure: any `DISCORD_*` code (the REST family, including codes added to it later),
 *     any `GATEWAY_*` code, and the REST family's other codes (`RATE_LIMITED`, `TOKEN_INVALID`,
 *     `CLOUDFLARE_BLOCKED`, `INVALID_REQUEST_LIMIT`), and the raw socket errors of undici and
 *     node:net should one ever escape the client;
 *  3. cancelled: an `AbortError` / `TimeoutError` (the caller's signal, a closed client);
 *  4. invalid input: `VALIDATION_FAILED`;
 *  5. anything else is local.
 *
 * For Discord failures `health` says what the error shows about Discord: `fatal` (the token is
 * refused), `answered` (Discord answered and refused the request: it works), `transport` (5xx,
 * network, timeout, 429s, Cloudflare), `neutral` (a misuse of the gateway client).
 */
import type { MidjourneyErrorCode } from './midjourney/errors.js';

export type ErrorFamily = 'midjourney' | 'discord' | 'aborted' | 'invalid-input' | 'local';

export type DiscordHealth = 'fatal' | 'answered' | 'transport' | 'neutral';

export interface ErrorKind {
  family: ErrorFamily;
  /** For `discord` only: what the failure says about Discord's health. */
  health?: DiscordHealth;
  /** The error's own `code`, else `ABORTED` or `ERROR`. */
  code: string;
  /** The error's own `retryable` (false when it has none). */
  retryable: boolean;
}

/** Every Midjourney outcome code; the Record makes a new code a compile error here until added. */
const MIDJOURNEY_CODES: Readonly<Record<MidjourneyErrorCode, true>> = {
  PRE_MODERATION: true,
  POST_MODERATION: true,
  EPHEMERAL_MODERATION: true,
  INVALID_REQUEST: true,
  QUEUE_FULL: true,
  JOB_QUEUED: true,
  APPEAL_NEEDED: true,
  CREDITS_EXHAUSTED: true,
  ACCOUNT_NOTICE: true,
  HUMAN_CHECK: true,
  OUTPUT_FILTER: true,
  JOB_FAILED: true,
  DUPLICATE_IMAGES: true,
  UNKNOWN_OUTCOME: true,
  JOB_TIMEOUT: true,
  JOB_NOT_FOUND: true,
};

/** The codes of src/discord/rest/errors.ts that do not start with `DISCORD_`. */
const OTHER_DISCORD_CODES: ReadonlySet<string> = new Set([
  'RATE_LIMITED',
  'TOKEN_INVALID',
  'CLOUDFLARE_BLOCKED',
  'INVALID_REQUEST_LIMIT',
]);

/** Codes that mean the token was refused: nothing will work until it is replaced. */
const FATAL_CODES: ReadonlySet<string> = new Set(['TOKEN_INVALID', 'GATEWAY_AUTH_FAILED']);

/** undici (`UND_ERR_*`) and node:net codes of a connection that failed. */
const SOCKET_CODE = /^(UND_ERR|E(CONN|TIMEDOUT|PIPE|AI_|HOSTUNREACH|NETUNREACH))/;

export function isMidjourneyCode(code: unknown): code is MidjourneyErrorCode {
  return typeof code === 'string' && Object.hasOwn(MIDJOURNEY_CODES, code);
}

/** Whether `code` belongs to the Discord transport (REST or gateway). */
export function isDiscordCode(code: unknown): boolean {
  return (
    typeof code === 'string' &&
    (code.startsWith('DISCORD_') || code.startsWith('GATEWAY_') || OTHER_DISCORD_CODES.has(code))
  );
}

function discordHealth(code: string, status: unknown): DiscordHealth {
  if (FATAL_CODES.has(code) || (code === 'DISCORD_API_ERROR' && status === 401)) return 'fatal';
  if (code === 'GATEWAY_INVALID_USE') return 'neutral';
  // A JSON 4xx is Discord refusing the request: the service is up. A 5xx, or a 4xx from a proxy, is not.
  if (code === 'DISCORD_API_ERROR' && typeof status === 'number' && status < 500) return 'answered';
  return 'transport';
}

/** Classifies any thrown value. */
export function classifyError(error: unknown): ErrorKind {
  if (!(error instanceof Error)) return { family: 'local', code: 'ERROR', retryable: false };
  const fields = error as Error & { code?: unknown; status?: unknown; retryable?: unknown };
  const retryable = fields.retryable === true;
  const code = typeof fields.code === 'string' && fields.code !== '' ? fields.code : undefined;
  if (code !== undefined && isMidjourneyCode(code) && 'prompt' in error) {
    return { family: 'midjourney', code, retryable };
  }
  if (code !== undefined && isDiscordCode(code)) {
    return { family: 'discord', health: discordHealth(code, fields.status), code, retryable };
  }
  if (code !== undefined && SOCKET_CODE.test(code)) {
    return { family: 'discord', health: 'transport', code, retryable };
  }
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return { family: 'aborted', code: code ?? 'ABORTED', retryable: false };
  }
  if (code === 'VALIDATION_FAILED') return { family: 'invalid-input', code, retryable };
  return { family: 'local', code: code ?? 'ERROR', retryable };
}

/** Whether the error comes from talking to Discord (REST, gateway, the socket under them). */
export function isDiscordFailure(error: unknown): boolean {
  return classifyError(error).family === 'discord';
}
