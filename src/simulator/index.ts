/** The simulator's public API: `midjourney-worker/simulator`. */
export type {
  AccountState,
  BotMode,
  EvidenceOptions,
  JobOutcome,
  MessageEvidence,
  MidjourneyBot,
  MidjourneyBotFaults,
  MidjourneyBotOptions,
  ScriptRule,
  SimBotType,
  SimJobKind,
  SimJobRecord,
  SimJobState,
} from './bot/index.js';
export { createMidjourneyBot, DEFAULT_EVIDENCE, seedOf } from './bot/index.js';
export {
  HELPER_APPLICATION_ID,
  MIDJOURNEY_IMAGINE_ID,
  MIDJOURNEY_IMAGINE_VERSION,
  NIJI_APPLICATION_ID,
  NIJI_IMAGINE_ID,
  NIJI_IMAGINE_VERSION,
} from './command-registry.js';
export { DiscordWorld, discordTimestamp } from './discord-world.js';
export { isSimulatorOptionsError, SimulatorOptionsError, SimulatorUnknownChannelError } from './errors.js';
export type {
  CloudflareFault,
  DelayFault,
  GatewayDropFault,
  GatewayFault,
  GatewayNoAckFault,
  GatewayReconnectFault,
  HttpFault,
  MalformedJsonFault,
  ResetFault,
  SimFault,
  StatusFault,
} from './faults/types.js';
export { ACKNOWLEDGE_DEADLINE_MS } from './interaction-delivery.js';
export type { GatewayOptions, SimUserOptions, SimulatorInit, SimulatorOptions } from './options.js';
export { DEFAULT_SIMULATOR_OPTIONS, DEFAULT_USER, resolveSimulatorOptions } from './options.js';
export type { RateLimitInit, RateLimitOptions, RouteLimit, SharedLimit } from './rate-limit/options.js';
export { DEFAULT_RATE_LIMITS } from './rate-limit/options.js';
export { bucketHash } from './rate-limit/sim-rate-limiter.js';
export type { RequestLogEntry } from './request-log.js';
export {
  MAX_SIM_ACCOUNTS,
  type SimAccount,
  type SimAccounts,
  simAccounts,
  simAccountsFile,
} from './sim-accounts.js';
export {
  DEFAULT_SIMULATED_TIME_SCALE,
  openSimulatedClient,
  type SimulatedClient,
  type SimulatedClientOptions,
} from './simulated-client.js';
export type { StartSimulatorOptions } from './simulator.js';
export { startSimulator } from './simulator.js';
export type {
  Simulator,
  SimulatorCommands,
  SimulatorFaults,
  SimulatorRateLimits,
  SimulatorStats,
} from './simulator-api.js';
export type {
  AcceptedInteraction,
  BotMessageDraft,
  SimBot,
  SimClock,
  SimWorld,
} from './world.js';
