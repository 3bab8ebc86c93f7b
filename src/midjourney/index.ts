export { actionName, actionsOf } from './actions.js';
export type { Classification, ClassifierEvent, ErrorContext, OutcomeKind } from './classifier.js';
export { classify, toError } from './classifier.js';
export type { CommandResolverEvents, CommandResolverOptions } from './commands.js';
export { CommandResolver, DEFAULT_COMMAND_RESOLVER_OPTIONS, isOutdatedCommandError } from './commands.js';
export type { BotType } from './constants.js';
export {
  BOT_TYPES,
  COMMAND_FRESH_MS,
  COMMAND_STALE_MS,
  EmbedColor,
  IMAGINE_COMMAND_NAME,
  IMAGINE_PROMPT_OPTION,
  JOB_ID_PATTERN,
  MIDJOURNEY_APPLICATION_ID,
  MIDJOURNEY_BOT_IDS,
  NIJI_APPLICATION_ID,
  OUTDATED_COMMAND_ERROR,
  PROMPT_MAX_LENGTH,
} from './constants.js';
export type { AccountNoticeReason, MidjourneyErrorCode, MidjourneyErrorContext } from './errors.js';
export {
  AccountError,
  AppealNeededError,
  CommandNotFoundError,
  CreditsExhaustedError,
  DuplicateImagesError,
  EphemeralModerationError,
  HumanCheckError,
  InvalidRequestError,
  isAccountFatal,
  isMidjourneyError,
  JobFailedError,
  JobNotFoundError,
  JobQueuedError,
  JobTimeoutError,
  MidjourneyError,
  OutputFilterError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
  UnknownOutcomeError,
} from './errors.js';
export { normalizePrompt, promptsMatch } from './normalize.js';
export type { OutcomeRule, OutcomeTraits, TextPattern } from './outcomes.js';
export { OUTCOME_RULES, OUTCOME_TRAITS } from './outcomes.js';
export type { ParameterSpec, ParameterValue, PromptParameter, SplitPrompt } from './parameters.js';
export { extractParameter, PARAMETER_SPECS, parameterSpec, splitPrompt } from './parameters.js';
export type { MessageState, ParsedEmbed, ParsedMessage, ParseOptions } from './parser.js';
export { parseMessage } from './parser.js';
export type { ComponentInteractionInput, ImagineInteractionInput } from './payloads.js';
export { buildComponentInteraction, buildImagineInteraction, randomSessionId } from './payloads.js';
export type { PrecheckOptions } from './precheck.js';
export { DEFAULT_PRECHECK_OPTIONS, findBannedWord, precheckPrompt } from './precheck.js';
