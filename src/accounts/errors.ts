/** Errors of the account pool. */
import { WorkerError } from '../errors.js';
import type { GenerationMode } from '../generation/types.js';

/**
 * No enabled account can take the job: every one is disabled, capped for the day, in another mode,
 * or the account the job asked for is unknown or disabled. Nothing was sent.
 */
export class NoAccountAvailableError extends WorkerError {
  override readonly name = 'NoAccountAvailableError';
  readonly code = 'NO_ACCOUNT_AVAILABLE';
  constructor(
    /** What the job asked for, e.g. `account "a1"`, `mode relax`, or `any account`. */
    readonly wanted: string,
    /** Why the accounts that could match cannot, one line each (`a1: disabled (credits-exhausted)`). */
    readonly reasons: readonly string[],
    /** What the job asked for, as data: the account it is pinned to, the mode. */
    readonly request: {
      readonly account?: string | undefined;
      readonly mode?: GenerationMode | undefined;
    } = {},
  ) {
    super(`No account can take the job (${wanted})${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`, {
      retryable: true,
    });
  }
}

/**
 * The account was disabled between the job's routing and its sending: the pool stops it in
 * `onSubmit`, before anything is sent, and routes it again.
 */
export class AccountDisabledError extends WorkerError {
  override readonly name = 'AccountDisabledError';
  readonly code = 'ACCOUNT_DISABLED';
  constructor(
    readonly accountId: string,
    readonly reason: string,
  ) {
    super(`Account "${accountId}" was disabled (${reason}) before the job was sent`, { retryable: true });
  }
}

/** An account id the pool does not hold (enable/disable/remove). */
export class UnknownAccountError extends WorkerError {
  override readonly name = 'UnknownAccountError';
  readonly code = 'UNKNOWN_ACCOUNT';
  constructor(readonly accountId: string) {
    super(`No account "${accountId}" in the pool`);
  }
}

export function isNoAccountAvailableError(value: unknown): value is NoAccountAvailableError {
  return value instanceof NoAccountAvailableError;
}
export function isUnknownAccountError(value: unknown): value is UnknownAccountError {
  return value instanceof UnknownAccountError;
}
