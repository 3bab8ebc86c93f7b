/**
 * The cluster layer: what lets several worker processes on several machines share the accounts
 * of one deployment through Redis without breaking the two promises (350 ms between two calls of
 * a token, no job paid for twice). See docs/scale.md.
 */

export {
  AccountBalancer,
  type AccountBalancerEvents,
  type AccountBalancerOptions,
} from './account-balancer.js';
export {
  AccountLease,
  type AccountLeaseEvents,
  type AccountLeaseOptions,
  MAX_LEASE_TTL_MS,
} from './account-lease.js';
export {
  type AccountStateChange,
  AccountStateStore,
  type AccountStateStoreOptions,
  type StoredAccountState,
} from './account-state-store.js';
export {
  AccountLeasedError,
  AccountReleasedError,
  ClusterUnavailableError,
  HAND_BACK_CODES,
  isHandBackError,
  LeaseLostError,
} from './errors.js';
export {
  FencedSendGate,
  type FencedSendGateOptions,
  type LoggedSend,
  readSendLog,
  SEND_LOG_LENGTH,
} from './fenced-send-gate.js';
export { type ClusterKeys, clusterKeys, DEFAULT_KEY_PREFIX } from './keys.js';
export { clusterAccountIdOf, registerAccountTokens, tokenFingerprint } from './token-accounts.js';
