/**
 * Buttons on a result, by the names callers use (`U1`–`U4`, `V1`–`V4`, `reroll`, `vary-strong`,
 * `zoom-2x`, `pan-left`, ...; see src/midjourney/actions.ts), and what kind of job each starts.
 */
import { ValidationError } from '../errors.js';
import { UnknownActionError } from './errors.js';
import type { GenerationResult, JobAction, JobKind } from './types.js';

export interface ActionPlan {
  kind: JobKind;
  customId: string;
  /** For upscales: the image (1–4) whose result is "Image #n". */
  imageIndex?: number;
}

/** Resolves `action` on `source` to its button, or throws UnknownActionError listing what exists. */
export function planAction(source: GenerationResult, action: JobAction): ActionPlan {
  const customId = source.actions[action];
  if (typeof customId !== 'string' || customId === '') {
    throw new UnknownActionError(String(action), Object.keys(source.actions));
  }
  const upscale = /^U([1-4])$/.exec(action);
  if (upscale) return { kind: 'upscale', customId, imageIndex: Number(upscale[1]) };
  if (action === 'reroll') return { kind: 'reroll', customId };
  // V1–V4, vary, zoom and pan all answer with a new grid, as a variation does.
  return { kind: 'variation', customId };
}

/** `U<n>` / `V<n>` for an image index, refusing anything but 1–4. */
export function indexedAction(prefix: 'U' | 'V', index: number): JobAction {
  if (!Number.isInteger(index) || index < 1 || index > 4) {
    throw new ValidationError(`Invalid ${prefix === 'U' ? 'upscale' : 'variation'} index`, [
      `index: expected an integer from 1 to 4, got ${String(index)}`,
    ]);
  }
  return `${prefix}${index}`;
}
