/**
 * Button custom_ids -> action names. Midjourney's ids look like `MJ::JOB::upsample::2::<uuid>`;
 * callers press buttons by a stable name (`U2`, `vary-strong`, `zoom-2x`) instead.
 */
import type { APIActionRowComponent } from '../discord/types.js';

interface ActionPattern {
  pattern: RegExp;
  /** The action name; `$1` is replaced by the first capture. */
  name: string;
}

// One row per button family seen on Midjourney results (see /work/shared/MIDJOURNEY.md).
const ACTION_PATTERNS: readonly ActionPattern[] = [
  { pattern: /^MJ::JOB::upsample::([1-4])::/, name: 'U$1' },
  { pattern: /^MJ::JOB::variation::([1-4])::/, name: 'V$1' },
  { pattern: /^MJ::JOB::reroll::/, name: 'reroll' },
  { pattern: /^MJ::JOB::high_variation::/, name: 'vary-strong' },
  { pattern: /^MJ::JOB::low_variation::/, name: 'vary-subtle' },
  { pattern: /^MJ::Inpaint::/, name: 'vary-region' },
  { pattern: /^MJ::Outpaint::50::/, name: 'zoom-2x' },
  { pattern: /^MJ::Outpaint::75::/, name: 'zoom-1.5x' },
  { pattern: /^MJ::CustomZoom::/, name: 'zoom-custom' },
  { pattern: /^MJ::JOB::pan_(left|right|up|down)::/, name: 'pan-$1' },
  { pattern: /^MJ::JOB::upsample_v\d+(?:r\d+)?_(?:\dx_)?(subtle|creative)::/, name: 'upscale-$1' },
  { pattern: /^MJ::JOB::upsample_v\d+(?:r\d+)?_(\dx)::/, name: 'upscale-$1' },
  { pattern: /^MJ::BOOKMARK::/, name: 'bookmark' },
  { pattern: /^MJ::Prompts::Appeal::/, name: 'appeal' },
  { pattern: /^MJ::(?:Captcha|iframe)/i, name: 'human-check' },
];

/** The action name for one custom_id; unknown ids keep their verb (`MJ::JOB::<verb>::...`) or themselves. */
export function actionName(customId: string): string {
  for (const { pattern, name } of ACTION_PATTERNS) {
    const match = pattern.exec(customId);
    if (match) return name.replace('$1', match[1] ?? '');
  }
  const verb = /^MJ::JOB::([^:]+)::/.exec(customId)?.[1];
  return verb ?? customId;
}

/**
 * Every button with a custom_id, by action name (link buttons have none and are skipped).
 * Components of other shapes (select menus, V2 layouts, anything unexpected) are skipped too.
 */
export function actionsOf(components: readonly APIActionRowComponent[] | undefined): Record<string, string> {
  const actions: Record<string, string> = {};
  for (const row of Array.isArray(components) ? (components as unknown[]) : []) {
    const children: unknown =
      typeof row === 'object' && row !== null ? (row as { components?: unknown }).components : undefined;
    for (const button of Array.isArray(children) ? (children as unknown[]) : []) {
      const id: unknown =
        typeof button === 'object' && button !== null
          ? (button as { custom_id?: unknown }).custom_id
          : undefined;
      if (typeof id !== 'string' || id === '') continue;
      const name = actionName(id);
      // The first button of a name wins: the result's own buttons come before any extras.
      if (!(name in actions)) actions[name] = id;
    }
  }
  return actions;
}
