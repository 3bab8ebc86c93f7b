/**
 * A small `.env` parser that reports what it cannot read, by line number, instead of guessing.
 * `util.parseEnv` lets a quote left open run into the next lines, so one malformed line silently
 * swallows the variables after it; here a value ends on its own line, always.
 *
 * Accepted, one per line: `NAME=value`, `export NAME=value`, `NAME="value"` (escapes \n \r \t \" \\),
 * `NAME='value'` (literal), blank lines and `#` comments; an unquoted value ends at ` #`. The
 * problems never quote the line itself: it may hold a token.
 */

export interface ParsedDotenv {
  values: Record<string, string>;
  /** 1-based line of each name's (last) definition. */
  lines: Record<string, number>;
  /** `<file>:<line>: <what is wrong>`, one per bad line. */
  problems: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

export function parseDotenv(text: string, file = '.env'): ParsedDotenv {
  const out: ParsedDotenv = { values: {}, lines: {}, problems: [] };
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  rows.forEach((row, index) => {
    const line = index + 1;
    const trimmed = row.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const read = readLine(trimmed);
    if ('error' in read) {
      out.problems.push(`${file}:${line}: ${read.error}`);
      return;
    }
    out.values[read.name] = read.value;
    out.lines[read.name] = line;
  });
  return out;
}

function readLine(trimmed: string): { name: string; value: string } | { error: string } {
  const body = trimmed.replace(/^export\s+/, '');
  const eq = body.indexOf('=');
  if (eq < 0) return { error: 'expected NAME=value (no "=" on this line)' };
  const name = body.slice(0, eq).trim();
  if (!NAME.test(name)) return { error: `"${name.slice(0, 40)}" is not a variable name` };
  const value = readValue(body.slice(eq + 1).trim());
  if (typeof value !== 'string') return { error: `${name}: ${value.error}` };
  return { name, value };
}

function readValue(raw: string): string | { error: string } {
  const quote = raw[0];
  if (quote === '"' || quote === "'") {
    let value = '';
    for (let i = 1; i < raw.length; i++) {
      const ch = raw[i] as string;
      if (ch === quote) {
        const rest = raw.slice(i + 1).trim();
        if (rest !== '' && !rest.startsWith('#')) return { error: 'unexpected text after the closing quote' };
        return value;
      }
      if (quote === '"' && ch === '\\' && i + 1 < raw.length) {
        const next = raw[i + 1] as string;
        value += ESCAPES[next] ?? `\\${next}`;
        i++;
      } else {
        value += ch;
      }
    }
    return { error: `the ${quote === '"' ? 'double' : 'single'} quote is not closed on this line` };
  }
  const comment = raw.search(/\s#/);
  return (comment < 0 ? raw : raw.slice(0, comment)).trim();
}
