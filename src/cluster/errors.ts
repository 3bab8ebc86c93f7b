/**
 * Errors of the cluster layer: ownership that was lost or could not be proven. Each one means
 * "stop driving this": the work is not lost, another worker that holds the lease takes it over.
 */
import { WorkerError } from '../errors.js';

/**
 * The account lease this worker held has expired or passed to another worker (its fencing token
 * is no longer the current one). Nothing was sent under it; the caller must stop driving the account.
 */
export class LeaseLostError extends WorkerError {
  override readonly name = 'LeaseLostError';
  readonly code = 'LEASE_LOST';
  constructor(
    readonly accountId: string,
    readonly fence: number,
  ) {
    super(`Account ${accountId}: lease with fencing token ${fence} is no longer held; nothing was sent`);
  }
}

/** Redis could not be reached or answered an error while proving ownership: retry later. */
export class ClusterUnavailableError extends WorkerError {
  override readonly name = 'ClusterUnavailableError';
  readonly code = 'CLUSTER_UNAVAILABLE';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/**
 * Another member of the cluster (a worker, or another command) holds the account's lease, so this
 * process must not drive the account: two drivers of one token would break its 350 ms spacing.
 * Nothing was sent. Retryable: the lease frees when its holder ends (or its TTL runs out).
 */
export class AccountLeasedError extends WorkerError {
  override readonly name = 'AccountLeasedError';
  readonly code = 'ACCOUNT_LEASED';
  constructor(
    readonly accountId: string,
    /** The holder's id (`<host>:<pid>:<random>` for a worker); undefined when it let go meanwhile. */
    readonly holder: string | undefined,
  ) {
    super(
      `Account ${accountId} is driven by ${holder === undefined ? 'another member of the cluster' : `cluster member ${holder}`} (its lease in Redis is held); two drivers of one token would break its 350 ms request spacing: stop that worker or wait for it to hand the account back, then try again; nothing was sent`,
      { retryable: true },
    );
  }
}

/**
 * The worker handed the account on (rebalancing took longer than the drain allowed, or the worker
 * stops): the job is handed back to the cluster as it stands; nothing more is sent for it here.
 */
export class AccountReleasedError extends WorkerError {
  override readonly name = 'AccountReleasedError';
  readonly code = 'ACCOUNT_RELEASED';
  constructor(
    readonly accountId: string,
    readonly reason: 'lost' | 'shed' | 'stopped',
  ) {
    super(`Account ${accountId}: handed on by this worker (${reason}); its jobs go back to the cluster`, {
      retryable: true,
    });
  }
}

/** Codes of the errors that mean "this worker stopped driving the account", not a job outcome. */
export const HAND_BACK_CODES: ReadonlySet<string> = new Set([
  'LEASE_LOST',
  'CLUSTER_UNAVAILABLE',
  'ACCOUNT_RELEASED',
]);

/** Whether `error`, or any error in its `cause` chain, is one of HAND_BACK_CODES. */
export function isHandBackError(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 8; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && HAND_BACK_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
