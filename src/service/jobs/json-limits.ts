/**
 * Bounds on the free-form JSON a client may have stored with a job (`metadata`, the proxy's
 * `state`) and on request bodies as a whole. A value nested a few thousand levels deep parses
 * fine but overflows the stack of every recursive walk after it (structuredClone, JSON.stringify,
 * ajv), so depth is measured here without recursion, before anything else touches the value.
 */

export interface JsonLimits {
  /** Deepest nesting allowed: `{}` is 1, `{"a": []}` is 2, a string or number 0. */
  maxDepth: number;
  /** Largest UTF-8 size of the value written as JSON. */
  maxBytes: number;
}

/** `metadata` of a job: 16 levels, 16 KiB of JSON. */
export const METADATA_LIMITS: Readonly<JsonLimits> = Object.freeze({ maxDepth: 16, maxBytes: 16_384 });

/** Any request body: 32 levels (its size is MJW_BODY_LIMIT_BYTES, enforced by the parser). */
export const BODY_MAX_DEPTH = 32;

/** Which bound a value broke, with the bound. */
export type JsonLimitBreach =
  | { limit: 'depth' | 'bytes'; max: number }
  | { limit: 'serialisable'; max: null };

/** Whether `value` nests deeper than `maxDepth`; iterative, so any depth is safe to ask about. */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The first bound `value` breaks (depth, then bytes of its JSON), or undefined when within both. */
export function checkJsonLimits(value: unknown, limits: JsonLimits): JsonLimitBreach | undefined {
  if (exceedsDepth(value, limits.maxDepth)) return { limit: 'depth', max: limits.maxDepth };
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return { limit: 'serialisable', max: null };
  }
  if (text !== undefined && Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    return { limit: 'bytes', max: limits.maxBytes };
  }
  return undefined;
}
