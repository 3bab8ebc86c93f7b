/**
 * `NAME=value` lines that survive both `eval "$(mjw sim)"` in a POSIX shell and a dotenv parser:
 * values with anything but a safe character are single-quoted (a `'` inside becomes `'\''` for the
 * shell). The gateway URL's `&` is why: unquoted, `eval` runs the rest of the line in the background.
 */

/** Characters that never need quoting in sh or dotenv. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]*$/;

export function shellQuote(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** One `NAME=value` line, the value quoted when needed. */
export function envLine(name: string, value: string | number): string {
  return `${name}=${shellQuote(String(value))}`;
}
