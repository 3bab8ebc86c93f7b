/** The bot's working state for one job, around the public SimJobRecord. */
import type { APIUser, Snowflake } from '../../discord/types.js';
import type { Rgb } from '../../util/png-images.js';
import type { AcceptedInteraction } from '../world.js';
import type { Quadrants } from './images.js';
import { jobColours } from './images.js';
import type { ParsedPrompt } from './prompt.js';
import type { BotMode, ScriptRule, SimJobKind, SimJobRecord } from './types.js';

export interface Job {
  record: SimJobRecord;
  prompt: ParsedPrompt;
  user: APIUser;
  interaction: AcceptedInteraction;
  /** Text before the mention in content: '' for /imagine, `Variations (Strong) by `... */
  label: string;
  /** A grid of four, or a single image (upscales). */
  result: 'grid' | 'image';
  /** Plain upscales (U1–U4) post their image directly, with no waiting or progress message. */
  instant: boolean;
  colours: Quadrants;
  /** The colour of a single image: the chosen quadrant of the parent grid. */
  imageColour?: Rgb;
  /** Simulated ms from the first progress edit to the result. */
  durationMs: number;
  rule?: ScriptRule;
  /** Notice details from the decision. */
  detail?: string;
  bannedWord?: string;
  /** For button jobs: the message whose button was pressed (results reply to it). */
  sourceMessageId?: Snowflake;
  progressMessageId?: Snowflake;
  /** A message carrying the interaction nonce was posted (the first reply). */
  nonceSent?: boolean;
  /** Set once the job released its slot. */
  finished: boolean;
}

/** What a new job is: its kind, prompt, content label and result shape. */
export interface JobSpec {
  kind: SimJobKind;
  prompt: ParsedPrompt;
  label: string;
  result: 'grid' | 'image';
  instant?: boolean;
  parent?: Job;
  index?: number;
}

/** Values the bot supplies for every new job. */
export interface NewJobFields {
  id: string;
  /** The bot running the job. */
  botType: SimJobRecord['botType'];
  /** The bot's current mode (a `--relax`/`--fast`/`--turbo` in the prompt wins). */
  mode: BotMode;
  now: number;
  durationMs: number;
}

export function createJob(interaction: AcceptedInteraction, spec: JobSpec, fields: NewJobFields): Job {
  const { id } = fields;
  const { payload, user } = interaction;
  const record: SimJobRecord = {
    id,
    botType: fields.botType,
    applicationId: payload.application_id,
    kind: spec.kind,
    prompt: spec.prompt.raw,
    echo: spec.prompt.echo,
    nonce: payload.nonce,
    interactionId: interaction.id,
    userId: user.id,
    channelId: payload.channel_id,
    outcome: 'success',
    state: 'received',
    mode: spec.prompt.mode ?? fields.mode,
    progress: 0,
    messageIds: [],
    createdAt: fields.now,
  };
  if (spec.parent) record.parentId = spec.parent.record.id;
  if (spec.index !== undefined) record.index = spec.index;
  const job: Job = {
    record,
    prompt: spec.prompt,
    user,
    interaction,
    label: spec.label,
    result: spec.result,
    instant: spec.instant ?? false,
    colours: jobColours(id),
    durationMs: fields.durationMs,
    finished: false,
  };
  if (spec.result === 'image') {
    const parent = spec.parent;
    const colour = parent?.imageColour ?? parent?.colours[(spec.index ?? 1) - 1];
    if (colour) job.imageColour = colour;
  }
  return job;
}
