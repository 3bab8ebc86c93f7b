/**
 * `base64` / `base64Array` on /mj/submit/imagine: image prompts. Each is checked (a refusal is
 * code 4 with the reason, before anything is sent), uploaded and shown in the channel by the
 * generator, and the CDN URLs go before the prompt, as Midjourney reads image prompts.
 */
import { isImageInputError } from '../../images/errors.js';
import { loadRequestImages } from '../commands/request-images.js';
import type { ServiceContext } from '../context.js';
import { ProxyCode, result, type SubmitResult } from './submit-result.js';

export function imagePromptsOf(body: { base64?: string; base64Array?: string[] }): string[] {
  return [...(body.base64 ? [body.base64] : []), ...(body.base64Array ?? [])].filter((s) => s.trim() !== '');
}

/** The image URLs joined by spaces, or the SubmitResult that refuses them. */
export async function hostImagePrompts(
  ctx: ServiceContext,
  images: readonly string[],
): Promise<string | SubmitResult> {
  if (ctx.commands === undefined) {
    return result(
      ProxyCode.ValidationError,
      'image prompts (base64, base64Array) need a single-account service',
    );
  }
  if (images.length > 5) return result(ProxyCode.ValidationError, 'base64Array holds at most 5 images');
  try {
    const loaded = await loadRequestImages(ctx, images, 'base64Array');
    const urls = await ctx.commands.hostImages(loaded, { signal: ctx.shutdown });
    return urls.join(' ');
  } catch (error) {
    if (isImageInputError(error))
      return result(ProxyCode.ValidationError, error.message, null, { code: error.code });
    throw error;
  }
}
