/**
 * The buttons Midjourney puts under its results, with its `custom_id` formats
 * (see /work/shared/MIDJOURNEY.md, "Attachments and buttons").
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  ButtonStyle,
  ComponentType,
} from '../../discord/types.js';

function button(custom_id: string, label: string, style: number = ButtonStyle.Secondary): APIButtonComponent {
  return { type: ComponentType.Button, style, custom_id, label };
}

function emojiButton(custom_id: string, emoji: string): APIButtonComponent {
  return { type: ComponentType.Button, style: ButtonStyle.Secondary, custom_id, emoji: { name: emoji } };
}

function row(...components: APIButtonComponent[]): APIActionRowComponent {
  return { type: ComponentType.ActionRow, components };
}

/** U1–U4 and reroll, then V1–V4, under a grid. */
export function gridComponents(jobId: string): APIActionRowComponent[] {
  const indexes = [1, 2, 3, 4] as const;
  return [
    row(
      ...indexes.map((i) => button(`MJ::JOB::upsample::${i}::${jobId}`, `U${i}`)),
      emojiButton(`MJ::JOB::reroll::0::${jobId}::SOLO`, '🔄'),
    ),
    row(...indexes.map((i) => button(`MJ::JOB::variation::${i}::${jobId}`, `V${i}`))),
  ];
}

/** Upscale, vary, zoom and pan buttons under a single upscaled image. */
export function upscaleComponents(jobId: string): APIActionRowComponent[] {
  return [
    row(
      button(`MJ::JOB::upsample_v6_2x_subtle::1::${jobId}::SOLO`, 'Upscale (Subtle)'),
      button(`MJ::JOB::upsample_v6_2x_creative::1::${jobId}::SOLO`, 'Upscale (Creative)'),
    ),
    row(
      button(`MJ::JOB::low_variation::1::${jobId}::SOLO`, 'Vary (Subtle)'),
      button(`MJ::JOB::high_variation::1::${jobId}::SOLO`, 'Vary (Strong)'),
      button(`MJ::Inpaint::1::${jobId}::SOLO`, 'Vary (Region)'),
    ),
    row(
      button(`MJ::Outpaint::50::1::${jobId}::SOLO`, 'Zoom Out 2x'),
      button(`MJ::Outpaint::75::1::${jobId}::SOLO`, 'Zoom Out 1.5x'),
      button(`MJ::CustomZoom::${jobId}`, 'Custom Zoom'),
    ),
    row(
      emojiButton(`MJ::JOB::pan_left::1::${jobId}::SOLO`, '⬅️'),
      emojiButton(`MJ::JOB::pan_right::1::${jobId}::SOLO`, '➡️'),
      emojiButton(`MJ::JOB::pan_up::1::${jobId}::SOLO`, '⬆️'),
      emojiButton(`MJ::JOB::pan_down::1::${jobId}::SOLO`, '⬇️'),
      {
        type: ComponentType.Button,
        style: ButtonStyle.Link,
        label: 'Web',
        url: `https://www.midjourney.com/jobs/${jobId}`,
      },
    ),
  ];
}

export function appealComponents(jobId: string): APIActionRowComponent[] {
  return [row(button(`MJ::Prompts::Appeal::${jobId}`, 'Appeal', ButtonStyle.Primary))];
}

/** The human check: picture categories to choose from, and the iframe challenge. */
export function captchaComponents(hash: string): APIActionRowComponent[] {
  const labels = ['Bicycle', 'Boat', 'Bus', 'Car', 'Train'];
  return [
    row(...labels.map((label, i) => button(`MJ::Captcha::${i}::${hash}`, label))),
    row(button(`MJ::iframe::${hash}`, 'Verify in browser', ButtonStyle.Primary)),
  ];
}
