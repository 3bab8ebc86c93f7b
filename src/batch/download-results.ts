/**
 * Downloads every image a prompt produced, named from its id (`<id>.png` for the grid,
 * `<id>-U1.png` for an action); grids are split with `--split`, upscales never (one image).
 */
import type { GenerationResult } from '../generation/types.js';
import type { Downloader } from './downloader.js';
import type { PromptState } from './journal-records.js';
import { errorInfo } from './outcome.js';
import type { BatchPrompt } from './prompt.js';
import type { ErrorInfo, StepFiles } from './result-line.js';

export async function downloadResults(
  downloader: Downloader,
  prompt: BatchPrompt,
  state: PromptState,
): Promise<{ files: StepFiles; error?: ErrorInfo }> {
  const steps = state.steps
    .map((step, index) => ({ result: step.result, index }))
    .filter((s): s is { result: GenerationResult; index: number } => s.result !== undefined);
  const saved = await Promise.allSettled(
    steps.map(({ result, index }) => {
      const name = index === 0 ? prompt.id : `${prompt.id}-${prompt.actions[index - 1]}`;
      return downloader.save(result.imageUrl, name, result.kind !== 'upscale');
    }),
  );
  const files: (string[] | undefined)[] = [];
  let error: ErrorInfo | undefined;
  saved.forEach((outcome, i) => {
    const index = steps[i]?.index ?? 0;
    if (outcome.status === 'fulfilled') files[index] = outcome.value;
    else error ??= errorInfo(outcome.reason);
  });
  return error ? { files, error } : { files };
}
