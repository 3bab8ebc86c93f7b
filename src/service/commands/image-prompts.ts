/**
 * `images`, `sref`, `cref` and `oref` on `POST /v1/imagine`: each image is checked (an
 * ImageInputError answers 400 with its code), uploaded and shown in the channel by the
 * generator, and the prompt gets their CDN URLs (generation/commands/image-prompt.ts).
 */
import { composeImagePrompt, flattenRefs } from '../../generation/commands/image-prompt.js';
import type { ServiceContext } from '../context.js';
import { RequestValidationError } from '../errors.js';
import { loadRequestImages } from './request-images.js';

export interface ImagePromptFields {
  images?: string[];
  sref?: string[];
  cref?: string[];
  oref?: string;
}

/** The prompt with the request's image prompts and references, uploaded; unchanged without any. */
export async function withImagePrompts(
  ctx: ServiceContext,
  prompt: string,
  body: ImagePromptFields,
): Promise<string> {
  const refs = {
    images: body.images ?? [],
    sref: body.sref ?? [],
    cref: body.cref ?? [],
    ...(body.oref !== undefined ? { oref: body.oref } : {}),
  };
  const { inputs, split } = flattenRefs(refs);
  if (inputs.length === 0) return prompt;
  if (ctx.commands === undefined) {
    throw new RequestValidationError([
      'images: image prompts need a single-account service (not an account pool)',
    ]);
  }
  const loaded = await loadRequestImages(ctx, inputs as string[], 'images', ctx.shutdown);
  const urls = await ctx.commands.hostImages(loaded, { signal: ctx.shutdown });
  return composeImagePrompt(prompt, split(urls));
}
