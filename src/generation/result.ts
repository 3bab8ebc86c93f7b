/**
 * Builds the `GenerationResult` a caller gets from the result message Midjourney posted.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import type { BotType } from '../midjourney/constants.js';
import type { ParsedMessage } from '../midjourney/parser.js';
import type { GenerationResult, JobKind } from './types.js';

export interface ResultInput {
  kind: JobKind;
  prompt: string;
  channelId: Snowflake;
  message: APIMessage;
  parsed: ParsedMessage;
  submittedAt: number;
  startedAt: number | undefined;
  /** When the result message was recognised. */
  completedAt: number;
  /** The bot that ran the job. Default `midjourney`. */
  botType?: BotType;
}

export function toGenerationResult(input: ResultInput): GenerationResult {
  const { parsed, message } = input;
  const imageUrls =
    parsed.imageUrls.length > 0 ? [...parsed.imageUrls] : parsed.imageUrl ? [parsed.imageUrl] : [];
  const result: GenerationResult = {
    kind: input.kind,
    // The UUID names the job at Midjourney; a result without one (never seen so far) keeps its message id.
    jobId: parsed.jobId ?? message.id,
    messageId: message.id,
    channelId: input.channelId,
    prompt: input.prompt,
    echoedPrompt: parsed.prompt ?? input.prompt,
    imageUrl: parsed.imageUrl ?? imageUrls[0] ?? '',
    imageUrls,
    actions: { ...parsed.actions },
    messageFlags: message.flags ?? parsed.flags,
    botType: input.botType ?? 'midjourney',
    timings: {
      submittedAt: input.submittedAt,
      completedAt: input.completedAt,
      durationMs: input.completedAt - input.submittedAt,
    },
  };
  if (parsed.mode !== undefined) result.mode = parsed.mode;
  if (input.startedAt !== undefined) result.timings.startedAt = input.startedAt;
  return result;
}
