/**
 * The modals the simulated bot answers buttons with, with Midjourney's custom ids (see
 * /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 7):
 *  - Remix mode on, Vary / Reroll: `MJ::RemixModal::<uuid>::<i>::<0|1>`, input `MJ::RemixModal::new_prompt`;
 *  - Custom Zoom: `MJ::OutpaintCustomZoomModal::<uuid>`, input `MJ::OutpaintCustomZoomModal::prompt`
 *    prefilled with the prompt and `--zoom 2`;
 *  - a describe prompt: `MJ::Picreader::Modal::<n>`, input `MJ::Picreader::Modal::PromptField`;
 *  - a shortened prompt: `MJ::ImagineModal::<messageId>`, input `MJ::ImagineModal::new_prompt`;
 *  - Vary (Region): an iframe modal `MJ::iframe::<token>` (the editor posts the mask and prompt to
 *    `/inpaint/api/submit-job` on the application's discordsays.com host).
 */
import type { ModalCreateData, ModalTextInput } from '../../discord/gateway/protocol.js';
import type { ModalSubmitInteractionPayload, Snowflake } from '../../discord/types.js';
import type { ButtonAction } from './custom-id.js';
import type { Job } from './job.js';

/** What the modal, once submitted, starts. */
export type PendingModal =
  | {
      kind: 'remix';
      action: Extract<ButtonAction, { kind: 'variation' | 'reroll' | 'pan' }>;
      parent: Job;
      sourceMessageId: Snowflake;
    }
  | { kind: 'zoom'; parent: Job; sourceMessageId: Snowflake }
  | { kind: 'imagine'; sourceMessageId: Snowflake };

/** A modal as the bot opens it (the world adds id, nonce and application). */
export type ModalDraft = Pick<ModalCreateData, 'custom_id' | 'title' | 'components'>;

function textModal(
  customId: string,
  title: string,
  inputId: string,
  label: string,
  value: string,
): ModalDraft {
  const input: ModalTextInput = { type: 4, custom_id: inputId, label, style: 2, value, required: true };
  return { custom_id: customId, title, components: [{ type: 1, components: [input] }] };
}

export function remixModal(jobId: string, index: number, solo: boolean, prompt: string): ModalDraft {
  return textModal(
    `MJ::RemixModal::${jobId}::${index}::${solo ? 1 : 0}`,
    'Remix Prompt',
    'MJ::RemixModal::new_prompt',
    'New prompt for image',
    prompt,
  );
}

export function customZoomModal(jobId: string, prompt: string): ModalDraft {
  return textModal(
    `MJ::OutpaintCustomZoomModal::${jobId}`,
    'Zoom Out',
    'MJ::OutpaintCustomZoomModal::prompt',
    'Zoom out prompt',
    `${prompt} --zoom 2`,
  );
}

export function imaginePromptModal(
  source: 'describe' | 'shorten',
  index: number,
  messageId: Snowflake,
  prompt: string,
): ModalDraft {
  return source === 'describe'
    ? textModal(
        `MJ::Picreader::Modal::${index}`,
        'Imagine This!',
        'MJ::Picreader::Modal::PromptField',
        'Prompt',
        prompt,
      )
    : textModal(
        `MJ::ImagineModal::${messageId}`,
        'Imagine This!',
        'MJ::ImagineModal::new_prompt',
        'Prompt',
        prompt,
      );
}

/** The text of the submitted modal's first input (every Midjourney modal has one). */
export function submittedText(payload: ModalSubmitInteractionPayload): string {
  for (const row of payload.data.components ?? []) {
    for (const input of row.components ?? []) {
      if (typeof input.value === 'string') return input.value;
    }
  }
  return '';
}

/** `--zoom <n>` of a Custom Zoom prompt: a number in 1..2, else undefined. */
export function zoomOf(prompt: string): number | undefined {
  const match = /(?:^|\s)--zoom\s+(\d+(?:\.\d+)?)(?=\s|$)/.exec(prompt);
  const value = match ? Number(match[1]) : Number.NaN;
  return value >= 1 && value <= 2 ? value : undefined;
}
