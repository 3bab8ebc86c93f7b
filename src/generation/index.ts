export type { AccountGuardOptions } from './account-guard.js';
export { AccountGuard } from './account-guard.js';
export type { ActionPlan } from './actions.js';
export { indexedAction, planAction } from './actions.js';
export type { ChannelPollerOptions } from './channel-poller.js';
export { ChannelPoller } from './channel-poller.js';
export type { ChannelRouterOptions, SnapshotCoverage } from './channel-router.js';
export { ChannelRouter } from './channel-router.js';
export type {
  ChannelWatcher,
  JobEvent,
  JobSink,
  ReadFailures,
  WatchedJob,
  WatcherStats,
  WatchRegistration,
  WatchSource,
} from './channel-watcher.js';
export type { GenerationStats, MidjourneyOptions, RestApi } from './client-options.js';
export type {
  Correlation,
  CorrelationContext,
  CorrelationJob,
  InteractionEvidence,
  MatchReason,
  ObservedMessage,
} from './correlation.js';
export {
  addresseeOf,
  commandOf,
  correlate,
  fitsInteraction,
  interactionOf,
  messageRole,
  repliedToOf,
  variantGroup,
} from './correlation.js';
export {
  DailyCapReachedError,
  GenerationOptionsError,
  GeneratorClosedError,
  InferredPreModerationError,
  isDailyCapReachedError,
  isResumeUnresolvedError,
  isSubmissionUncertainError,
  isUnknownActionError,
  ResumeUnresolvedError,
  SubmissionUncertainError,
  UnknownActionError,
} from './errors.js';
export type { GatewayWatcherOptions } from './gateway-watcher.js';
export { GatewayWatcher } from './gateway-watcher.js';
export type { JobTrackerHooks, JobTrackerOptions, ResumeWatch } from './job-tracker.js';
export { JobTracker } from './job-tracker.js';
export { createMidjourney, Midjourney } from './midjourney.js';
export type { ModalAnswer, ModalRequest } from './modal-flow.js';
export type { GenerationSettings } from './options.js';
export { DEFAULT_GENERATION_SETTINGS, resolveGenerationSettings, settingsFromConfig } from './options.js';
export type { PollingWatcherOptions } from './polling-watcher.js';
export { PollingWatcher } from './polling-watcher.js';
export type { RestartAction, RestartFacts, ResumeEvidence } from './restart-rule.js';
export { restartAction, resumeEvidenceOf } from './restart-rule.js';
export { toGenerationResult } from './result.js';
export type { SendFailureAction, SendFailureFacts } from './send-rule.js';
export { sendFailureAction } from './send-rule.js';
export type { DiscordSessionOptions } from './session.js';
export { DiscordSession } from './session.js';
export type { SlotStats } from './slots.js';
export { Slots } from './slots.js';
export type { SubmitOptions, SubmitReport } from './submit.js';
export { submitInteraction } from './submit.js';
export { assertTicket, ticketProblems } from './ticket.js';
export type { Transports } from './transports.js';
export { openTransports } from './transports.js';
export type {
  ActionOptions,
  GenerationEvents,
  GenerationMode,
  GenerationResult,
  GenerationTimings,
  Generator,
  JobAction,
  JobKind,
  JobOptions,
  JobRef,
  ProgressInfo,
  ResumeOptions,
  SubmissionTicket,
} from './types.js';
