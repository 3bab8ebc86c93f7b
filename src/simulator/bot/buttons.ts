/** What each Midjourney button starts: the job spec for a pressed `custom_id` on a finished job. */
import type { ButtonAction } from './custom-id.js';
import type { Job, JobSpec } from './job.js';

export function buttonJobSpec(
  action: Extract<
    ButtonAction,
    { kind: 'appeal' | 'upscale' | 'variation' | 'reroll' | 'upscale-enhance' | 'zoom' | 'pan' }
  >,
  parent: Job,
): JobSpec {
  const base = { prompt: parent.prompt, parent };
  switch (action.kind) {
    case 'appeal':
      return { ...base, kind: 'imagine', label: '', result: 'grid' };
    case 'upscale':
      return { ...base, kind: 'upscale', label: '', result: 'image', instant: true, index: action.index };
    case 'variation': {
      const kind = !action.solo
        ? 'variation'
        : action.strength === 'Strong'
          ? 'high_variation'
          : 'low_variation';
      return {
        ...base,
        kind,
        label: `Variations (${action.strength}) by `,
        result: 'grid',
        index: action.index,
      };
    }
    case 'reroll':
      return { ...base, kind: 'reroll', label: '', result: 'grid' };
    case 'upscale-enhance': {
      const spec: JobSpec = {
        ...base,
        kind: 'upscale',
        label: `Upscaled (${action.style}) by `,
        result: 'image',
      };
      if (parent.record.index !== undefined) spec.index = parent.record.index;
      return spec;
    }
    case 'zoom':
      return { ...base, kind: 'zoom', label: 'Zoom Out by ', result: 'grid' };
    case 'pan':
      return { ...base, kind: 'pan', label: `Pan ${action.direction} by `, result: 'grid' };
  }
}
