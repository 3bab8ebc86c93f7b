export { GatewayClient } from './client.js';
export {
  type CloseAction,
  closeAction,
  describeCloseCode,
  RESUMABLE_CLIENT_CLOSE_CODE,
} from './close-codes.js';
export {
  GatewayError,
  type GatewayErrorCode,
  type GatewayErrorDetails,
  type GatewayPhase,
  isGatewayError,
} from './errors.js';
export type {
  GatewayClientEvents,
  GatewayDispatch,
  GatewayState,
  GatewayStats,
  ReconnectInfo,
} from './events.js';
export {
  DEFAULT_GATEWAY_CLIENT_OPTIONS,
  DEFAULT_IDENTIFY_OPTIONS,
  type GatewayClientInit,
  type GatewayClientOptions,
  type IdentifyOptions,
  resolveGatewayClientOptions,
} from './options.js';
export type {
  GatewayDispatchMap,
  GatewayDispatchName,
  GatewayPayload,
  HelloData,
  IdentifyData,
  InteractionEventData,
  MessageDeleteData,
  ReadyData,
  ResumeData,
} from './protocol.js';
export { FATAL_CLOSE_CODES, GatewayCloseCode, GatewayOpcode } from './protocol.js';
export { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy, reconnectDelay } from './reconnect-policy.js';
export { buildResumeUrl } from './resume-url.js';
