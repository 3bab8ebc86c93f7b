/**
 * The headers an account may add to every Discord REST call (RestClientOptions.headers): the ones
 * a browser client sends, such as `X-Discord-Locale`, `X-Discord-Timezone` or `X-Super-Properties`
 * (base64 JSON describing the client). The headers the client owns (the token, the body's type and
 * length, the connection) cannot be replaced; `User-Agent` has its own option.
 */

/** Set by the client itself; an extra header with one of these names is refused. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'user-agent',
  'content-type',
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
]);

/** An HTTP field name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, spaces and tabs: no CR, LF or NUL that would split a request. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Every problem of a header map, each naming the header; empty when it is fine. */
export function extraHeaderProblems(headers: unknown, option = 'headers'): string[] {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    return [`${option}: expected an object of header names to string values`];
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) problems.push(`${option}: "${name}" is not a valid header name`);
    else if (RESERVED_HEADERS.has(lower)) {
      problems.push(
        `${option}: "${name}" is set by the client${lower === 'user-agent' ? ' (use the userAgent option / MJ_USER_AGENT)' : ''}`,
      );
    } else if (seen.has(lower)) problems.push(`${option}: "${name}" is given twice`);
    seen.add(lower);
    if (typeof value !== 'string') problems.push(`${option}: the value of "${name}" must be a string`);
    else if (!VALUE.test(value) || value.length > 8_192) {
      problems.push(
        `${option}: the value of "${name}" holds a line break or a control character, or is over 8192 characters`,
      );
    }
  }
  return problems;
}

/** The map with lower-case names, as undici sends them. */
export function normaliseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
