import { WorkerError } from '../../errors.js';

export type GatewayErrorCode =
  /** Discord closed with 4004: the token was refused. Fatal, never retried. */
  | 'GATEWAY_AUTH_FAILED'
  /** Opening the socket, waiting for HELLO, or waiting for READY/RESUMED took too long. */
  | 'GATEWAY_TIMEOUT'
  /** The connection closed before the session was ready, or for good (a fatal close code). */
  | 'GATEWAY_CLOSED'
  /** The socket could not be opened at all (refused, DNS, TLS, HTTP status instead of upgrade). */
  | 'GATEWAY_CONNECT_FAILED'
  /** Every reconnect attempt the policy allows has failed. */
  | 'GATEWAY_RECONNECT_EXHAUSTED'
  /** Discord sent a frame that is not a gateway payload. */
  | 'GATEWAY_DECODE_FAILED'
  /** An option is missing or out of range, or a method was called in the wrong state. */
  | 'GATEWAY_INVALID_USE';

/** Where a connection attempt was when it timed out. */
export type GatewayPhase = 'open' | 'hello' | 'ready';

export interface GatewayErrorDetails {
  cause?: unknown;
  retryable?: boolean;
  /** The WebSocket close code that caused the error, when there was one. */
  closeCode?: number;
  /** The handshake phase that timed out. */
  phase?: GatewayPhase;
  /** The option at fault, for `GATEWAY_INVALID_USE`. */
  option?: string;
  /** Reconnect attempts made, for `GATEWAY_RECONNECT_EXHAUSTED`. */
  attempts?: number;
}

/**
 * Everything the gateway client throws or emits. Messages and fields never carry the token: the
 * error is built from codes and phases only.
 */
export class GatewayError extends WorkerError {
  override readonly name = 'GatewayError';
  readonly code: GatewayErrorCode;
  readonly closeCode: number | undefined;
  readonly phase: GatewayPhase | undefined;
  readonly option: string | undefined;
  readonly attempts: number | undefined;

  constructor(code: GatewayErrorCode, message: string, details: GatewayErrorDetails = {}) {
    const base: { cause?: unknown; retryable?: boolean } = {};
    if (details.cause !== undefined) base.cause = details.cause;
    if (details.retryable !== undefined) base.retryable = details.retryable;
    super(`GatewayError[${code}] ${message}`, base);
    this.code = code;
    this.closeCode = details.closeCode;
    this.phase = details.phase;
    this.option = details.option;
    this.attempts = details.attempts;
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** A bad option, named with the accepted range. */
export function invalidOption(option: string, expected: string, got: unknown): GatewayError {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  return new GatewayError('GATEWAY_INVALID_USE', `option ${option}: expected ${expected}, got ${shown}`, {
    option,
  });
}
