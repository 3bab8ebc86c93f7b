/**
 * Token leak detection: every file of a target's run directory (stdout, stderr, logs, the SQLite
 * store and its WAL, the journal, the results) and every HTTP body the soak captured is searched
 * for the token and for its secret last part on its own.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function tokenNeedles(token: string): string[] {
  const secret = token.split('.').at(-1) ?? token;
  return secret.length >= 16 && secret !== token ? [token, secret] : [token];
}

/** True when `text` holds the token or its secret part. */
export function leaksIn(text: string | Buffer, needles: readonly string[]): boolean {
  return needles.some((needle) => text.includes(needle));
}

/** The files under `dir` that hold the token, as `path (n bytes)` lines. */
export async function scanFiles(dir: string, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const content = await readFile(path);
    if (leaksIn(content, needles)) found.push(`file ${path}`);
  }
  return found;
}

/** Counts HTTP bodies holding the token, remembering where the first few were seen. */
export class BodyLeakCounter {
  count = 0;
  readonly where: string[] = [];
  constructor(private readonly needles: readonly string[]) {}
  check(label: string, body: string): void {
    if (!leaksIn(body, this.needles)) return;
    this.count += 1;
    if (this.where.length < 5) this.where.push(`http ${label}`);
  }
  /** One line per body, for the token-leak column. */
  lines(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.where[i] ?? 'http body');
  }
}
