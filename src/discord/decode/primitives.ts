/**
 * A small kit for checking JSON from Discord against the shapes in ../types.ts, without a schema
 * dependency. Decoders walk a value and either return it typed (unknown fields kept as they came)
 * or name the first problem with its JSON path. They never throw: `decodeWith` turns the helpers'
 * internal signal into the problem, and any other exception (a caller's own decoder rejecting,
 * or a bug) into a problem starting with `DECODER_THREW`, which the fuzz tests look for.
 */
/** The outcome of a decode: the typed value, or the first problem found (`path: what was wrong`). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * A decoder: returns the typed value or throws. Ours throw only through the helpers below; a
 * caller's own (`RestRequest.decode`) may throw any Error, whose message becomes the problem.
 */
export type Decoder<T> = (value: unknown, path: string) => T;

/** The internal signal of a failed check; never escapes `decodeWith`. */
class ShapeProblem {
  constructor(readonly problem: string) {}
}

/** Marks a problem that was an exception rather than a failed check. */
export const DECODER_THREW = 'decoder threw:';

/** Runs `decoder` over `value` and reports instead of throwing. */
export function decodeWith<T>(decoder: Decoder<T>, value: unknown): Decoded<T> {
  try {
    return { ok: true, value: decoder(value, '') };
  } catch (error) {
    if (error instanceof ShapeProblem) return { ok: false, problem: error.problem };
    return {
      ok: false,
      problem: `${DECODER_THREW} ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * Parses a 2xx body. Empty is `undefined` (a 204); anything else must be JSON whatever the
 * content type says, because every Discord endpoint we read answers JSON.
 */
export function parseJsonText(text: string): Decoded<unknown> {
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: `body is not JSON (${text.length} characters: ${snippet(text, 40)})` };
  }
}

/** The first `max` characters of `text` as a JSON string literal, with an ellipsis when cut. */
export function snippet(text: string, max = 200): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}…`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `string ${snippet(value, 24)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

export function fail(path: string, expected: string, value: unknown): never {
  throw new ShapeProblem(`${path || '(body)'}: expected ${expected}, got ${describeValue(value)}`);
}

export function child(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) fail(path, 'an object', value);
  return value;
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

/**
 * Ids are compared and sorted as 64-bit numbers (util/snowflake), so anything but a decimal
 * string of at most 20 digits would throw there. Shorter than a real snowflake is accepted: test
 * servers and fixtures use small ids, and nothing breaks on them.
 */
const ID_PATTERN = /^\d{1,20}$/;

export function snowflake(value: unknown, path: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) fail(path, 'a snowflake string', value);
  return value;
}

export function number(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number', value);
  return value;
}

/** A field that may be absent (or null, which Discord sends for "none"): `fallback` then. */
export function optional<T>(value: unknown, path: string, decoder: Decoder<T>, fallback: T): T {
  return value === undefined || value === null ? fallback : decoder(value, path);
}

/** Every element through `decoder`; the first bad one fails the whole array. */
export function arrayOf<T>(value: unknown, path: string, decoder: Decoder<T>): T[] {
  return array(value, path).map((item, index) => decoder(item, child(path, index)));
}

/** Keeps `value` only when `guard` accepts it: for fields the worker can live without. */
export function tolerated<T>(value: unknown, guard: (value: unknown) => value is T): T | undefined {
  return guard(value) ? value : undefined;
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
