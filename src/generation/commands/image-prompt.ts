/**
 * Image prompts and references for `/imagine`: image URLs go before the text, style references
 * after `--sref`, character references after `--cref`, an omni reference after `--oref`
 * (https://docs.midjourney.com/docs/image-prompts, /style-reference, /character-reference).
 * Pure: the URLs are the CDN URLs of images uploaded first (CommandRunner.hostImages).
 */
import type { ImageInput } from '../../images/image-source.js';

/** Images to add to a prompt, each a path, bytes, a `data:` URL or an http(s) URL. */
export interface ImagePromptRefs {
  /** Image prompts: placed before the text. */
  images?: readonly ImageInput[];
  /** Style references (`--sref`). */
  sref?: readonly ImageInput[];
  /** Character references (`--cref`, V6). */
  cref?: readonly ImageInput[];
  /** Omni reference (`--oref`, V7): one image. */
  oref?: ImageInput;
}

export interface ImagePromptUrls {
  images: readonly string[];
  sref: readonly string[];
  cref: readonly string[];
  oref?: string;
}

/** The refs as one list (upload order) and a function that splits their URLs back. */
export function flattenRefs(refs: ImagePromptRefs): {
  inputs: ImageInput[];
  split(urls: readonly string[]): ImagePromptUrls;
} {
  const images = [...(refs.images ?? [])];
  const sref = [...(refs.sref ?? [])];
  const cref = [...(refs.cref ?? [])];
  const oref = refs.oref === undefined ? [] : [refs.oref];
  return {
    inputs: [...images, ...sref, ...cref, ...oref],
    split(urls) {
      let at = 0;
      const take = (n: number): string[] => {
        const out = urls.slice(at, at + n);
        at += n;
        return [...out];
      };
      const out: ImagePromptUrls = {
        images: take(images.length),
        sref: take(sref.length),
        cref: take(cref.length),
      };
      const [o] = take(oref.length);
      if (o !== undefined) out.oref = o;
      return out;
    },
  };
}

/** `<image urls> <prompt> --sref <urls> --cref <urls> --oref <url>`. */
export function composeImagePrompt(prompt: string, urls: ImagePromptUrls): string {
  const parts: string[] = [];
  if (urls.images.length > 0) parts.push(urls.images.join(' '));
  parts.push(prompt.trim());
  if (urls.sref.length > 0) parts.push(`--sref ${urls.sref.join(' ')}`);
  if (urls.cref.length > 0) parts.push(`--cref ${urls.cref.join(' ')}`);
  if (urls.oref !== undefined) parts.push(`--oref ${urls.oref}`);
  return parts.filter((p) => p !== '').join(' ');
}
