/**
 * Buttons by name. A result's `actions` map names Midjourney's buttons (`U1`–`U4`, `V1`–`V4`,
 * `reroll`, and others the parser recognises) to their custom_ids.
 */
import type { JobKind } from '../../generation/types.js';

/** The action name on `actions` that `requested` means: exact, else case-insensitive. */
export function resolveAction(
  actions: Readonly<Record<string, string>>,
  requested: string,
): string | undefined {
  if (Object.hasOwn(actions, requested)) return requested;
  const lower = requested.toLowerCase();
  return Object.keys(actions).find((name) => name.toLowerCase() === lower);
}

/** The action name whose button has this custom_id (midjourney-proxy's `/submit/action`). */
export function actionForCustomId(
  actions: Readonly<Record<string, string>>,
  customId: string,
): string | undefined {
  return Object.entries(actions).find(([, id]) => id === customId)?.[0];
}

/**
 * What kind of job a button starts: `U<n>` an upscale, `V<n>` and the vary buttons a variation,
 * anything else (reroll, zoom, pan) a new grid, counted as a reroll.
 */
export function kindForAction(action: string): JobKind {
  if (/^U\d$/i.test(action)) return 'upscale';
  if (/^V\d$/i.test(action) || /vary|variation/i.test(action)) return 'variation';
  return 'reroll';
}
