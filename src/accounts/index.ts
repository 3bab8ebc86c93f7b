export { AccountPool, type AccountPoolOptions } from './account-pool.js';
export {
  AccountDisabledError,
  isNoAccountAvailableError,
  isUnknownAccountError,
  NoAccountAvailableError,
  UnknownAccountError,
} from './errors.js';
export {
  type AccountPoolFromConfigOptions,
  accountClientOptions,
  accountPoolFromConfig,
  poolAccountInit,
} from './from-config.js';
export {
  type AccountEffect,
  decideOutcome,
  OUTCOME_TABLE,
  type OutcomeDecision,
  type OutcomeFacts,
} from './outcome-policy.js';
export {
  type AccountSnapshot,
  couldServe,
  pickAccount,
  type RouteRequest,
  servable,
} from './routing.js';
export type {
  AccountChange,
  AccountDirectory,
  AccountDisabledReason,
  AccountGenerator,
  AccountPoolEvents,
  AccountState,
  AccountView,
  PoolAccountInit,
} from './types.js';
