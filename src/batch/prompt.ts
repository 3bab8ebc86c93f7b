/** One validated line of a batch input: what the runner schedules. */
import type { JobAction } from '../generation/types.js';
import type { BotType } from '../midjourney/constants.js';

export interface BatchPrompt {
  /** Stable across runs: given in the input, else derived from the line number and the prompt. */
  id: string;
  prompt: string;
  /** Buttons pressed on the /imagine grid once it is done, in order (`U1`, `V2`, `reroll`, ...). */
  actions: JobAction[];
  /** The bot the prompt's `/imagine` goes to (its buttons follow); absent: the run's `--bot`, else Midjourney. */
  botType?: BotType;
  /** Passed through to the result line untouched. */
  meta: Record<string, unknown>;
  /** 1-based line of the input where the record starts. */
  line: number;
}
