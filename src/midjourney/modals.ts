/**
 * Buttons Midjourney answers with a modal, and the modal submit (interaction type 5) that answers
 * it (see /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 7). Pure.
 *
 *  - Custom Zoom `MJ::CustomZoom::<uuid>` -> `MJ::OutpaintCustomZoomModal::<uuid>`, input `::prompt`;
 *  - Remix mode on, Vary / Reroll -> `MJ::RemixModal::<uuid>::<i>::<0|1>`, input `::new_prompt`;
 *  - describe's `MJ::Job::PicReader::<n>` -> `MJ::Picreader::Modal::<n>`, input `::PromptField`;
 *  - shorten's `MJ::Job::PromptAnalyzer::<n>` -> `MJ::ImagineModal::<id>`, input `::new_prompt`;
 *  - Vary (Region) `MJ::Inpaint::1::<uuid>::SOLO` -> an iframe modal `MJ::iframe::<token>`: the
 *    editor posts `{customId: <token>, mask, prompt}` to the application's inpaint URL.
 *
 * The modal's ids are copied from INTERACTION_MODAL_CREATE, never guessed: `data.id` is the modal's
 * id (the id of the interaction that opened it), `data.custom_id` its custom id.
 */
import { DEFAULT_INPAINT_URL } from '../config/index.js';
import type { ModalCreateData } from '../discord/gateway/protocol.js';
import type { ModalSubmitInteractionPayload, ModalTextValue, Snowflake } from '../discord/types.js';
import { ValidationError } from '../errors.js';
import { generateSnowflake, isSnowflake } from '../util/snowflake.js';
import { ModalRequiredError } from './modal-errors.js';

/** Where Midjourney's Vary (Region) editor submits (its discordsays.com activity); the config module owns the default. */
export { DEFAULT_INPAINT_URL };

/** Buttons that always answer with a modal (Remix mode turns Vary and Reroll into such buttons too). */
const MODAL_BUTTONS: readonly RegExp[] = [
  /^MJ::CustomZoom::/,
  /^MJ::Inpaint::/,
  /^MJ::Job::PicReader::[1-5]$/,
  /^MJ::Job::PromptAnalyzer::[1-5]$/,
];

export function opensModal(customId: string): boolean {
  return MODAL_BUTTONS.some((pattern) => pattern.test(customId));
}

/** Vary (Region): the editor needs a mask. */
export function needsMask(customId: string): boolean {
  return /^MJ::Inpaint::/.test(customId);
}

/** A modal input that holds the prompt (every Midjourney modal has exactly one). */
export function isPromptField(customId: string): boolean {
  return /(?:new_prompt|::prompt|PromptField)$/i.test(customId);
}

/** What the caller gives for a modal: the prompt, and any input by its custom id. */
export interface ModalValues {
  prompt?: string | undefined;
  fields?: Readonly<Record<string, string>> | undefined;
}

export interface FilledModal {
  components: ModalSubmitInteractionPayload['data']['components'];
  /** The value of the prompt input, when the modal has one (what Midjourney will echo). */
  prompt?: string;
}

/**
 * Every input of the modal with its value: `fields[custom_id]`, else the caller's prompt for the
 * prompt input, else the value Midjourney prefilled. A required input left empty is a
 * ModalRequiredError naming it: nothing is submitted.
 */
export function fillModal(modal: ModalCreateData, values: ModalValues): FilledModal {
  const missing: string[] = [];
  let prompt: string | undefined;
  const components = (modal.components ?? []).map((row) => ({
    type: 1 as const,
    components: (row.components ?? []).map((input): ModalTextValue => {
      const given =
        values.fields?.[input.custom_id] ?? (isPromptField(input.custom_id) ? values.prompt : undefined);
      const value = given ?? input.value ?? '';
      if (value.trim() === '' && input.required !== false) missing.push(input.custom_id);
      if (isPromptField(input.custom_id)) prompt = value;
      return { type: 4, custom_id: input.custom_id, value };
    }),
  }));
  if (missing.length > 0) {
    throw new ModalRequiredError({
      customId: modal.custom_id,
      title: modal.title,
      fields: missing,
      message: `Midjourney answered with the "${modal.title ?? modal.custom_id}" form; give a value for ${missing.join(', ')} (option prompt or fields)`,
    });
  }
  return prompt === undefined ? { components } : { components, prompt };
}

export interface ModalSubmitInput {
  applicationId: Snowflake;
  guildId?: Snowflake;
  channelId: Snowflake;
  sessionId: string;
  /** The modal as INTERACTION_MODAL_CREATE showed it. */
  modal: Pick<ModalCreateData, 'id' | 'custom_id'>;
  components: ModalSubmitInteractionPayload['data']['components'];
  nonce?: Snowflake;
}

export function buildModalSubmit(input: ModalSubmitInput): ModalSubmitInteractionPayload {
  const problems: string[] = [];
  if (!isSnowflake(input.applicationId ?? '')) problems.push('applicationId: not a snowflake');
  if (!isSnowflake(input.channelId ?? '')) problems.push('channelId: not a snowflake');
  if (input.guildId !== undefined && !isSnowflake(input.guildId)) problems.push('guildId: not a snowflake');
  if (!isSnowflake(input.modal?.id ?? '')) problems.push('modal.id: not a snowflake');
  if (typeof input.modal?.custom_id !== 'string' || input.modal.custom_id === '') {
    problems.push('modal.custom_id: must not be empty');
  }
  if (typeof input.sessionId !== 'string' || input.sessionId.trim() === '') {
    problems.push('sessionId: must not be empty');
  }
  if (problems.length > 0) throw new ValidationError('Cannot build the modal submit', problems);
  const payload: ModalSubmitInteractionPayload = {
    type: 5,
    application_id: input.applicationId,
    channel_id: input.channelId,
    session_id: input.sessionId,
    nonce: input.nonce ?? generateSnowflake(),
    data: { id: input.modal.id, custom_id: input.modal.custom_id, components: input.components },
  };
  if (input.guildId !== undefined) payload.guild_id = input.guildId;
  return payload;
}

/** The token of an iframe modal (`MJ::iframe::<token>`), what the inpaint editor submits as `customId`. */
export function iframeToken(customId: string): string | undefined {
  return /^MJ::iframe::([\w-]+)$/.exec(customId)?.[1];
}

/** The JSON Vary (Region)'s editor posts: the mask as base64 PNG without a `data:` prefix. */
export function inpaintBody(token: string, maskPng: Uint8Array, prompt: string | undefined): string {
  return JSON.stringify({
    customId: token,
    mask: Buffer.from(maskPng).toString('base64'),
    prompt: prompt ?? '',
    userId: '0',
    username: '0',
    full_prompt: null,
  });
}
