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
